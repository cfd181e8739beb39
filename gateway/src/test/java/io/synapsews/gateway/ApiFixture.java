package io.synapsews.gateway;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocketHandshakeException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;

import no.nav.security.mock.oauth2.MockOAuth2Server;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The API gateway under test: the demo home with a test gateway configuration, a production and
 * a sandbox echo backend, a real OAuth2 server (mock-oauth2-server) and extra inbound endpoints,
 * one per way of validating tokens.
 */
final class ApiFixture implements AutoCloseable {

    static final String ISSUER_ID = "test-issuer";
    static final String AUDIENCE = "synapse-ws";

    final EchoBackend production = new EchoBackend(0);
    final EchoBackend sandbox = new EchoBackend(0);
    final MockOAuth2Server oauth = new MockOAuth2Server();
    final TestHome home;
    final File connectionLog;
    final int jwksPort;
    final int introspectionPort;
    final int keepPort;
    final int certificatePort;
    final int tinyPort;
    final int goldPort;
    final int tinyBothPort;
    final int tinyClosePort;
    final int metricsPort;
    final int spyPort;
    final int skewPort;
    /** The spy sequence behind endpoint guards: origins, trusted proxies and a deny list. */
    final int guardedPort;
    final int originApiPort;
    final int deadBackendPort;
    final int hangingJwksPort;
    final ServerSocket hangingJwks;
    final List<Socket> heldByHangingJwks = new CopyOnWriteArrayList<>();
    final HttpClient http = HttpClient.newHttpClient();
    final Gateway gateway;

