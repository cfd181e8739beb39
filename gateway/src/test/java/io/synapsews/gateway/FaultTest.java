package io.synapsews.gateway;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.synapsews.testing.Await;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Faults on either side: a backend killed mid-stream, a backend that answers the handshake and then
 * sends garbage, a client that vanishes without a close, and a thousand clients connecting and dropping
 * in every way, three times over. After each: no connection left open on the gateway (its
 * {@code synapsews_connections_open} gauge) or on the backend, and at the end no more threads or open
 * sockets than after the first round. Leaked buffers fail the class through the leak detector.
 */
class FaultTest {

    private static final String PYTHON = "/usr/bin/python3";
    private static final int CLIENTS = 1000;

    @TempDir
    static Path tmp;

    static EchoBackend backend;
    static Gateway gateway;
    static TestHome home;
    static RawBackend garbageBackend;
    static Process pythonBackend;
    static int echoPort;
    static int garbagePort;
    static int pythonPort;
    static final HttpClient http = HttpClient.newHttpClient();
    static final List<int[]> churnRounds = new ArrayList<>(); // {threads, sockets} after each round

    @BeforeAll
    static void start() throws Exception {
        backend = new EchoBackend(0);
        home = TestHome.relayingTo(tmp.resolve("home").toFile(), backend.url());
        echoPort = home.addInboundEndpoint("Faults", "echoSeq", "");

        garbageBackend = new RawBackend(FaultTest::garbage);
        home.addSendSequence("garbageSeq", garbageBackend.url());
        garbagePort = home.addInboundEndpoint("Garbage", "garbageSeq", "");

        pythonBackend = startPython();
        int pyBackendPort = Integer.parseInt(new BufferedReader(
                new InputStreamReader(pythonBackend.getInputStream(), StandardCharsets.UTF_8)).readLine().trim());
        home.addSendSequence("pySeq", "ws://127.0.0.1:" + pyBackendPort + "/");
        pythonPort = home.addInboundEndpoint("Killed", "pySeq", "");
        gateway = Gateway.start(home.dir);
    }

    @AfterAll
    static void stop() throws Exception {
        if (pythonBackend != null) {
            pythonBackend.destroyForcibly();
        }
        TestHome.closeAll(gateway, backend, garbageBackend);
    }

