package io.synapsews.gateway;

import java.io.File;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.security.KeyStore;

import javax.net.ssl.KeyManagerFactory;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;


/**
 * Backend certificates the gateway must not accept (wrongly named, expired, unknown issuer): the
 * client's handshake gets 502 and the log says why. Key stores are made by keytool at test time.
 */
class BackendTlsTest {

    @TempDir
    static Path tmp;

    static EchoBackend wrongName;
    static EchoBackend expired;
    static EchoBackend unknown;
    static Gateway gateway;
    static LogCapture log;
    static final HttpClient http = HttpClient.newHttpClient();
    static int wrongNamePort;
    static int expiredPort;
    static int unknownPort;

    @BeforeAll
    static void start() throws Exception {
        log = LogCapture.install();
        File dir = tmp.toFile();
        File wrongNameStore = new File(dir, "wrongname.jks");
        KeyStores.selfSigned(wrongNameStore, "wrongname", "secret", "dns:wrong.example.org", null, 30);
        File expiredStore = new File(dir, "expired.jks");
        KeyStores.selfSigned(expiredStore, "expired", "secret", "dns:localhost,ip:127.0.0.1", "-10d", 2);
        File unknownStore = new File(dir, "unknown.jks");
        KeyStores.selfSigned(unknownStore, "unknown", "secret", "dns:localhost,ip:127.0.0.1", null, 30);
        wrongName = new EchoBackend(0, tls(wrongNameStore));
        expired = new EchoBackend(0, tls(expiredStore));
        unknown = new EchoBackend(0, tls(unknownStore));

        TestHome home = new TestHome(tmp.resolve("home").toFile(), "ws://127.0.0.1:1/");
        home.withoutAuth();
        String trust = "repository/resources/security/client-truststore.jks";
        // the first two are trusted: only their name or their dates are wrong
        KeyStores.trustStoreFor(wrongNameStore, "wrongname", "secret", new File(home.dir, trust));
        KeyStores.trustStoreFor(expiredStore, "expired", "secret", new File(home.dir, trust));
        home.setSenderTrustStore(trust, "secret");
        wrongNamePort = endpoint(home, "WrongName", wrongName.url());
        expiredPort = endpoint(home, "Expired", expired.url());
        unknownPort = endpoint(home, "Unknown", unknown.url());
        gateway = Gateway.start(home.dir);
    }

    private static int endpoint(TestHome home, String name, String backendUrl) throws Exception {
        home.addSendSequence(name + "Seq", backendUrl.replace("127.0.0.1", "localhost"));
        return home.addInboundEndpoint(name, name + "Seq", "");
    }

    private static SslContext tls(File keyStore) throws Exception {
        KeyStore ks = KeyStore.getInstance(keyStore, "secret".toCharArray());
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "secret".toCharArray());
        return SslContextBuilder.forServer(kmf).build();
    }

    @AfterAll
    static void stop() throws Exception {
        TestHome.closeAll(gateway, wrongName, expired, unknown);
    }

    /** The handshake through {@code port} gets 502, and a log line of the failure contains {@code why}. */
    private static void refusedBecause(int port, String why) {
        HandshakeAssertions.assertStatusLogging(http, log, "ws://localhost:" + port + "/", 502, why);
    }

    @Test
    void aWronglyNamedBackendCertificateIs502() throws Exception {
        refusedBecause(wrongNamePort, "subject alternative");
    }

    @Test
    void anExpiredBackendCertificateIs502() throws Exception {
        refusedBecause(expiredPort, "expired");
    }

    @Test
    void aBackendCertificateOfAnUnknownIssuerIs502() throws Exception {
        refusedBecause(unknownPort, "certification path");
    }
}
