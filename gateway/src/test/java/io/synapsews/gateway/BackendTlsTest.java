package io.synapsews.gateway;

import java.io.File;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Map;
import java.util.function.Function;

import javax.net.ssl.KeyManagerFactory;

import com.nimbusds.jose.util.JSONObjectUtils;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
    static EchoBackend trusted;
    static TestHome home;
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
        File trustedStore = new File(dir, "trusted.jks");
        KeyStores.selfSigned(trustedStore, "trusted", "secret", "dns:localhost,ip:127.0.0.1", null, 30);
        trusted = new EchoBackend(0, tls(trustedStore));

        home = new TestHome(tmp.resolve("home").toFile(), "ws://127.0.0.1:1/");
        home.withoutAuth();
        String trust = "repository/resources/security/client-truststore.jks";
        // the first two are trusted: only their name or their dates are wrong
        KeyStores.trustStoreFor(wrongNameStore, "wrongname", "secret", new File(home.dir, trust));
        KeyStores.trustStoreFor(expiredStore, "expired", "secret", new File(home.dir, trust));
        KeyStores.trustStoreFor(trustedStore, "trusted", "secret", new File(home.dir, trust));
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
        TestHome.closeAll(gateway, wrongName, expired, unknown, trusted);
    }

    /** The handshake through {@code port} gets 502, and a log line of the failure contains {@code why}. */
    private static void refusedBecause(int port, String why) {
        HandshakeAssertions.assertStatusLogging(http, log, "ws://localhost:" + port + "/", 502, why);
    }

    /**
     * The console's endpoint Test (publisher {@code validate-endpoint}) trusts what the wss sender trusts: a
     * certificate of its trust store passes, the three above do not, each with the reason.
     */
    @Test
    void theEndpointTestTrustsWhatTheSenderTrusts() throws Exception {
        File trust = tmp.resolve("management-trust.jks").toFile();
        KeyStores.trustStoreFor(home.keyStore, "wso2carbon", "wso2carbon", trust);
        HttpClient https = HttpClient.newBuilder().sslContext(TestHome.trusting(trust)).build();
        Function<String, Map<String, Object>> test = url -> {
            try {
                HttpResponse<String> r = https.send(HttpRequest.newBuilder(URI.create(
                        "https://localhost:" + home.managementPort + "/api/am/publisher/v4/apis/validate-endpoint?endpointUrl="
                                + URLEncoder.encode(url, StandardCharsets.UTF_8)))
                        .header("Authorization", "Basic YWRtaW46YWRtaW4=").POST(HttpRequest.BodyPublishers.noBody()).build(),
                        HttpResponse.BodyHandlers.ofString());
                return r.statusCode() == 200 ? JSONObjectUtils.parse(r.body()) : Map.of("status", r.statusCode());
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        };
        Map<String, Object> ok = test.apply(trusted.url().replace("127.0.0.1", "localhost"));
        assertEquals(true, ok.get("isURLValid"), String.valueOf(ok));
        assertEquals(101L, ((Number) ok.get("statusCode")).longValue());
        for (EchoBackend refused : new EchoBackend[] {unknown, wrongName, expired}) {
            Map<String, Object> r = test.apply(refused.url().replace("127.0.0.1", "localhost"));
            assertEquals(false, r.get("isURLValid"), String.valueOf(r));
            assertTrue(String.valueOf(r.get("statusMessage")).contains("SSL"), String.valueOf(r));
        }
        Map<String, Object> dead = test.apply("ws://127.0.0.1:1/");
        assertEquals(0L, ((Number) dead.get("statusCode")).longValue(), String.valueOf(dead));
        // the key manager's port is HTTP but not WebSocket: its answer is reported
        Map<String, Object> notWs = test.apply("ws://localhost:" + home.keyManagerPort + "/oauth2/jwks");
        assertEquals(false, notWs.get("isURLValid"), String.valueOf(notWs));
        assertTrue(((Number) notWs.get("statusCode")).intValue() >= 200, String.valueOf(notWs));
        assertEquals(Map.of("status", 400), test.apply("http://localhost/"));
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
