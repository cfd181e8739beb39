package io.synapsews.gateway;

import java.io.File;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.concurrent.CompletionException;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The wss inbound endpoint's TLS parameters, with real certificates made by keytool: a PKCS12 key
 * store (the demo's JKS one is exercised by the relay tests), client certificates with
 * {@code wss.ssl.client.auth} require and want against {@code wss.ssl.trust.store.file},
 * {@code wss.ssl.protocols}, {@code wss.ssl.cipher.suites}, and an unknown protocol refused at deploy
 * time with a log line naming the file and the parameter while the other endpoints run.
 */
class WssServerTlsTest {

    private static final String AES128 = "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256";
    private static final String AES256 = "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384";

    @TempDir
    static Path tmp;

    static EchoBackend backend;
    static Gateway gateway;
    static LogCapture log;
    static File serverStore;
    static File clientStore;
    static File strangerStore;
    static int pkcs12Port;
    static int requirePort;
    static int wantPort;
    static int tls13Port;
    static int cipherPort;
    static int brokenPort;

    @BeforeAll
    static void start() throws Exception {
        log = LogCapture.install();
        backend = new EchoBackend(0);
        TestHome home = TestHome.relayingTo(tmp.resolve("home").toFile(), backend.url());
        File security = new File(home.dir, "repository/resources/security");
        serverStore = new File(security, "server.p12");
        KeyStores.selfSigned(serverStore, "server", "secret");
        clientStore = new File(tmp.toFile(), "client.p12");
        KeyStores.selfSigned(clientStore, "client", "secret", "dns:client.example.org", null, 30);
        strangerStore = new File(tmp.toFile(), "stranger.p12");
        KeyStores.selfSigned(strangerStore, "stranger", "secret", "dns:stranger.example.org", null, 30);
        KeyStores.trustStoreFor(clientStore, "client", "secret", new File(security, "clients.jks"));

        String key = param("wss.ssl.key.store.file", "repository/resources/security/server.p12")
                + param("wss.ssl.key.store.pass", "secret");
        String trust = param("wss.ssl.trust.store.file", "repository/resources/security/clients.jks")
                + param("wss.ssl.trust.store.pass", "secret");
        pkcs12Port = wss(home, "Pkcs12", key);
        requirePort = wss(home, "Require", key + trust + param("wss.ssl.client.auth", "require"));
        wantPort = wss(home, "Want", key + trust + param("wss.ssl.client.auth", "want"));
        tls13Port = wss(home, "Tls13", key + param("wss.ssl.protocols", "TLSv1.3"));
        cipherPort = wss(home, "Cipher", key + param("wss.ssl.protocols", "TLSv1.2") + param("wss.ssl.cipher.suites", AES128));
        brokenPort = wss(home, "Broken", key + param("wss.ssl.protocols", "TLSv1.2,TLSv9"));
        gateway = Gateway.start(home.dir);
    }

    @AfterAll
    static void stop() throws Exception {
        TestHome.closeAll(gateway, backend);
    }

    private static String param(String name, String value) {
        return "<parameter name=\"" + name + "\">" + value + "</parameter>";
    }

    private static int wss(TestHome home, String name, String parameters) throws Exception {
        int port = TestHome.freePort();
        home.write(DemoHome.INBOUND_DIR + name + ".xml", TestHome.inboundEndpoint(name, port, "echoSeq")
                .replace("protocol=\"ws\"", "protocol=\"wss\"").replace("</parameters>", parameters + "</parameters>"));
        return port;
    }

    /** A client trusting the server's certificate, presenting {@code keyStore}'s (or none), with these TLS settings. */
    private static HttpClient client(File keyStore, String protocol, String cipher) throws Exception {
        KeyStore trust = KeyStore.getInstance(serverStore, "secret".toCharArray());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        KeyManagerFactory kmf = null;
        if (keyStore != null) {
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(KeyStore.getInstance(keyStore, "secret".toCharArray()), "secret".toCharArray());
        }
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        SSLParameters params = ctx.getDefaultSSLParameters();
        if (protocol != null) {
            params.setProtocols(new String[] {protocol});
        }
        if (cipher != null) {
            params.setCipherSuites(new String[] {cipher});
        }
        return HttpClient.newBuilder().sslContext(ctx).sslParameters(params).build();
    }

    private static void echoes(HttpClient http, int port) throws Exception {
        WsClient c = WsClient.connect(http, "wss://localhost:" + port + "/");
        c.ws.sendText("over tls", true).join();
        assertEquals("over tls", c.next());
        c.ws.sendClose(1000, "done").join();
    }

    /** The TLS handshake fails: an SSL failure in the cause chain, not any failure (a refused port, a 404). */
    private static void refused(HttpClient http, int port) {
        CompletionException e = assertThrows(CompletionException.class,
                () -> WsClient.connect(http, "wss://localhost:" + port + "/"), "the TLS handshake should have failed");
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SSLException) {
                return;
            }
        }
        throw new AssertionError("the connection failed, but not in its TLS handshake", e);
    }

    @Test
    void aPkcs12KeyStoreServes() throws Exception {
        echoes(client(null, null, null), pkcs12Port);
    }

    @Test
    void requireAcceptsATrustedClientCertificateOnly() throws Exception {
        echoes(client(clientStore, null, null), requirePort);
        refused(client(null, null, null), requirePort);
        refused(client(strangerStore, null, null), requirePort);
    }

    @Test
    void wantAcceptsClientsWithoutACertificateToo() throws Exception {
        echoes(client(clientStore, null, null), wantPort);
        echoes(client(null, null, null), wantPort);
    }

    @Test
    void noneNeverAsksForACertificate() throws Exception {
        // a client holding a certificate the server would not trust is still served: none does not ask
        echoes(client(strangerStore, null, null), pkcs12Port);
    }

    @Test
    void theProtocolsParameterLimitsTheTlsVersions() throws Exception {
        echoes(client(null, "TLSv1.3", null), tls13Port);
        refused(client(null, "TLSv1.2", null), tls13Port);
        echoes(client(null, "TLSv1.2", null), pkcs12Port);
    }

    @Test
    void theCipherSuitesParameterLimitsTheSuites() throws Exception {
        echoes(client(null, "TLSv1.2", AES128), cipherPort);
        refused(client(null, "TLSv1.2", AES256), cipherPort);
        echoes(client(null, "TLSv1.2", AES256), pkcs12Port);
    }

    @Test
    void anUnknownProtocolIsRefusedAtDeployTimeNamingTheFileAndTheParameter() throws Exception {
        String lines = String.join("\n", log.messagesSince(0));
        assertTrue(lines.contains("Broken.xml: parameter 'wss.ssl.protocols' unknown protocol 'TLSv9'"), lines);
        // refused, and the other endpoints of the same server serve (the tests above)
        assertFalse(TestHome.listening(brokenPort), "the broken endpoint listens on " + brokenPort);
    }
}
