package io.synapsews.gateway;

import java.io.File;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

import io.synapsews.testing.Await;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Broken inbound endpoint files are refused when they are deployed, each with one log line naming the
 * file, the parameter and the problem, while the rest of the server keeps running; a fixed file then
 * deploys by hot deployment; {@code suspend="true"} deploys without listening. Each test has its own
 * files: none depends on another having run first.
 */
class DeployRefusalTest {

    @TempDir
    static Path tmp;

    static EchoBackend backend;
    static Gateway gateway;
    static TestHome home;
    static LogCapture log;
    static ServerSocket squatter;
    static final HttpClient http = HttpClient.newHttpClient();
    static int goodPort;
    static int noSequencePort;
    static int suspendedPort;
    static int badStorePort;
    static int wrongPassPort;
    static int toWssPort;
    static int fixablePort;
    static int changingPort;

    @BeforeAll
    static void start() throws Exception {
        log = LogCapture.install();
        backend = new EchoBackend(0);
        home = TestHome.relayingTo(tmp.resolve("home").toFile(), backend.url());
        goodPort = home.addInboundEndpoint("Good", "echoSeq", "");
        noSequencePort = home.addInboundEndpoint("NoSequence", "noSuchSeq", "");
        // broken until theFixedFileDeploys fixes it; changed by aChangeThatKeepsTheListener...
        fixablePort = home.addInboundEndpoint("Fixable", "noSuchSeq", "");
        changingPort = home.addInboundEndpoint("Changing", "echoSeq", "");
        home.addInboundEndpoint("NoHandler", "echoSeq", "<parameter name=\"ws.pipeline.handler.class\">com.example.NoSuchHandler</parameter>");
        home.addInboundEndpoint("Level7", "echoSeq", "<parameter name=\"ws.client.side.broadcast.level\">7</parameter>");
        // 1005 is in range but no close frame may carry it
        home.addInboundEndpoint("Code1005", "echoSeq", "<parameter name=\"ws.shutdown.status.code\">1005</parameter>");
        home.write(DemoHome.INBOUND_DIR + "NoOutflow.xml", TestHome.inboundEndpoint("NoOutflow", TestHome.freePort(), "echoSeq")
                .replace("outflowDispatchSeq", "noSuchOutflowSeq"));
        squatter = new ServerSocket(0, 50, InetAddress.getByName("0.0.0.0"));
        home.write(DemoHome.INBOUND_DIR + "BusyPort.xml", TestHome.inboundEndpoint("BusyPort", squatter.getLocalPort(), "echoSeq"));
        suspendedPort = TestHome.freePort();
        home.write(DemoHome.INBOUND_DIR + "Suspended.xml", TestHome.inboundEndpoint("Suspended", suspendedPort, "echoSeq")
                .replace("suspend=\"false\"", "suspend=\"true\""));
        badStorePort = TestHome.freePort();
        home.write(DemoHome.INBOUND_DIR + "BadStore.xml", wss("BadStore", badStorePort, "repository/resources/security/missing.jks", "wso2carbon"));
        wrongPassPort = TestHome.freePort();
        home.write(DemoHome.INBOUND_DIR + "WrongPass.xml", wss("WrongPass", wrongPassPort,
                "repository/resources/security/wso2carbon.jks", "not-the-password"));
        // a wss transport sender whose trust store does not open with the password axis2.xml gives
        KeyStores.trustStoreFor(home.keyStore, "wso2carbon", "wso2carbon",
                new File(home.dir, "repository/resources/security/client-truststore.jks"));
        home.setSenderTrustStore("repository/resources/security/client-truststore.jks", "not-the-password");
        home.addSendSequence("toWssSeq", "wss://localhost:1/");
        toWssPort = home.addInboundEndpoint("ToWss", "toWssSeq", "");
        // a sequence the Changing endpoint is switched to (sequences are read at start: this
        // sample configuration hot-deploys inbound endpoint files, not sequences)
        home.addHandshakeSequence("answerSeq", backend.url(), TestHome.answer("reconfigured"));
        gateway = Gateway.start(home.dir);
    }

    @AfterAll
    static void stop() throws Exception {
        TestHome.closeAll(gateway, backend, squatter);
    }

    private static String wss(String name, int port, String keyStore, String password) {
        return TestHome.inboundEndpoint(name, port, "echoSeq").replace("protocol=\"ws\"", "protocol=\"wss\"")
                .replace("</parameters>", "<parameter name=\"wss.ssl.key.store.file\">" + keyStore + "</parameter>"
                        + "<parameter name=\"wss.ssl.key.store.pass\">" + password + "</parameter></parameters>");
    }

