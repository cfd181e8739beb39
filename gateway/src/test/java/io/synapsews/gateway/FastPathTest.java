package io.synapsews.gateway;

import java.net.http.HttpClient;
import java.nio.ByteBuffer;
import java.nio.file.Path;

import io.synapsews.transport.payload.PayloadCodec;
import io.synapsews.transport.payload.PayloadCounters;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fast paths: a text message whose payload no mediator reads is never parsed and leaves with
 * the bytes it came with; a sequence that reads the payload (XPath on text or on JSON) still sees it;
 * and a connection whose sequence only sends and whose outflow sequence only responds relays frames
 * without mediating them at all (RelayLane), broadcast levels included.
 */
class FastPathTest {

    private static final PayloadCounters COUNTED = PayloadCodec.shared().counters();

    @TempDir
    static Path tmp;

    static EchoBackend backend;
    static Gateway gateway;
    static HttpClient http = HttpClient.newHttpClient();
    static int textPort;
    static int jsonPort;
    static int mediatedPort;
    static int textMediatedPort;
    static int relayPort;
    static int relayBroadcastPort;

    @BeforeAll
    static void start() throws Exception {
        // these tests are about which lane a configuration takes: not run with lanes forced off
        Assumptions.assumeTrue(LaneCheck.forced() == LaneCheck.Lane.AS_CONFIGURED, "lanes forced");
        backend = new EchoBackend(0);
        TestHome home = TestHome.relayingTo(tmp.resolve("home").toFile(), backend.url());
        textPort = home.addInboundEndpoint("TextEndpoint", "echoSeq", "");
        // mediated (a property mediator keeps it off the relay lane), so JSON goes through its builder
        home.write("repository/conf/synapse-config/sequences/jsonSeq.xml",
                "<sequence xmlns=\"http://ws.apache.org/ns/synapse\" name=\"jsonSeq\">\n"
                        + "  <property name=\"seen\" value=\"yes\"/>\n"
                        + "  <send><endpoint><address uri=\"" + backend.url() + "\"/></endpoint></send>\n</sequence>\n");
        jsonPort = TestHome.freePort();
        home.write(DemoHome.INBOUND_DIR + "JsonEndpoint.xml", json(TestHome.inboundEndpoint("JsonEndpoint", jsonPort, "jsonSeq")));
        // only sends, only responds: the relay lane
        home.write("repository/conf/synapse-config/sequences/respondSeq.xml",
                "<sequence xmlns=\"http://ws.apache.org/ns/synapse\" name=\"respondSeq\"><respond/></sequence>\n");
        relayPort = TestHome.freePort();
        home.write(DemoHome.INBOUND_DIR + "RelayEndpoint.xml", TestHome.inboundEndpoint("RelayEndpoint", relayPort, "echoSeq")
                .replace("outflowDispatchSeq", "respondSeq"));
        relayBroadcastPort = TestHome.freePort();
        home.write(DemoHome.INBOUND_DIR + "RelayBroadcastEndpoint.xml", TestHome.inboundEndpoint("RelayBroadcastEndpoint",
                relayBroadcastPort, "echoSeq").replace("outflowDispatchSeq", "respondSeq")
                .replace("</parameters>", "<parameter name=\"ws.client.side.broadcast.level\">1</parameter></parameters>"));
        mediatedPort = TestHome.freePort();
        home.write("repository/conf/synapse-config/sequences/mediatedSeq.xml",
                "<sequence xmlns=\"http://ws.apache.org/ns/synapse\" name=\"mediatedSeq\">\n"
                        + "  <filter source=\"get-property('websocket.source.handshake.present')\" regex=\"true\">\n"
                        + "    <then><log level=\"custom\"><property name=\"handshake\" value=\"mediated\"/></log></then>\n"
                        + "    <else>\n"
                        + "      <property name=\"id\" expression=\"//id\"/>\n"
                        + "      <filter source=\"get-property('id')\" regex=\"42\"><then>\n"
                        + "        <payloadFactory><format><msg xmlns=\"\"><id>$1</id><seen>yes</seen></msg></format>\n"
                        + "          <args><arg expression=\"get-property('id')\"/></args></payloadFactory>\n"
                        + "      </then></filter>\n"
                        // changes the payload in place (the same element, one child more)
                        + "      <filter source=\"get-property('id')\" regex=\"99\"><then>\n"
                        + "        <enrich><source type=\"inline\" clone=\"true\"><seen xmlns=\"\">in place</seen></source>\n"
                        + "          <target xpath=\"//msg\" action=\"child\"/></enrich>\n"
                        + "      </then></filter>\n"
                        + "    </else>\n"
                        + "  </filter>\n"
                        + "  <send><endpoint><address uri=\"" + backend.url() + "\"/></endpoint></send>\n"
                        + "</sequence>\n");
        home.write(DemoHome.INBOUND_DIR + "MediatedEndpoint.xml", json(TestHome.inboundEndpoint("MediatedEndpoint", mediatedPort, "mediatedSeq")));
        home.write("repository/conf/synapse-config/sequences/textMediatedSeq.xml",
                "<sequence xmlns=\"http://ws.apache.org/ns/synapse\" name=\"textMediatedSeq\">\n"
                        + "  <filter source=\"get-property('websocket.source.handshake.present')\" regex=\"true\">\n"
                        + "    <then><log level=\"custom\"><property name=\"handshake\" value=\"text\"/></log></then>\n"
                        + "    <else><filter source=\"$body/*[1]\" regex=\"ping\"><then>\n"
                        + "      <payloadFactory><format><text xmlns=\"http://ws.apache.org/commons/ns/payload\">pong</text></format>"
                        + "<args/></payloadFactory>\n"
                        + "    </then></filter></else>\n"
                        + "  </filter>\n"
                        + "  <send><endpoint><address uri=\"" + backend.url() + "\"/></endpoint></send>\n"
                        + "</sequence>\n");
        textMediatedPort = home.addInboundEndpoint("TextMediatedEndpoint", "textMediatedSeq", "");
        gateway = Gateway.start(home.dir);
    }

