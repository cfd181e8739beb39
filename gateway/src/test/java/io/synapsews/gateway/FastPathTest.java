package io.synapsews.gateway;

import io.synapsews.transport.common.Payloads;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpClient;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fast path: a text message whose payload no mediator reads is never parsed and leaves with
 * the bytes it came with; a sequence that reads the payload (XPath on text or on JSON) still sees it.
 */
class FastPathTest {

    @TempDir
    static Path tmp;

    static EchoBackend backend;
    static Gateway gateway;
    static HttpClient http = HttpClient.newHttpClient();
    static int textPort;
    static int jsonPort;
    static int mediatedPort;
    static int textMediatedPort;

    @BeforeAll
    static void start() throws Exception {
        backend = new EchoBackend(0);
        TestHome home = new TestHome(tmp.resolve("home").toFile(), backend.url());
        home.withoutAuth();
        home.addSendSequence("passThroughSeq", backend.url());
        textPort = home.addInboundEndpoint("TextEndpoint", "passThroughSeq", "");
        jsonPort = TestHome.freePort();
        home.write(DemoHome.INBOUND_DIR + "JsonEndpoint.xml", json(TestHome.inboundEndpoint("JsonEndpoint", jsonPort, "passThroughSeq")));
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
        long built = Payloads.expandedCount();
        long untouched = Payloads.untouchedCount();
        WsClient c = WsClient.connect(http, "ws://localhost:" + textPort + "/");
        for (int i = 0; i < 20; i++) {
            String m = "<not-xml & not \"json\" " + i + " ✓";
            c.ws.sendText(m, true).join();
            assertEquals(m, c.next());
        }
        assertEquals(0, Payloads.expandedCount() - built, "a payload was built");
        assertEquals(40, Payloads.untouchedCount() - untouched, "both directions leave with their original bytes");
    }

    @Test
    void aTextPayloadIsBuiltWhenAMediatorReadsIt() throws Exception {
        long built = Payloads.expandedCount();
        WsClient c = WsClient.connect(http, "ws://localhost:" + textMediatedPort + "/");
        c.ws.sendText("ping", true).join();
        assertEquals("pong", c.next());
        c.ws.sendText("hello ✓", true).join();
        assertEquals("hello ✓", c.next());
        assertEquals(2, Payloads.expandedCount() - built, "the sequence read two payloads");
    }

    @Test
    void jsonIsBuiltByItsBuilderAndWrittenByItsFormatter() throws Exception {
        // application/json goes through axis2-json (mapped convention) both ways
        WsClient c = WsClient.connect(http, "ws://localhost:" + jsonPort + "/");
        c.ws.sendText("{ \"msg\" :  {\"id\": \"a1\",   \"note\": \"spacing\"} }", true).join();
        assertEquals("{\"msg\":{\"id\":\"a1\",\"note\":\"spacing\"}}", c.next());
    }

    @Test
    void aMediatedSequenceStillReadsTheJsonPayload() throws Exception {
        WsClient c = WsClient.connect(http, "ws://localhost:" + mediatedPort + "/");
        c.ws.sendText("{\"msg\":{\"id\":\"42\"}}", true).join();
        String rewritten = (String) c.next();
        assertTrue(rewritten.contains("\"seen\":\"yes\"") && rewritten.contains("42"), rewritten);
        c.ws.sendText("{\"msg\":{\"id\":\"7\"}}", true).join();
        String same = (String) c.next();
        assertEquals("{\"msg\":{\"id\":7}}", same.replace("\"7\"", "7"), same);
    }
}