    /** The one log line about {@code file}'s refusal; it must contain every one of {@code parts}. */
    private static void refusedWith(String file, String... parts) throws InterruptedException {
        // a missing sequence is refused after one retry (the sequence may arrive in the same scan)
        String line = Await.until(Duration.ofSeconds(15), () -> log.messagesSince(0).stream()
                        .filter(l -> l.startsWith("inbound endpoint not deployed") && l.contains(file)).findFirst().orElse(null),
                Objects::nonNull, "a refusal logged for " + file + " in:\n" + String.join("\n", log.messagesSince(0)));
        for (String p : parts) {
            assertTrue(line.contains(p), "'" + p + "' missing from: " + line);
        }
        assertEquals(1, log.messagesSince(0).stream().filter(l -> l.contains(file) && l.contains("not deployed")).count(),
                "one line per refusal");
    }

    @Test
    void eachBrokenFileIsRefusedWithOneLineNamingFileParameterAndProblem() throws Exception {
        refusedWith("NoSequence.xml", "attribute 'sequence'", "'noSuchSeq'", "not deployed");
        refusedWith("NoOutflow.xml", "parameter 'ws.outflow.dispatch.sequence'", "'noSuchOutflowSeq'");
        refusedWith("NoHandler.xml", "parameter 'ws.pipeline.handler.class'", "no class com.example.NoSuchHandler");
        refusedWith("Level7.xml", "parameter 'ws.client.side.broadcast.level'", "between 0 and 2, was 7");
        refusedWith("Code1005.xml", "parameter 'ws.shutdown.status.code'", "1005 is a close code no close frame may carry");
        refusedWith("BusyPort.xml", "parameter 'inbound.ws.port'", "port " + squatter.getLocalPort() + " is already in use");
        refusedWith("BadStore.xml", "parameter 'wss.ssl.key.store.file'", "missing.jks does not exist");
        refusedWith("WrongPass.xml", "parameter 'wss.ssl.key.store.pass'", "wso2carbon.jks", "with this password");
        assertTrue(!TestHome.listening(noSequencePort) && !TestHome.listening(badStorePort) && !TestHome.listening(wrongPassPort));
    }

    @Test
    void aTransportSenderThatCannotStartSaysWhyAndItsClientsGet502() {
        assertTrue(log.messagesSince(0).stream().anyMatch(l -> l.startsWith("transport sender 'wss' not started")
                && l.contains("parameter ws.trust.store.Password") && l.contains("client-truststore.jks")),
                String.join("\n", log.messagesSince(0)));
        HandshakeAssertions.assertStatus(http, "ws://localhost:" + toWssPort + "/", 502);
    }

    @Test
    void theRestOfTheServerKeepsServing() throws Exception {
        WsClient c = WsClient.connect(http, "ws://localhost:" + goodPort + "/");
        c.ws.sendText("still here", true).join();
        assertEquals("still here", c.next());
    }

    @Test
    void aSuspendedEndpointIsDeployedWithoutListening() {
        assertTrue(log.messagesSince(0).stream().anyMatch(l -> l.contains("'Suspended'") && l.contains("suspended (not listening)")));
        assertTrue(!TestHome.listening(suspendedPort), "a suspended endpoint listens");
    }

    @Test
    void theFixedFileDeploys() throws Exception {
        refusedWith("Fixable.xml", "attribute 'sequence'", "'noSuchSeq'");
        home.write(DemoHome.INBOUND_DIR + "Fixable.xml", TestHome.inboundEndpoint("Fixable", fixablePort, "echoSeq"));
        // Axis2 scans every 10 s
        Await.until(Duration.ofSeconds(40), () -> TestHome.listening(fixablePort), "the fixed Fixable.xml listening");
        WsClient c = WsClient.connect(http, "ws://localhost:" + fixablePort + "/");
        c.ws.sendText("fixed", true).join();
        assertEquals("fixed", c.next());
    }

    @Test
    void aChangeThatKeepsTheListenerKeepsItsConnectionsOpen() throws Exception {
        WsClient kept = WsClient.connect(http, "ws://localhost:" + changingPort + "/");
        kept.ws.sendText("before", true).join();
        assertEquals("before", kept.next());
        // the same port and TLS settings, another sequence: an update, not a restart
        int from = log.events.size();
        home.write(DemoHome.INBOUND_DIR + "Changing.xml", TestHome.inboundEndpoint("Changing", changingPort, "answerSeq"));
        // Axis2 scans every 10 s
        Await.until(Duration.ofSeconds(40), () -> log.messagesSince(from).stream().anyMatch(l -> l.contains("'Changing' updated")),
                "'Changing' updated");
        assertTrue(log.messagesSince(from).stream().anyMatch(l -> l.contains("'Changing' updated") && l.contains("open connections kept")),
                String.join("\n", log.messagesSince(from)));
        // the open connection was not closed and still relays (its lane was chosen when it opened) ...
        kept.ws.sendText("after", true).join();
        assertEquals("after", kept.next());
        assertTrue(!kept.closed.isDone(), "closed: " + kept.closed.getNow(null));
        // ... and a new one gets the new sequence
        WsClient fresh = WsClient.connect(http, "ws://localhost:" + changingPort + "/");
        fresh.ws.sendText("hello", true).join();
        assertEquals("reconfigured", fresh.next());
    }
}
