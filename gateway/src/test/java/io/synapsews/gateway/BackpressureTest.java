package io.synapsews.gateway;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A client that reads nothing while its backend streams 1 GiB: the gateway stops reading from the
 * backend, so memory stays bounded, and the stream completes once the client reads again.
 */
class BackpressureTest {

    private static final int SIZE = 1024 * 1024;
    private static final int COUNT = 1024;

    @TempDir
    static Path tmp;

    static StreamingBackend backend;
    static Gateway gateway;
    static int port;
    static int slowPort;
    static LogCapture log;

    @BeforeAll
    static void start() throws Exception {
        log = LogCapture.install();
        backend = new StreamingBackend(SIZE, COUNT);
        TestHome home = TestHome.relayingTo(tmp.resolve("home").toFile(), backend.url());
        port = home.addInboundEndpoint("StreamEndpoint", "echoSeq", "");
        slowPort = home.addInboundEndpoint("SlowEndpoint", "echoSeq",
                "<parameter name=\"ws.slow.consumer.policy\">close</parameter>"
                        + "<parameter name=\"ws.slow.consumer.pending.bytes\">1048576</parameter>"
                        + "<parameter name=\"ws.slow.consumer.timeout.ms\">1000</parameter>");
        gateway = Gateway.start(home.dir);
    }

    @AfterAll
    static void stop() throws Exception {
        TestHome.closeAll(gateway, backend);
    }

    private static long heapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    @Test
    void aClientThatReadsNothingStopsTheBackendAndMemoryStaysBounded() throws Exception {
        AtomicLong received = new AtomicLong();
        CompletableFuture<Void> all = new CompletableFuture<>();
        WebSocket.Listener listener = new WebSocket.Listener() {
            @Override
            public void onOpen(WebSocket ws) {
                // no request(): the client reads nothing until the test says so
            }

            @Override
            public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
                if (received.addAndGet(data.remaining()) == (long) SIZE * COUNT) {
                    all.complete(null);
                }
                ws.request(1);
                return null;
            }
        };
        long before = heapAfterGc();
        WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(URI.create("ws://localhost:" + port + "/"), listener).get(30, TimeUnit.SECONDS);
        Thread.sleep(5000);
        long stalledAt = backend.sentBytes.get();
        Thread.sleep(2000);
        long growth = heapAfterGc() - before;
        assertEquals(stalledAt, backend.sentBytes.get(), "the backend kept streaming into a client that reads nothing");
        assertTrue(stalledAt < 256L * 1024 * 1024, "the backend streamed " + (stalledAt >> 20) + " MiB before it was stopped");
        assertTrue(growth < 64L * 1024 * 1024, "heap grew " + (growth >> 20) + " MiB while the client read nothing");

        ws.request(1);
        all.get(120, TimeUnit.SECONDS);
        assertEquals((long) SIZE * COUNT, received.get());
        ws.sendClose(1000, "done").join();
    }

    @Test
    void theClosePolicyEndsASlowConsumerWith1008() throws Exception {
        int from = log.events.size();
        WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(URI.create("ws://localhost:" + slowPort + "/"), new WebSocket.Listener() {
                    @Override
                    public void onOpen(WebSocket webSocket) {
                        // reads nothing, ever
                    }
                }).get(30, TimeUnit.SECONDS);
        String lines = "";
        for (int i = 0; i < 100 && !lines.contains("code=1008"); i++) {
            Thread.sleep(100);
            lines = String.join("\n", log.messagesSince(from));
        }
        assertTrue(lines.contains("slow consumer") && lines.contains("code=1008"), lines);
        ws.abort();
    }
}
