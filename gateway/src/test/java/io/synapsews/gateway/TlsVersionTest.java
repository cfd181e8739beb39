package io.synapsews.gateway;

import java.io.File;
import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.synapsews.testing.Await;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * TLS 1.0 and 1.1 are refused on both legs by default: a client offering only those cannot complete
 * the wss handshake, and a backend speaking only those gets the client a 502 with a log line that
 * says why. The JDK in this JVM disables the old protocols itself, so the old-protocol peers are
 * OpenSSL's {@code s_client} and {@code s_server} (at security level 0, which lets them speak them),
 * and each test first shows that pair can speak the old protocol, so a refusal is the gateway's.
 */
class TlsVersionTest {

    @TempDir
    static Path tmp;

    static Gateway gateway;
    static TestHome home;
    static LogCapture log;
    static final HttpClient http = HttpClient.newHttpClient();
    static File pem;
    static final List<Process> servers = new ArrayList<>();
    static int tls11BackendPort;
    static int tls11EndpointPort;
    static int tls12BackendPort;
    static int tls12EndpointPort;

    @BeforeAll
    static void start() throws Exception {
        log = LogCapture.install();
        File store = new File(tmp.toFile(), "backend.p12");
        KeyStores.selfSigned(store, "backend", "secret", "dns:localhost,ip:127.0.0.1", null, 30);
        pem = new File(tmp.toFile(), "backend.pem");
        run(Arrays.asList("openssl", "pkcs12", "-in", store.getPath(), "-passin", "pass:secret", "-nodes",
                "-out", pem.getPath()), 0);

        home = new TestHome(tmp.resolve("home").toFile(), "ws://127.0.0.1:1/");
        home.withoutAuth();
        String trust = "repository/resources/security/client-truststore.jks";
        KeyStores.trustStoreFor(store, "backend", "secret", new File(home.dir, trust));
        home.setSenderTrustStore(trust, "secret");
        tls11BackendPort = TestHome.freePort();
        tls12BackendPort = TestHome.freePort();
        startServer(tls11BackendPort, "-tls1_1");
        startServer(tls12BackendPort, "-tls1_2");
        home.addSendSequence("tls11Seq", "wss://localhost:" + tls11BackendPort + "/");
        tls11EndpointPort = home.addInboundEndpoint("Tls11Backend", "tls11Seq", "");
        home.addSendSequence("tls12Seq", "wss://localhost:" + tls12BackendPort + "/");
        tls12EndpointPort = home.addInboundEndpoint("Tls12Backend", "tls12Seq", "");
        gateway = Gateway.start(home.dir);
    }

    @AfterAll
    static void stop() throws Exception {
        for (Process p : servers) {
            p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
        TestHome.closeAll(gateway);
    }

    /** An OpenSSL server on {@code port} speaking only {@code protocol}, answering HTTP with a status page. */
    private static void startServer(int port, String protocol) throws Exception {
        Process p = new ProcessBuilder("openssl", "s_server", "-accept", "127.0.0.1:" + port, protocol,
                "-cipher", "DEFAULT@SECLEVEL=0", "-cert", pem.getPath(), "-key", pem.getPath(), "-www", "-quiet")
                .redirectErrorStream(true).redirectOutput(new File(tmp.toFile(), "s_server" + port + ".log")).start();
        servers.add(p);
        Await.until(Duration.ofSeconds(10), () -> TestHome.listening(port),
                "openssl s_server " + protocol + " listening on " + port);
    }

    /** Runs a command, returns what it printed; fails unless it exits with {@code expectedExit} (-1: any). */
    private static String run(List<String> cmd, int expectedExit) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "still running: " + cmd);
        if (expectedExit >= 0 && p.exitValue() != expectedExit) {
            throw new IOException(cmd + " exited with " + p.exitValue() + ":\n" + out);
        }
        return out;
    }

    /** What {@code openssl s_client} prints when it connects to {@code port} offering only {@code protocol}. */
    private static String client(int port, String protocol) throws Exception {
        return run(Arrays.asList("openssl", "s_client", "-connect", "127.0.0.1:" + port, protocol,
                "-cipher", "DEFAULT@SECLEVEL=0", "-servername", "localhost"), -1);
    }

    private static boolean established(String clientOutput) {
        return clientOutput.contains("Cipher is") && !clientOutput.contains("Cipher is (NONE)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"-tls1", "-tls1_1"})
    void aClientOfferingOnlyAnOldProtocolCannotConnect(String protocol) throws Exception {
        String control = client(tls11BackendPort, "-tls1_1");
        assertTrue(established(control) && control.contains("TLSv1.1"), "OpenSSL here cannot speak TLS 1.1:\n" + control);
        String out = client(home.wssPort, protocol);
        assertTrue(!established(out) && out.toLowerCase().contains("protocol version"),
                "the gateway accepted " + protocol + ":\n" + out);
    }

    @Test
    void aClientOfferingTls12Connects() throws Exception {
        String out = client(home.wssPort, "-tls1_2");
        assertTrue(established(out) && out.contains("TLSv1.2"), out);
    }

    @Test
    void aBackendSpeakingOnlyTls11Is502WithTheReasonInTheLog() {
        HandshakeAssertions.assertStatusLogging(http, log, "ws://localhost:" + tls11EndpointPort + "/", 502,
                "wss://localhost:" + tls11BackendPort + "/: javax.net.ssl.SSLHandshakeException: Received fatal alert: protocol_version");
    }

    @Test
    void aBackendSpeakingTls12GetsAsFarAsTheUpgrade() {
        // the control for the test above: same certificate and trust, TLS 1.2; OpenSSL's status page is no
        // WebSocket, so the upgrade itself fails, after TLS
        HandshakeAssertions.assertStatusLogging(http, log, "ws://localhost:" + tls12EndpointPort + "/", 502,
                "refused the handshake: 200");
    }
}