    private static String json(String endpoint) {
        return endpoint.replace("</parameters>", "<parameter name=\"ws.default.content.type\">application/json</parameter></parameters>");
    }

    @AfterAll
    static void stop() throws Exception {
        TestHome.closeAll(gateway, backend);
    }

    @Test
    void aPassThroughSequenceNeverBuildsTextPayloads() throws Exception {
        // the client's messages are relayed (the sequence only sends); the backend's take the compiled lane:
        // the demo's outflow sequence is <wsThrottle/> then <respond/>, a count and a relay
        long built = COUNTED.built();
        long untouched = COUNTED.untouched();
        long relayed = COUNTED.relayed();
        long compiled = COUNTED.compiled();
        WsClient c = WsClient.connect(http, "ws://localhost:" + textPort + "/");
        for (int i = 0; i < 20; i++) {
            String m = "<not-xml & not \"json\" " + i + " ✓";
            c.ws.sendText(m, true).join();
            assertEquals(m, c.next());
        }
        assertEquals(0, COUNTED.built() - built, "a payload was built");
        assertEquals(20, COUNTED.relayed() - relayed, "client messages relayed");
        assertEquals(20, COUNTED.compiled() - compiled, "backend messages relayed by the compiled plan");
        assertEquals(0, COUNTED.untouched() - untouched, "no message mediated");
    }

    @Test
    void aConnectionWhoseSequencesOnlySendAndRespondRelaysBothWays() throws Exception {
        long built = COUNTED.built();
        long untouched = COUNTED.untouched();
        long relayed = COUNTED.relayed();
        WsClient c = WsClient.connect(http, "ws://localhost:" + relayPort + "/");
        for (int i = 0; i < 20; i++) {
            c.ws.sendText("relay " + i + " ✓", true).join();
            assertEquals("relay " + i + " ✓", c.next());
        }
        byte[] data = {0, 1, 2, (byte) 0xFF};
        c.ws.sendBinary(ByteBuffer.wrap(data), true).join();
        Assertions.assertArrayEquals(data, (byte[]) c.next());
        assertEquals(42, COUNTED.relayed() - relayed, "21 messages each way relayed");
        assertEquals(0, COUNTED.untouched() - untouched, "nothing mediated");
        assertEquals(0, COUNTED.built() - built, "nothing built");
    }