    ApiFixture(Path tmp) throws Exception {
        oauth.start();
        home = new TestHome(tmp.resolve("home").toFile(), production.url());
        DemoHome.setSandboxBackend(home.dir, sandbox.url());
        home.addEndpoint("EchoWebSocketEndpoint", production.url()); // for this fixture's own sequences
        connectionLog = new File(home.dir, "repository/logs/websocket-connections.log");
        File pem = new File(home.dir, "repository/resources/security/key-manager.pem");
        KeyStores.exportCertificate(home.keyStore, "wso2carbon", "wso2carbon", pem);
        home.write("repository/conf/websocket-gateway.xml", gatewayConfig());

        String jwks = oauth.jwksUrl(ISSUER_ID).toString();
        String issuer = oauth.issuerUrl(ISSUER_ID).toString();
        String external = "jwksUrl=\"" + jwks + "\" issuer=\"" + issuer + "\" audience=\"" + AUDIENCE + "\" clockSkewSeconds=\"0\"";
        jwksPort = endpoint("Jwks", "<wsAuth api=\"ExternalApi\" version=\"1.0\" " + external + "/>", null);
        skewPort = endpoint("Skew", "<wsAuth api=\"ExternalApi\" version=\"1.0\" " + external.replace("clockSkewSeconds=\"0\"",
                "clockSkewSeconds=\"3\"") + "/>", null);
        keepPort = endpoint("Keep", "<wsAuth api=\"ExternalApi\" version=\"1.0\" " + external + " onExpiry=\"keep\"/>", null);
        introspectionPort = endpoint("Introspection", "<wsAuth api=\"ExternalApi\" version=\"1.0\" introspectionUrl=\""
                + oauth.issuerUrl(ISSUER_ID) + "/introspect\" introspectionClientId=\"gateway\" introspectionClientSecret=\"s\"/>", null);
        certificatePort = endpoint("Certificate", "<wsAuth api=\"EchoWebSocket\" version=\"1.0\" certificate=\""
                + "repository/resources/security/key-manager.pem\" issuer=\"http://localhost:" + home.keyManagerPort
                + "/oauth2/token\" audience=\"" + AUDIENCE + "\"/>", null);
        tinyPort = endpoint("Tiny", "<wsAuth api=\"TinyApi\" version=\"1.0\"/><wsThrottle onLimit=\"error\"/>", null);
        goldPort = endpoint("Gold", "<wsAuth api=\"GoldApi\" version=\"1.0\"/><wsThrottle/>", null);
        tinyBothPort = endpoint("TinyBoth", "<wsAuth api=\"TinyApi\" version=\"1.0\"/><wsThrottle/>", "<wsThrottle/>");
        tinyClosePort = endpoint("TinyClose", "<wsAuth api=\"TinyApi\" version=\"1.0\"/><wsThrottle onLimit=\"close\"/>", null);
        metricsPort = endpoint("Metrics", "<wsAuth api=\"EchoWebSocket\" version=\"1.0\"/>", null);
        spyPort = spyEndpoint();
        guardedPort = TestHome.freePort();
        home.write(DemoHome.INBOUND_DIR + "GuardedEndpoint.xml", TestHome.inboundEndpoint("GuardedEndpoint", guardedPort, "SpySeq")
                .replace("outflowDispatchSeq", "SpyOutSeq").replace("</parameters>",
                        "<parameter name=\"ws.allowed.origins\">https://app.example.com, https://*.example.org</parameter>"
                        + "<parameter name=\"ws.trusted.proxies\">127.0.0.1</parameter>"
                        + "<parameter name=\"ws.client.ip.deny\">203.0.113.0/24</parameter></parameters>"));
        originApiPort = endpoint("OriginApi", "<wsAuth api=\"EchoWebSocket\" version=\"1.0\""
                + " allowedOrigins=\"https://portal.example.com\"/>", null);
        int dead = TestHome.freePort();
        home.addSendSequence("DeadSeq", "ws://127.0.0.1:" + dead + "/");
        deadBackendPort = home.addInboundEndpoint("DeadEndpoint", "DeadSeq", "");
        // a JWKS server that accepts connections and never answers; its endpoint answers handshakes within 1 s
        hangingJwks = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(() -> {
            try {
                while (true) {
                    heldByHangingJwks.add(hangingJwks.accept());
                }
            } catch (IOException closed) {
                // closed with the fixture
            }
        }, "hanging-jwks");
        acceptor.setDaemon(true);
        acceptor.start();
        hangingJwksPort = endpoint("HangingJwks", "<wsAuth api=\"ExternalApi\" version=\"1.0\" jwksUrl=\"http://127.0.0.1:"
                + hangingJwks.getLocalPort() + "/jwks\" issuer=\"" + issuer + "\" audience=\"" + AUDIENCE + "\"/>", null,
                "<parameter name=\"ws.handshake.timeout.ms\">1000</parameter>");
        gateway = Gateway.start(home.dir);
    }

