package io.synapsews.gateway;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.KeyManagerFactory;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.synapsews.testing.Await;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The core relay through the embedded gateway, started from the demo configuration with free
 * ports: real clients (the JDK's, Python's websockets), real backends (Netty, Python), real TLS.
 */
class RelayEndToEndTest {

    private static final String PYTHON = "/usr/bin/python3";

    @TempDir
    static Path tmp;

    static EchoBackend backend;
    static Process pythonBackend;
    static TestHome home;
    static Gateway gateway;
    static HttpClient http;
    static int deadPort;
    static int pythonEndpointPort;
    static int silentEndpointPort;
    static ServerSocket silentBackend;
    static EchoBackend tlsBackend;
    static int xmlEndpointPort;
    static final int[] broadcastPorts = new int[3];
    static EchoBackend headersBackend;
    static int terminateEndpointPort;
    static int badCodeEndpointPort;
    static int headersEndpointPort;
    static int tlsEndpointPort;

    @BeforeAll
    static void start() throws Exception {
        backend = new EchoBackend(0);
        pythonBackend = startPythonBackend();
        int pythonBackendPort = Integer.parseInt(new BufferedReader(
                new InputStreamReader(pythonBackend.getInputStream(), StandardCharsets.UTF_8)).readLine().trim());
        home = new TestHome(tmp.resolve("home").toFile(), backend.url());
        home.withoutAuth();

        int unusedBackendPort = TestHome.freePort();
        home.addSendSequence("deadSeq", "ws://127.0.0.1:" + unusedBackendPort + "/");
        deadPort = home.addInboundEndpoint("DeadBackendEndpoint", "deadSeq", "");
        home.addSendSequence("pySeq", "ws://127.0.0.1:" + pythonBackendPort + "/");
        pythonEndpointPort = home.addInboundEndpoint("PythonBackendEndpoint", "pySeq", "");

        // a backend that accepts TCP connections and never answers the handshake
        silentBackend = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        home.addSendSequence("silentSeq", "ws://127.0.0.1:" + silentBackend.getLocalPort() + "/");
        silentEndpointPort = home.addInboundEndpoint("SilentBackendEndpoint", "silentSeq", "");

        // a wss backend whose certificate the wss sender trusts through ws.trust.store
        tlsBackend = new EchoBackend(0, serverTls(home.keyStore));
        String trustStore = "repository/resources/security/client-truststore.jks";
        KeyStores.trustStoreFor(home.keyStore, "wso2carbon", "wso2carbon", new File(home.dir, trustStore));
        home.setSenderTrustStore(trustStore, "wso2carbon");
        home.addSendSequence("tlsSeq", tlsBackend.url());
        tlsEndpointPort = home.addInboundEndpoint("TlsBackendEndpoint", "tlsSeq", "");

        // text messages built as XML, read with XPath and answered by the sequence itself
        home.write("repository/conf/synapse-config/sequences/xmlSeq.xml",
                "<sequence xmlns=\"http://ws.apache.org/ns/synapse\" name=\"xmlSeq\">\n"
                        + "  <filter source=\"get-property('websocket.source.handshake.present')\" regex=\"true\">\n"
                        + "    <then><drop/></then>\n"
                        + "    <else>\n"
                        + "      <payloadFactory><format><text xmlns=\"http://ws.apache.org/commons/ns/payload\">hello $1</text></format>\n"
                        + "        <args><arg expression=\"//name\"/></args></payloadFactory>\n"
                        + "      <respond/>\n"
                        + "    </else>\n"
                        + "  </filter>\n</sequence>\n");
        xmlEndpointPort = home.addInboundEndpoint("XmlEndpoint", "xmlSeq",
                "<parameter name=\"ws.default.content.type\">application/xml</parameter>");

        // broadcast levels 1 (everyone on the path) and 2 (everyone on the path but the sender)
        for (int level = 1; level <= 2; level++) {
            broadcastPorts[level] = home.addInboundEndpoint("Broadcast" + level, "dispatchSeq",
                    "<parameter name=\"ws.client.side.broadcast.level\">" + level + "</parameter>");
        }

        // handshake headers for the backend: one set by the sequence, one preserved from the client
        headersBackend = new EchoBackend(0);
        home.addSenderParameter("ws", "<parameter name=\"ws.headers.preserve\">X-Client-Tag</parameter>");
        home.write("repository/conf/synapse-config/sequences/headersSeq.xml",
                "<sequence xmlns=\"http://ws.apache.org/ns/synapse\" name=\"headersSeq\">\n"
                        + "  <property name=\"websocket.custom.header.X-Tenant\" value=\"acme\" scope=\"axis2\"/>\n"
                        + "  <send><endpoint><address uri=\"" + headersBackend.url() + "\"/></endpoint></send>\n"
                        + "</sequence>\n");
        headersEndpointPort = home.addInboundEndpoint("HeadersEndpoint", "headersSeq", "");

        // a sequence that lets the handshake through and ends the connection on the first message
        home.write("repository/conf/synapse-config/sequences/terminateSeq.xml",
                "<sequence xmlns=\"http://ws.apache.org/ns/synapse\" name=\"terminateSeq\">\n"
                        + "  <filter source=\"get-property('websocket.source.handshake.present')\" regex=\"true\">\n"
                        + "    <then><send><endpoint><address uri=\"" + backend.url() + "\"/></endpoint></send></then>\n"
                        + "    <else>\n"
                        + "      <property name=\"connection.terminate\" value=\"true\" scope=\"axis2\"/>\n"
                        + "      <property name=\"websocket.close.code\" value=\"4005\" scope=\"axis2\"/>\n"
                        + "      <property name=\"websocket.reason.text\" value=\"policy\" scope=\"axis2\"/>\n"
                        + "      <respond/>\n"
                        + "    </else>\n"
                        + "  </filter>\n</sequence>\n");
        terminateEndpointPort = home.addInboundEndpoint("TerminateEndpoint", "terminateSeq", "");
        // a code no close frame may carry, and a reason past the 123 bytes a close frame has room for
        home.write("repository/conf/synapse-config/sequences/badCodeSeq.xml",
                "<sequence xmlns=\"http://ws.apache.org/ns/synapse\" name=\"badCodeSeq\">\n"
                        + "  <filter source=\"get-property('websocket.source.handshake.present')\" regex=\"true\">\n"
                        + "    <then><send><endpoint><address uri=\"" + backend.url() + "\"/></endpoint></send></then>\n"
                        + "    <else>\n"
                        + "      <property name=\"connection.terminate\" value=\"true\" scope=\"axis2\"/>\n"
                        + "      <property name=\"websocket.close.code\" value=\"1005\" scope=\"axis2\"/>\n"
                        + "      <property name=\"websocket.reason.text\" value=\"" + "\u00e9".repeat(100) + "\" scope=\"axis2\"/>\n"
                        + "      <respond/>\n"
                        + "    </else>\n"
                        + "  </filter>\n</sequence>\n");
        badCodeEndpointPort = home.addInboundEndpoint("BadCodeEndpoint", "badCodeSeq", "");

        gateway = Gateway.start(home.dir);
        http = HttpClient.newBuilder().sslContext(TestHome.trusting(home.keyStore)).build();
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (backend != null) {
            backend.close();
        }
        if (tlsBackend != null) {
            tlsBackend.close();
        }
        if (headersBackend != null) {
            headersBackend.close();
        }
        if (pythonBackend != null) {
            pythonBackend.destroyForcibly();
        }
        if (silentBackend != null) {
            try {
                silentBackend.close();
            } catch (IOException ignored) {
                // closing a test socket
            }
        }
    }