    @Test
    void theRelayLaneKeepsTheBroadcastLevel() throws Exception {
        WsClient a = WsClient.connect(http, "ws://localhost:" + relayBroadcastPort + "/room");
        WsClient b = WsClient.connect(http, "ws://localhost:" + relayBroadcastPort + "/room");
        WsClient elsewhere = WsClient.connect(http, "ws://localhost:" + relayBroadcastPort + "/other");
        a.ws.sendText("to the room", true).join();
        assertEquals("to the room", a.next());
        assertEquals("to the room", b.next());
        elsewhere.ws.sendText("alone", true).join();
        assertEquals("alone", elsewhere.next());
        b.ws.sendText("b too", true).join();
        assertEquals("b too", a.next());
        assertEquals("b too", b.next());
    }

    @Test
    void aTextPayloadIsBuiltWhenAMediatorReadsIt() throws Exception {
        long built = COUNTED.built();
        WsClient c = WsClient.connect(http, "ws://localhost:" + textMediatedPort + "/");
        c.ws.sendText("ping", true).join();
        assertEquals("pong", c.next());
        c.ws.sendText("hello ✓", true).join();
        assertEquals("hello ✓", c.next());
        assertEquals(2, COUNTED.built() - built, "the sequence read two payloads");
    }

    @Test
    void jsonNoMediatorChangedLeavesAsItCameWithoutBeingParsed() throws Exception {
        // application/json is built by axis2-json, lazily: a sequence that does not touch the payload
        // sends the text it came as, spacing and all, and never parses it
        long untouched = COUNTED.untouched();
        WsClient c = WsClient.connect(http, "ws://localhost:" + jsonPort + "/");
        String json = "{ \"msg\" :  {\"id\": \"a1\",   \"note\": \"spacing ✓\"} }";
        c.ws.sendText(json, true).join();
        assertEquals(json, c.next());
        assertTrue(COUNTED.untouched() - untouched >= 1, "the JSON message was reformatted");
    }

    @Test
    void jsonNestedPastTheLimitClosesWith1009AndNeverReachesABuilder() throws Exception {
        for (String level : new String[] {"[", "{\"a\":"}) {
            WsClient c = WsClient.connect(http, "ws://localhost:" + mediatedPort + "/");
            c.ws.sendText(level.repeat(100_000), true).join();
            assertEquals("1009 JSON nested too deeply", c.closeWithin(10));
        }
        // an ordinary message is still read
        WsClient c = WsClient.connect(http, "ws://localhost:" + mediatedPort + "/");
        c.ws.sendText("{\"msg\":{\"id\":\"42\"}}", true).join();
        assertTrue(c.next().toString().contains("42"));
    }

    @Test
    void aMediatedSequenceStillReadsTheJsonPayload() throws Exception {
        WsClient c = WsClient.connect(http, "ws://localhost:" + mediatedPort + "/");
        c.ws.sendText("{\"msg\":{\"id\":\"42\"}}", true).join();
        String rewritten = (String) c.next();
        assertTrue(rewritten.contains("\"seen\":\"yes\"") && rewritten.contains("42"), rewritten);
        // read by XPath (which builds the tree) but not changed: it leaves as it came, spacing and all
        // left as it came: mediated and untouched, or (the backend's answers, on the compiled lane) relayed
        java.util.function.LongSupplier asCame = () -> COUNTED.untouched() + COUNTED.relayed() + COUNTED.compiled();
        long untouched = asCame.getAsLong();
        String read = "{\"msg\": {\"id\": \"7\",  \"list\": [1, 2]}}";
        c.ws.sendText(read, true).join();
        assertEquals(read, c.next());
        // both legs: to the backend (read, unchanged) and back (the outflow sequence does not read it)
        assertEquals(2, asCame.getAsLong() - untouched, "the read message was not left as it came");
        // changed in place (enrich adds a child to the same element): written by the JSON formatter
        c.ws.sendText("{\"msg\": {\"id\": \"99\"}}", true).join();
        String changed = (String) c.next();
        assertEquals("{\"msg\":{\"id\":99,\"seen\":\"in place\"}}", changed.replace("\"99\"", "99"), changed);
        assertEquals(3, asCame.getAsLong() - untouched, "the changed message left as it came");
        // a shape our reader declines (a fraction): axis2-json's builder reads it, its formatter writes it
        c.ws.sendText("{\"msg\": {\"id\": \"8\", \"price\": 1.50}}", true).join();
        String declined = (String) c.next();
        assertEquals("{\"msg\":{\"id\":8,\"price\":1.5}}", declined.replace("\"8\"", "8"), declined);
        assertEquals(4, asCame.getAsLong() - untouched, "only the backend's answer left untouched");
    }
}