    private String gatewayConfig() {
        return "<gateway>\n"
                + "  <keyManager host=\"127.0.0.1\" port=\"" + home.keyManagerPort + "\" issuer=\"http://localhost:"
                + home.keyManagerPort + "/oauth2/token\" audience=\"" + AUDIENCE + "\""
                + " keyStore=\"repository/resources/security/wso2carbon.jks\" keyStorePassword=\"wso2carbon\" keyAlias=\"wso2carbon\"/>\n"
                // the demo's EchoWebSocket API, created at start by the management API from its definition
                + "  <management port=\"" + home.managementPort + "\" tls=\"false\" sequence=\"managedApisSeq\""
                + " importDir=\"repository/conf/apis\"/>\n"
                + "  <analytics host=\"127.0.0.1\" port=\"" + home.analyticsPort + "\" connectionLog=\"repository/logs/websocket-connections.log\"/>\n"
                + "  <tiers><tier name=\"Tiny\" messagesPerMinute=\"10\"/><tier name=\"Bytes\" bytesPerMinute=\"20\"/></tiers>\n"
                + "  <applications>\n"
                + "    <application name=\"DefaultApplication\" subscriber=\"admin\">\n"
                + "      <keys type=\"PRODUCTION\" clientId=\"" + DemoHome.PRODUCTION_CLIENT + "\" clientSecret=\"" + DemoHome.PRODUCTION_SECRET + "\"/>\n"
                + "      <keys type=\"SANDBOX\" clientId=\"" + DemoHome.SANDBOX_CLIENT + "\" clientSecret=\"" + DemoHome.SANDBOX_SECRET + "\"/>\n"
                + "      <subscription api=\"EchoWebSocket\" version=\"1.0\" tier=\"Gold\"/>\n"
                + "    </application>\n"
                + "    <application name=\"ExternalApp\"><keys clientId=\"external-client\"/>"
                + "<subscription api=\"ExternalApi\" version=\"1.0\"/></application>\n"
                + "    <application name=\"Unsubscribed\"><keys clientId=\"unsubscribed-client\"/>"
                + "<subscription api=\"ExternalApi\" version=\"2.0\"/></application>\n"
                + app("TinyA", "tiny-a", "TinyApi", "Tiny") + app("TinyB", "tiny-b", "TinyApi", "Tiny")
                + app("TinyC", "tiny-c", "TinyApi", "Tiny") + app("TinyD", "tiny-d", "TinyApi", "Tiny")
                + app("BytesApp", "bytes", "TinyApi", "Bytes")
                + app("GoldA", "gold-a", "GoldApi", "Gold") + app("GoldB", "gold-b", "GoldApi", "Gold")
                + "    <application name=\"Limited\" handshakesPerMinute=\"2\"><keys clientId=\"limited\" clientSecret=\"limited-secret\"/>"
                + "<subscription api=\"EchoWebSocket\" version=\"1.0\"/></application>\n"
                + app("MetricsApp", "metrics", "EchoWebSocket", "Gold")
                + "  </applications>\n</gateway>\n";
    }

    /** An application with production and sandbox keys ({@code id} and {@code id-sandbox}, secret {@code id-secret}). */
    private static String app(String name, String id, String api, String tier) {
        return "    <application name=\"" + name + "\">"
                + "<keys type=\"PRODUCTION\" clientId=\"" + id + "\" clientSecret=\"" + id + "-secret\"/>"
                + "<keys type=\"SANDBOX\" clientId=\"" + id + "-sandbox\" clientSecret=\"" + id + "-secret\"/>"
                + "<subscription api=\"" + api + "\" version=\"1.0\" tier=\"" + tier + "\"/></application>\n";
    }

    /**
     * A ws inbound endpoint {@code name} whose sequence runs {@code mediators} and then sends
     * production keys to the production backend (anything else gets 403); its outflow sequence
     * runs {@code outflowMediators} and responds.
     */
    private int endpoint(String name, String mediators, String outflowMediators) throws IOException {
        return endpoint(name, mediators, outflowMediators, "");
    }

    private int endpoint(String name, String mediators, String outflowMediators, String parameters) throws IOException {
        int port = TestHome.freePort();
        home.write("repository/conf/synapse-config/sequences/" + name + "Seq.xml",
                "<sequence xmlns=\"http://ws.apache.org/ns/synapse\" name=\"" + name + "Seq\">\n  " + mediators + "\n"
                        + "  <filter source=\"get-property('api.ut.keyType')\" regex=\"PRODUCTION\">\n"
                        + "    <then><send><endpoint key=\"EchoWebSocketEndpoint\"/></send></then>\n"
                        + "    <else><property name=\"HTTP_SC\" value=\"403\" scope=\"axis2\"/><respond/></else>\n"
                        + "  </filter>\n</sequence>\n");
        home.write("repository/conf/synapse-config/sequences/" + name + "OutSeq.xml",
                "<sequence xmlns=\"http://ws.apache.org/ns/synapse\" name=\"" + name + "OutSeq\">\n  "
                        + (outflowMediators == null ? "" : outflowMediators) + "<respond/>\n</sequence>\n");
        home.write(DemoHome.INBOUND_DIR + name + "Endpoint.xml", TestHome.inboundEndpoint(name + "Endpoint", port, name + "Seq")
                .replace("outflowDispatchSeq", name + "OutSeq").replace("</parameters>", parameters + "</parameters>"));
        return port;
    }

