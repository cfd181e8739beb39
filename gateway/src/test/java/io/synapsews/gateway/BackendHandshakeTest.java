package io.synapsews.gateway;

import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.KeyManagerFactory;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.ssl.SslContextBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What a sequence and the sender's parameters do to the backend handshake: {@code websocket.subprotocol}
 * set by the sequence replaces what the client offered, and {@code ws.client.enable.hostname.verification}
 * set to false lets a trusted certificate with another name through (BackendTlsTest shows the default
 * refusing it); and {@code dispatch.custom.sequence} picks the sequence named after the path.
 */
class BackendHandshakeTest {

    @TempDir
    static Path tmp;

    static EchoBackend backend;
    static EchoBackend wrongName;
    static Gateway gateway;
    static final HttpClient http = HttpClient.newHttpClient();
    static int chosenPort;
    static int wrongNamePort;
    static int customPort;
    static int auditedPort;
    static int spokenPort;

    @BeforeAll
    static void start() throws Exception {
        backend = new EchoBackend(0);
        File store = tmp.resolve("wrongname.jks").toFile();
        KeyStores.selfSigned(store, "wrongname", "secret", "dns:wrong.example.org", null, 30);
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(KeyStore.getInstance(store, "secret".toCharArray()), "secret".toCharArray());
        wrongName = new EchoBackend(0, SslContextBuilder.forServer(kmf).build());

        TestHome home = TestHome.relayingTo(tmp.resolve("home").toFile(), backend.url());
        home.write("repository/conf/synapse-config/sequences/chooseSeq.xml",
                "<sequence xmlns=\"http://ws.apache.org/ns/synapse\" name=\"chooseSeq\">\n"
                        + "  <property name=\"websocket.subprotocol\" value=\"echo.v1\" scope=\"axis2\"/>\n"
                        + "  <send><endpoint><address uri=\"" + backend.url() + "\"/></endpoint></send>\n</sequence>\n");
        chosenPort = home.addInboundEndpoint("Chosen", "chooseSeq", "");
        String trust = "repository/resources/security/client-truststore.jks";
        KeyStores.trustStoreFor(store, "wrongname", "secret", new File(home.dir, trust));
        home.setSenderTrustStore(trust, "secret");
        home.addSenderParameter("wss", "<parameter name=\"ws.client.enable.hostname.verification\">false</parameter>");
        home.addSendSequence("wrongNameSeq", wrongName.url());
        wrongNamePort = home.addInboundEndpoint("WrongName", "wrongNameSeq", "");
        home.addHandshakeSequence("rooms-blue", backend.url(), TestHome.answer("blue room"));
        customPort = home.addInboundEndpoint("Custom", "echoSeq", "<parameter name=\"dispatch.custom.sequence\">true</parameter>");
        auditedPort = home.addInboundEndpoint("Audited", "echoSeq",
                "<parameter name=\"ws.pipeline.handler.class\">" + FrameCountingHandler.class.getName() + "</parameter>");
        home.addHandshakeSequence("idSeq", backend.url(),
                "<payloadFactory><format><text xmlns=\"http://ws.apache.org/commons/ns/payload\">id $1</text></format>"
                        + "<args><arg expression=\"//id\"/></args></payloadFactory><respond/>");
        spokenPort = home.addInboundEndpoint("Spoken", "idSeq",
                "<parameter name=\"ws.subprotocol.handler.class\">io.synapsews.inbound.ContentTypeSubprotocols</parameter>");
        gateway = Gateway.start(home.dir);
    }

    @AfterAll
    static void stop() throws Exception {
        TestHome.closeAll(gateway, backend, wrongName);
    }

    @Test
    void thePipelineHandlerClassSeesTheUpgradeAndEveryFrame() throws Exception {
        int upgrades = FrameCountingHandler.UPGRADES.get();
        int frames = FrameCountingHandler.TEXT_FRAMES.get();
        WsClient c = WsClient.connect(http, "ws://localhost:" + auditedPort + "/");
        for (int i = 0; i < 3; i++) {
            c.ws.sendText("seen " + i, true).join();
            assertEquals("seen " + i, c.next());
        }
        assertEquals(1, FrameCountingHandler.UPGRADES.get() - upgrades);
        assertEquals(3, FrameCountingHandler.TEXT_FRAMES.get() - frames);
    }

    @Test
    void aSubprotocolHandlerSpeaksItsSubprotocolAndBuildsMessagesWithItsContentType() throws Exception {
        while (backend.nextHandshake(100, TimeUnit.MILLISECONDS) != null) {
            // handshakes of the other tests
        }
        WsClient c = new WsClient();
        c.ws = http.newWebSocketBuilder().subprotocols("json")
                .buildAsync(URI.create("ws://localhost:" + spokenPort + "/"), c).join();
        assertEquals("json", c.ws.getSubprotocol(), "answered by the gateway, which speaks it");
        HttpHeaders atBackend = backend.nextHandshake(10, TimeUnit.SECONDS);
        assertEquals(null, atBackend.get("Sec-WebSocket-Protocol"), "the backend was offered it");
        c.ws.sendText("{\"msg\":{\"id\":\"42\"}}", true).join();
        assertEquals("id 42", c.next(), "the text was built as JSON, so //id found it");

        WsClient plain = WsClient.connect(http, "ws://localhost:" + spokenPort + "/");
        plain.ws.sendText("{\"msg\":{\"id\":\"42\"}}", true).join();
        assertEquals("id ", plain.next(), "without the subprotocol the text stays text/plain");
    }

    @Test
    void dispatchCustomSequencePicksTheSequenceNamedAfterThePathElseTheEndpointsOwn() throws Exception {
        WsClient blue = WsClient.connect(http, "ws://localhost:" + customPort + "/rooms/blue?x=1");
        blue.ws.sendText("hello", true).join();
        assertEquals("blue room", blue.next());
        WsClient other = WsClient.connect(http, "ws://localhost:" + customPort + "/rooms/red");
        other.ws.sendText("hello", true).join();
        assertEquals("hello", other.next(), "no rooms-red sequence: the endpoint's echoSeq");
    }

    @Test
    void aSubprotocolSetByTheSequenceIsWhatTheBackendIsOffered() throws Exception {
        while (backend.nextHandshake(100, TimeUnit.MILLISECONDS) != null) {
            // handshakes of the other tests
        }
        WsClient c = new WsClient();
        // offered first, graphql-ws would be the backend's pick; the sequence offers echo.v1 only
        c.ws = http.newWebSocketBuilder().subprotocols("graphql-ws", "echo.v1")
                .buildAsync(URI.create("ws://localhost:" + chosenPort + "/"), c).join();
        HttpHeaders offered = backend.nextHandshake(10, TimeUnit.SECONDS);
        assertEquals("echo.v1", offered.get("Sec-WebSocket-Protocol"));
        assertEquals("echo.v1", c.ws.getSubprotocol());
        c.ws.sendText("chosen", true).join();
        assertEquals("chosen", c.next());
    }

    @Test
    void withHostnameVerificationOffATrustedCertificateWithAnotherNameIsAccepted() throws Exception {
        WsClient c = WsClient.connect(http, "ws://localhost:" + wrongNamePort + "/");
        c.ws.sendText("any name", true).join();
        assertEquals("any name", c.next());
    }
}