    private static Process startPython() throws IOException {
        File script = tmp.resolve("echo_server.py").toFile();
        try (InputStream in = FaultTest.class.getResourceAsStream("/python/echo_server.py")) {
            Files.copy(in, script.toPath());
        }
        return new ProcessBuilder(PYTHON, script.getPath()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    /** After the upgrade, waits for the first message the gateway relays and answers with bytes that are no frame. */
    private static void garbage(Socket s, InputStream in) throws IOException {
        in.read();
        s.getOutputStream().write(new byte[] {(byte) 0xFF, (byte) 0xFE, 0x7F, 0x01, 0x02, 0x03});
        s.getOutputStream().flush();
        RawBackend.silent(s, in);
    }

    /** The gateway's count of open client connections on an endpoint, from /metrics. */
    private static int gatewayOpen(String endpoint) throws Exception {
        String metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + home.analyticsPort + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Matcher m = Pattern.compile("synapsews_connections_open\\{endpoint=\"" + endpoint + "\"\\} (\\d+)").matcher(metrics);
        // a missing line is not "none open": the metric or the endpoint's name changed, and the test must say so
        assertTrue(m.find(), "no synapsews_connections_open line for " + endpoint + " in /metrics:\n" + metrics);
        return Integer.parseInt(m.group(1));
    }

    /** Waits until neither the gateway nor the echo backend holds a connection of {@code endpoint}. */
    private static void allClosed(String endpoint, boolean echoBackend) throws Exception {
        Await.until(Duration.ofSeconds(20), () -> gatewayOpen(endpoint) == 0 && (!echoBackend || backend.openConnections() == 0),
                ok -> ok, "no connections of " + endpoint + " left");
        assertEquals(0, gatewayOpen(endpoint), "client connections the gateway still holds on " + endpoint);
        if (echoBackend) {
            assertEquals(0, backend.openConnections(), "backend connections still open");
        }
    }

    private static int threads() {
        return ManagementFactory.getThreadMXBean().getThreadCount();
    }

    /** The fewest open sockets seen over two seconds: closes still under way settle, a leak does not. */
    private static int settledSockets() throws Exception {
        int least = Integer.MAX_VALUE;
        for (int i = 0; i < 20; i++) {
            least = Math.min(least, sockets());
            Thread.sleep(100);
        }
        return least;
    }

    /**
     * Open sockets of this JVM (the descriptors a leaked channel would keep; jar files the class loader
     * opens on the way are not counted).
     */
    private static int sockets() throws IOException {
        File[] fds = new File("/proc/self/fd").listFiles();
        int n = 0;
        for (File fd : fds == null ? new File[0] : fds) {
            try {
                if (Files.readSymbolicLink(fd.toPath()).toString().startsWith("socket:")) {
                    n++;
                }
            } catch (IOException gone) {
                // closed while we looked
            }
        }
        return n;
    }

    @Test
    void aBackendSendingGarbageAfterTheHandshakeCloses1014() throws Exception {
        try (RawWs ws = RawWs.connect(garbagePort, "/")) {
            ws.text("hello");
            RawWs.Frame close = ws.awaitClose();
            assertNotNull(close, "no close frame");
            assertEquals(1014, close.closeCode(), close.toString());
        }
        allClosed("Garbage", false);
    }

    @Test
    void aClientVanishingWithoutACloseClosesItsBackendWith1001() throws Exception {
        while (backend.nextClose(100, TimeUnit.MILLISECONDS) != null) {
            // earlier closes
        }
        RawWs ws = RawWs.connect(echoPort, "/");
        ws.text("here");
        assertEquals("here", ws.readMessage().text());
        ws.socket.setSoLinger(true, 0); // a reset, not a FIN: the client is gone
        ws.close();
        String close = backend.nextClose(10, TimeUnit.SECONDS);
        assertNotNull(close, "the backend got no close");
        assertTrue(close.startsWith("1001"), close);
        allClosed("Faults", true);
    }

    @Test
    void aBackendKilledMidStreamCloses1014AndNothingIsLeft() throws Exception {
        try (RawWs ws = RawWs.connect(pythonPort, "/")) {
            AtomicBoolean sending = new AtomicBoolean(true);
            AtomicInteger sent = new AtomicInteger();
            Thread sender = new Thread(() -> {
                try {
                    while (sending.get()) {
                        ws.text("message " + sent.incrementAndGet());
                        Thread.sleep(1);
                    }
                } catch (Exception e) {
                    // the gateway closed the connection
                }
            });
            sender.start();
            RawWs.Frame f;
            int echoed = 0;
            while ((f = ws.read()) != null && f.opcode != RawWs.CLOSE) {
                if (++echoed == 200) {
                    pythonBackend.destroyForcibly(); // SIGKILL while messages are in flight both ways
                }
            }
            sending.set(false);
            sender.join(5000);
            assertTrue(echoed >= 200, "echoed " + echoed);
            assertNotNull(f, "the gateway ended the connection without a close frame");
            assertEquals(1014, f.closeCode(), f.toString());
        }
        allClosed("Killed", false);
    }

    @Test
    void aThousandClientsConnectingAndDroppingThreeTimesLeaveNothingBehind() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            for (int round = 0; round < 3; round++) {
                List<Future<?>> done = new ArrayList<>();
                for (int i = 0; i < CLIENTS; i++) {
                    int way = i % 4;
                    done.add(pool.submit(() -> {
                        RawWs ws = RawWs.connect(echoPort, "/churn");
                        switch (way) {
                            case 0: // a clean close
                                ws.text("bye");
                                ws.readMessage();
                                ws.send(true, 0, RawWs.CLOSE, RawWs.closePayload(1000, new byte[0]));
                                ws.awaitClose();
                                break;
                            case 1: // FIN with a message still on its way back
                                ws.text("gone");
                                break;
                            case 2: // reset right after the handshake
                                ws.socket.setSoLinger(true, 0);
                                break;
                            default: // half a fragmented message, then a reset
                                ws.send(false, 0, RawWs.TEXT, "half".getBytes(StandardCharsets.UTF_8));
                                ws.socket.setSoLinger(true, 0);
                                break;
                        }
                        ws.close();
                        return null;
                    }));
                }
                for (Future<?> f : done) {
                    f.get(60, TimeUnit.SECONDS);
                }
                allClosed("Faults", true);
                System.gc();
                churnRounds.add(new int[] {threads(), settledSockets()});
            }
        } finally {
            pool.shutdownNow();
        }
        int[] first = churnRounds.get(0);
        int[] last = churnRounds.get(churnRounds.size() - 1);
        System.out.println("churn: threads and sockets after each round of " + CLIENTS + " clients: "
                + churnRounds.stream().map(r -> r[0] + "/" + r[1]).reduce((a, b) -> a + ", " + b).orElse(""));
        // the first round starts every pool's threads; later rounds must not add any, nor keep sockets
        assertTrue(last[0] <= first[0] + 2, "threads grew from " + first[0] + " to " + last[0]);
        assertTrue(last[1] <= first[1] + 5, "sockets grew from " + first[1] + " to " + last[1]);
    }
}