    private String api() {
        return api("ws");
    }

    private String api(String scheme) {
        int port = "wss".equals(scheme) ? home.wssPort : home.wsPort;
        return scheme + "://localhost:" + port + "/echowebsocket/1.0";
    }

    @ParameterizedTest
    @ValueSource(strings = {"ws", "wss"})
    void textAndBinaryComeBackByteForByte(String scheme) throws Exception {
        WsClient c = WsClient.connect(http, api(scheme));
        c.ws.sendText("héllo wörld ✓ \u0000 end", true).join();
        assertEquals("héllo wörld ✓ \u0000 end", c.next());
        byte[] data = new byte[256];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) i;
        }
        c.ws.sendBinary(ByteBuffer.wrap(data), true).join();
        assertArrayEquals(data, (byte[]) c.next());
        c.ws.sendClose(1000, "done").join();
        assertTrue(c.closeWithin(5).startsWith("1000"));
    }

    @Test
    void aWssBackendTrustedThroughTheSendersTrustStore() throws Exception {
        WsClient c = WsClient.connect(http, "ws://localhost:" + tlsEndpointPort + "/secure-backend");
        c.ws.sendText("to a TLS backend", true).join();
        assertEquals("to a TLS backend", c.next());
        c.ws.sendClose(1000, "").join();
    }

    @ParameterizedTest
    @ValueSource(strings = {"ws", "wss"})
    void aOneMebibyteMessage(String scheme) throws Exception {
        WsClient c = WsClient.connect(http, api(scheme));
        byte[] data = new byte[1024 * 1024];
        new Random(1).nextBytes(data);
        c.ws.sendBinary(ByteBuffer.wrap(data), true).join();
        assertArrayEquals(data, (byte[]) c.next());
        StringBuilder sb = new StringBuilder();
        while (sb.length() < 1024 * 1024) {
            sb.append("0123456789abcdef");
        }
        c.ws.sendText(sb, true).join();
        assertEquals(sb.toString(), c.next());
        c.ws.sendClose(1000, "").join();
    }

    @ParameterizedTest
    @ValueSource(strings = {"ws", "wss"})
    void aMessageSentInFiveFragmentsArrivesWhole(String scheme) throws Exception {
        WsClient c = WsClient.connect(http, api(scheme));
        for (int i = 0; i < 4; i++) {
            c.ws.sendText("part" + i + "-", false).join();
        }
        c.ws.sendText("last", true).join();
        assertEquals("part0-part1-part2-part3-last", c.next());
        c.ws.sendClose(1000, "").join();
    }

    @ParameterizedTest
    @ValueSource(strings = {"ws", "wss"})
    void aPingGetsItsPong(String scheme) throws Exception {
        WsClient c = WsClient.connect(http, api(scheme));
        c.ws.sendPing(ByteBuffer.wrap("ping-1".getBytes(StandardCharsets.UTF_8))).join();
        ByteBuffer pong = c.pongs.poll(10, TimeUnit.SECONDS);
        assertNotNull(pong, "no pong");
        assertEquals("ping-1", StandardCharsets.UTF_8.decode(pong).toString());
        c.ws.sendClose(1000, "").join();
    }

    @Test
    void theClientGetsTheSubprotocolTheBackendChose() throws Exception {
        WsClient c = new WsClient();
        // the echo backend speaks graphql-ws but not mqtt: the second offer is the backend's choice
        c.ws = http.newWebSocketBuilder().subprotocols("mqtt", "graphql-ws")
                .buildAsync(URI.create(api()), c).get(30, TimeUnit.SECONDS);
        assertEquals("graphql-ws", c.ws.getSubprotocol());
        c.ws.sendText("with a subprotocol", true).join();
        assertEquals("with a subprotocol", c.next());
        c.ws.sendClose(1000, "").join();

        WsClient none = WsClient.connect(http, api());
        assertEquals("", none.ws.getSubprotocol());
        none.ws.sendClose(1000, "").join();
    }

    @Test
    void broadcastLevelOneReachesEveryClientOnThePathIncludingTheSender() throws Exception {
        String room = "ws://localhost:" + broadcastPorts[1] + "/echowebsocket/1.0/room";
        WsClient a = WsClient.connect(http, room);
        WsClient b = WsClient.connect(http, room);
        WsClient elsewhere = WsClient.connect(http, "ws://localhost:" + broadcastPorts[1] + "/echowebsocket/1.0/other");
        a.ws.sendText("to the room", true).join();
        assertEquals("to the room", a.next());
        assertEquals("to the room", b.next());
        elsewhere.ws.sendText("other path", true).join();
        // had the room message leaked to another path, it would be queued before this one
        assertEquals("other path", elsewhere.next());
        for (WsClient c : new WsClient[] {a, b, elsewhere}) {
            c.ws.sendClose(1000, "").join();
        }
    }

    @Test
    void broadcastLevelTwoReachesEveryClientOnThePathButTheSender() throws Exception {
        String room = "ws://localhost:" + broadcastPorts[2] + "/echowebsocket/1.0/room";
        WsClient a = WsClient.connect(http, room);
        WsClient b = WsClient.connect(http, room);
        a.ws.sendText("from a", true).join();
        assertEquals("from a", b.next());
        b.ws.sendText("from b", true).join();
        // had "from a" come back to a, it would be queued before b's message
        assertEquals("from b", a.next());
        a.ws.sendClose(1000, "").join();
        b.ws.sendClose(1000, "").join();
    }

    @Test
    void theBackendHandshakeCarriesCustomAndPreservedHeaders() throws Exception {
        WsClient c = new WsClient();
        c.ws = http.newWebSocketBuilder().header("X-Client-Tag", "blue").header("X-Not-Preserved", "secret")
                .buildAsync(URI.create("ws://localhost:" + headersEndpointPort + "/h"), c).get(30, TimeUnit.SECONDS);
        HttpHeaders seen = headersBackend.nextHandshake(10, TimeUnit.SECONDS);
        assertNotNull(seen, "the backend saw no handshake");
        assertEquals("acme", seen.get("X-Tenant"), "backend handshake headers: " + seen);
        assertEquals("blue", seen.get("X-Client-Tag"));
        assertEquals(null, seen.get("X-Not-Preserved"));
        c.ws.sendClose(1000, "").join();
    }

    @Test
    void aSequenceEndsTheConnectionWithItsOwnCodeAndTheBackendIsClosedToo() throws Exception {
        WsClient c = WsClient.connect(http, "ws://localhost:" + terminateEndpointPort + "/t");
        while (backend.nextClose(0, TimeUnit.SECONDS) != null) {
            // drop closes left by earlier tests
        }
        c.ws.sendText("anything", true).join();
        assertEquals("4005 policy", c.closeWithin(10));
        assertEquals("1001 client gone", backend.nextClose(10, TimeUnit.SECONDS));
    }

    @Test
    void aSequenceAskingForACodeNoFrameMayCarryGets1011AndAReasonThatFits() throws Exception {
        WsClient c = WsClient.connect(http, "ws://localhost:" + badCodeEndpointPort + "/t");
        c.ws.sendText("anything", true).join();
        // 61 two-byte characters are the most of them that fit in 123 bytes
        assertEquals("1011 " + "\u00e9".repeat(61), c.closeWithin(10));
    }

    @Test
    void hundredClientsGetExactlyTheirOwnHundredMessagesInOrder() throws Exception {
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (int client = 0; client < 100; client++) {
            int id = client;
            all.add(CompletableFuture.runAsync(() -> {
                try {
                    WsClient c = WsClient.connect(http, api());
                    for (int m = 0; m < 100; m++) {
                        c.ws.sendText("client-" + id + "-msg-" + m, true).join();
                    }
                    for (int m = 0; m < 100; m++) {
                        assertEquals("client-" + id + "-msg-" + m, c.next());
                    }
                    c.ws.sendClose(1000, "").join();
                } catch (InterruptedException e) {
                    throw new CompletionException(e);
                }
            }));
        }
        CompletableFuture.allOf(all.toArray(new CompletableFuture<?>[0])).get(120, TimeUnit.SECONDS);
    }

    @Test
    void textBuiltAsXmlIsReadByXPathAndTheChangedPayloadReachesTheClient() throws Exception {
        WsClient c = WsClient.connect(http, "ws://localhost:" + xmlEndpointPort + "/xml");
        c.ws.sendText("<greet><name>Ada</name></greet>", true).join();
        assertEquals("hello Ada", c.next());
        c.ws.sendText("<greet><name>Grace</name></greet>", true).join();
        assertEquals("hello Grace", c.next());
        c.ws.sendClose(1000, "").join();
    }

    @Test
    void aClientCloseCodeAndReasonReachTheBackend() throws Exception {
        WsClient c = WsClient.connect(http, api());
        c.ws.sendText("before close", true).join();
        assertEquals("before close", c.next());
        while (backend.nextClose(0, TimeUnit.SECONDS) != null) {
            // drop closes left by earlier tests
        }
        c.ws.sendClose(4001, "bye").join();
        assertEquals("4001 bye", backend.nextClose(10, TimeUnit.SECONDS));
    }

    @Test
    void aBackendCloseCodeReachesTheClient() throws Exception {
        WsClient c = WsClient.connect(http, api());
        c.ws.sendText("!close 4002 backend done", true).join();
        assertEquals("4002 backend done", c.closeWithin(10));
    }

    @Test
    void anUnreachableBackendFailsTheHandshakeWith502() {
        assertHandshakeStatus(502, "ws://localhost:" + deadPort + "/anything");
    }

    @Test
    void aBackendThatNeverAnswersTheHandshakeGives504() {
        assertHandshakeStatus(504, "ws://localhost:" + silentEndpointPort + "/slow");
    }

    @Test
    void anUnknownApiIsRejectedWith404() {
        assertHandshakeStatus(404, "ws://localhost:" + home.wsPort + "/nosuchapi/1.0");
    }

    /** The client's handshake is answered with {@code status} instead of 101. */
    private static void assertHandshakeStatus(int status, String url) {
        HandshakeAssertions.assertStatus(http, url, status);
    }

    @Test
    void thirdPartyClientOverWsAndWss() throws Exception {
        File script = resource("python/client.py", "client.py");
        File ca = tmp.resolve("ca.pem").toFile();
        KeyStores.exportCertificate(home.keyStore, "wso2carbon", "wso2carbon", ca);
        assertEquals("OK", runPython(script.getPath(), api()));
        assertEquals("OK", runPython(script.getPath(), "wss://localhost:" + home.wssPort + "/echowebsocket/1.0", ca.getPath()));
    }

    @Test
    void aKilledBackendClosesItsClientWith1014() throws Exception {
        WsClient c = WsClient.connect(http, "ws://localhost:" + pythonEndpointPort + "/echo");
        c.ws.sendText("through python", true).join();
        assertEquals("through python", c.next());
        pythonBackend.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        long killed = System.nanoTime();
        String close = c.closeWithin(10);
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
        assertTrue(close.startsWith("1014"), "closed with " + close);
        assertTrue(millis < 2000, "took " + millis + " ms");
    }

    @Test
    void endpointFilesAddedChangedAndRemovedAfterStartAreFollowed() throws Exception {
        int port = TestHome.freePort();
        File file = home.inboundFile("HotEndpoint");
        Files.write(file.toPath(), TestHome.inboundEndpoint("HotEndpoint", port, "dispatchSeq").getBytes(StandardCharsets.UTF_8));
        WsClient c = awaitListening(port);
        c.ws.sendText("hot", true).join();
        assertEquals("hot", c.next());

        // a changed port restarts the listener: its clients get 1001, the new port listens
        int newPort = TestHome.freePort();
        Files.write(file.toPath(), TestHome.inboundEndpoint("HotEndpoint", newPort, "dispatchSeq").getBytes(StandardCharsets.UTF_8));
        assertTrue(c.closeWithin(40).startsWith("1001"), "the client of the old listener was not closed with 1001");
        WsClient moved = awaitListening(newPort);
        moved.ws.sendText("moved", true).join();
        assertEquals("moved", moved.next());
        assertPortFree(port);

        // removing the file closes its clients with 1001 and frees the port
        assertTrue(file.delete());
        assertTrue(moved.closeWithin(40).startsWith("1001"), "the client was not closed with 1001");
        assertPortFree(newPort);
    }

    private static WsClient awaitListening(int port) throws InterruptedException {
        return Await.until(Duration.ofSeconds(40),
                () -> WsClient.connect(http, "ws://localhost:" + port + "/echowebsocket/1.0"), c -> true,
                "a WebSocket endpoint listening on port " + port);
    }

    private static void assertPortFree(int port) {
        assertFalse(TestHome.listening(port), "port " + port + " still accepts connections");
    }

    private static Process startPythonBackend() throws Exception {
        File script = resource("python/echo_server.py", "echo_server.py");
        return new ProcessBuilder(PYTHON, script.getPath()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    private static String runPython(String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(PYTHON);
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), "python client failed: " + out);
        return out;
    }

    private static File resource(String name, String fileName) throws Exception {
        File f = tmp.resolve(fileName).toFile();
        try (InputStream in = RelayEndToEndTest.class.getClassLoader().getResourceAsStream(name)) {
            Files.copy(in, f.toPath(), StandardCopyOption.REPLACE_EXISTING);
        }
        return f;
    }

    private static SslContext serverTls(File keyStore) throws Exception {
        KeyStore ks = KeyStore.getInstance(keyStore, "wso2carbon".toCharArray());
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(
                KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "wso2carbon".toCharArray());
        return SslContextBuilder.forServer(kmf).build();
    }
}
