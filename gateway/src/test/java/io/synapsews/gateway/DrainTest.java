package io.synapsews.gateway;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import io.synapsews.testing.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Graceful drain on shutdown: the gateway stops accepting, sends every client its shutdown close code
 * and message, closes the backends, waits up to {@code ws.shutdown.drain.time.ms} for clients to answer
 * and then forces the rest; afterwards none of its threads runs and none of its ports listens. (That the
 * launcher's JVM then exits on SIGTERM is {@link LauncherProcessTest}.)
 */
class DrainTest {

    @TempDir
    Path tmp;

    /**
     * Threads of this JVM by name, without the ones the JDK and the test harness own, and without
     * Synapse's {@code endpoint-jmx-stat-collector}: {@code EndpointView} keeps one scheduler per JVM in a
     * static field, started with the first endpoint and never stopped (the launcher's JVM still exits: it
     * stops from a shutdown hook).
     */
    private static Set<String> threads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(n -> !n.startsWith("HttpClient-") && !n.startsWith("ForkJoinPool") && !n.startsWith("process reaper")
                        && !n.startsWith("surefire") && !n.equals("Attach Listener") && !n.startsWith("Common-Cleaner")
                        && !n.startsWith("echo-backend") && !n.equals("endpoint-jmx-stat-collector"))
                .collect(Collectors.toCollection(TreeSet::new));
    }

    @Test
    void shutdownClosesEveryClientWithItsCodeForcesTheSilentOnesAndLeavesNothingRunning() throws Exception {
        Set<String> before = threads();
        try (EchoBackend backend = new EchoBackend(0)) {
            TestHome home = TestHome.relayingTo(tmp.resolve("home").toFile(), backend.url());
            int port = home.addInboundEndpoint("Draining", "echoSeq", "<parameter name=\"ws.shutdown.status.code\">1012</parameter>"
                    + "<parameter name=\"ws.shutdown.status.message\">restarting</parameter>"
                    + "<parameter name=\"ws.shutdown.drain.time.ms\">1500</parameter>");
            Gateway gateway = Gateway.start(home.dir);
            List<RawWs> polite = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                RawWs ws = RawWs.connect(port, "/");
                ws.text("hi " + i);
                assertEquals("hi " + i, ws.readMessage().text());
                polite.add(ws);
            }
            // a client that reads nothing and never answers a close
            RawWs silent = RawWs.connect(port, "/");
            silent.text("then silence");
            long start = System.nanoTime();
            Thread closer = new Thread(gateway::close, "test-closer");
            closer.start();
            for (RawWs ws : polite) {
                RawWs.Frame close = ws.awaitClose();
                assertNotNull(close, "no close frame");
                assertEquals(1012, close.closeCode());
                assertEquals("restarting", new String(close.payload, 2, close.payload.length - 2, StandardCharsets.UTF_8));
                ws.send(true, 0, RawWs.CLOSE, RawWs.closePayload(1012, new byte[0]));
                assertTrue(ws.endedWithin(5000), "the gateway kept an answered connection open");
                ws.close();
            }
            assertTrue(silent.endedWithin(10_000), "the silent client was never forced closed");
            silent.close();
            closer.join(30_000);
            long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            System.out.println("drain: closed 6 clients (one silent, drain time 1500 ms) in " + tookMillis + " ms");
            for (int i = 0; i < 6; i++) {
                String close = backend.nextClose(5, TimeUnit.SECONDS);
                assertNotNull(close, "backend leg " + i + " got no close");
            }
            for (int p : new int[] {port, home.wsPort, home.wssPort, home.analyticsPort, home.keyManagerPort}) {
                assertTrue(!TestHome.listening(p), "port " + p + " still listens");
            }
        }
        Set<String> left = new HashSet<>(Await.until(Duration.ofSeconds(10), DrainTest::threads,
                before::containsAll, "no threads but those from before the start"));
        left.removeAll(before);
        assertTrue(left.isEmpty(), "threads still running after shutdown: " + left);
    }
}
