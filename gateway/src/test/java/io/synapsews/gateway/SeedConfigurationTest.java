package io.synapsews.gateway;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The seed document's configuration pasted verbatim: the {@code transportSender} block of
 * {@code axis2.xml} and {@code SecureWebSocketInboundEndpoint.xml}, exactly as printed in
 * {@code shared/reference/compatibility.md} (copied into {@code src/test/resources/seed/}), with key
 * stores generated at the paths they name. The one change is the listen port: the seed's 8099 becomes a
 * free port, as every test port must. A wss client talks through them to a wss backend the
 * {@code ws.trust.store} of the block trusts.
 */
class SeedConfigurationTest {

    @TempDir
    static Path tmp;

    static EchoBackend backend;
    static Gateway gateway;
    static TestHome home;
    static HttpClient http;

    @BeforeAll
    static void start() throws Exception {
        // the seed's trust store password is wso2carbon; keytool gives the trust store the key store's
        File backendStore = tmp.resolve("backend.jks").toFile();
        KeyStores.selfSigned(backendStore, "backend", "wso2carbon");
        backend = new EchoBackend(0, serverTls(backendStore));
        home = new TestHome(tmp.resolve("home").toFile(), backend.url()); // wso2carbon.jks is made here
        home.withoutAuth();
        KeyStores.trustStoreFor(backendStore, "backend", "wso2carbon",
                new File(home.dir, "repository/resources/security/client-truststore.jks"));

        File axis2 = new File(home.dir, "repository/conf/axis2.xml");
        String xml = new String(Files.readAllBytes(axis2.toPath()), StandardCharsets.UTF_8);
        String withoutSenders = xml.replaceAll("(?s)\\s*<transportSender name=\"wss?\"[^>]*WebsocketTransportSender\">.*?</transportSender>", "");
        assertEquals(2, xml.split("WebsocketTransportSender\">", -1).length - 1, "the sample's two senders");
        assertEquals(1, withoutSenders.split("WebsocketTransportSender\">", -1).length, "the sample's senders removed");
        String seeded = withoutSenders.replace("</axisconfig>", seed("axis2-transport-senders.xml") + "</axisconfig>");
        assertTrue(seeded.contains("<ws.trust.store.location>repository/resources/security/client-truststore.jks"), "seed block not inserted");
        Files.write(axis2.toPath(), seeded.getBytes(StandardCharsets.UTF_8));

        String endpoint = seed("SecureWebSocketInboundEndpoint.xml");
        assertTrue(endpoint.contains("<parameter name=\"inbound.ws.port\">8099</parameter>"));
        home.write(DemoHome.INBOUND_DIR + "SecureWebSocketInboundEndpoint.xml",
                endpoint.replace(">8099<", ">" + home.wssPort + "<"));
        gateway = Gateway.start(home.dir);
        http = HttpClient.newBuilder().sslContext(trusting(home.keyStore)).build();
    }

    @AfterAll
    static void stop() throws Exception {
        TestHome.closeAll(gateway, backend);
    }

    private static String seed(String name) throws IOException {
        try (InputStream in = SeedConfigurationTest.class.getResourceAsStream("/seed/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static SslContext serverTls(File keyStore) throws Exception {
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(KeyStore.getInstance(keyStore, "wso2carbon".toCharArray()), "wso2carbon".toCharArray());
        return SslContextBuilder.forServer(kmf).build();
    }

    private static SSLContext trusting(File keyStore) throws Exception {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(KeyStore.getInstance(keyStore, "wso2carbon".toCharArray()));
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    @Test
    void aWssRoundTripGoesThroughTheSeedsFilesToAWssBackend() throws Exception {
        assertTrue(backend.url().startsWith("wss://"), backend.url());
        WsClient c = WsClient.connect(http, "wss://localhost:" + home.wssPort + "/echowebsocket/1.0");
        c.ws.sendText("through the seed ✓", true).join();
        assertEquals("through the seed ✓", c.next());
        byte[] data = {1, 2, 3, (byte) 0xFE};
        c.ws.sendBinary(ByteBuffer.wrap(data), true).join();
        assertArrayEquals(data, (byte[]) c.next());
        c.ws.sendClose(1000, "done").join();
        assertEquals("1000 done", backend.nextClose(10, TimeUnit.SECONDS));
    }
}