    /**
     * An endpoint whose sequence validates the token and then tells the production backend, as
     * handshake headers {@code X-Seen-*}, what it saw: the properties a policy reads, a plain header
     * property, and one value from the transport headers. Every key type goes to the production backend.
     */
    private int spyEndpoint() throws IOException {
        int port = TestHome.freePort();
        String[][] seen = {
            {"KeyType", "get-property('api.ut.keyType')"},
            {"Application", "get-property('api.ut.application.name')"},
            {"Path", "get-property('websocket.subscriber.path')"},
            {"Endpoint", "get-property('inbound.endpoint.name')"},
            {"Handshake", "get-property('websocket.source.handshake.present')"},
            {"OutOnly", "get-property('OUT_ONLY')"},
            {"Custom", "get-property('X-Custom')"},
            {"Transport", "get-property('transport', 'api.ut.keyType')"},
            {"ClientIp", "get-property('websocket.client.ip')"},
            {"ConnectionId", "get-property('websocket.connection.id')"},
        };
        StringBuilder props = new StringBuilder();
        for (String[] s : seen) {
            props.append("  <property name=\"websocket.custom.header.X-Seen-").append(s[0]).append("\" expression=\"")
                    .append(s[1]).append("\" scope=\"axis2\"/>\n");
        }
        home.write("repository/conf/synapse-config/sequences/SpySeq.xml",
                "<sequence xmlns=\"http://ws.apache.org/ns/synapse\" name=\"SpySeq\">\n"
                        + "  <wsAuth api=\"EchoWebSocket\" version=\"1.0\"/>\n" + props
                        + "  <send><endpoint key=\"EchoWebSocketEndpoint\"/></send>\n</sequence>\n");
        home.write("repository/conf/synapse-config/sequences/SpyOutSeq.xml",
                "<sequence xmlns=\"http://ws.apache.org/ns/synapse\" name=\"SpyOutSeq\"><respond/></sequence>\n");
        home.write(DemoHome.INBOUND_DIR + "SpyEndpoint.xml", TestHome.inboundEndpoint("SpyEndpoint", port, "SpySeq")
                .replace("outflowDispatchSeq", "SpyOutSeq"));
        return port;
    }

    String url(int port) {
        return "ws://localhost:" + port + "/api";
    }

    String demoUrl() {
        return "ws://localhost:" + home.wsPort + "/echowebsocket/1.0";
    }

    /** A token of the built-in key manager for the application keys {@code clientId}. */
    String keyManagerToken(String clientId, String secret) throws Exception {
        return Tokens.clientCredentials(tokenUrl(), clientId, secret);
    }

    String tokenUrl() {
        return "http://localhost:" + home.keyManagerPort + "/oauth2/token";
    }

    /** A JWT of the external OAuth2 server for {@code clientId}, valid for {@code seconds}. */
    String externalToken(String clientId, String audience, long seconds) {
        return oauth.issueToken(ISSUER_ID, clientId, audience, Map.of("client_id", clientId, "azp", clientId), seconds).serialize();
    }

    HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + home.analyticsPort + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Connecting is refused with an HTTP answer; returns it. */
    HttpResponse<?> refused(String url, Map<String, String> headers) {
        CompletionException e = assertThrows(CompletionException.class, () -> WsClient.connect(http, url, headers));
        assertTrue(e.getCause() instanceof WebSocketHandshakeException, "not a handshake failure: " + e.getCause());
        return ((WebSocketHandshakeException) e.getCause()).getResponse();
    }

    @Override
    public void close() {
        if (gateway != null) {
            gateway.close();
        }
        production.close();
        sandbox.close();
        oauth.shutdown();
        try {
            hangingJwks.close();
            for (Socket s : heldByHangingJwks) {
                s.close();
            }
        } catch (IOException e) {
            // closing anyway
        }
    }
}
