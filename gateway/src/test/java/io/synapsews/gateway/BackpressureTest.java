package io.synapsews.gateway;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.netty.buffer.PooledByteBufAllocator;
import io.synapsews.testing.Await;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A peer that stops reading while the other side streams 1 GiB, on both lanes (frames relayed on the
 * event loops, and messages mediated) and in both directions: the gateway stops reading the streaming
 * side, so heap and pooled direct memory stay bounded, and the stream completes once the peer reads
 * again. Also the peers that would make the gateway write without reading anything back: a ping flood,
 * and a broadcast subscriber that stops reading.
 */
class BackpressureTest {

    private static final int SIZE = 1024 * 1024;
    private static final int COUNT = 1024;
    private static final long TOTAL = (long) SIZE * COUNT;
    private static final long BOUND = 64L * 1024 * 1024;
    /**
     * Client-to-backend frames are masked by Netty's encoder 8 bytes at a time, and the paranoid leak
     * detector every test runs with records a stack trace for each of those writes: about 1 MiB/s. So that
     * direction streams 16 MiB in 64 KiB frames, which is still far more than it may take before it stops
     * (the assertion is that it stops before the end), instead of 1 GiB.
     */
    private static final int SINK_COUNT = 256;
    /** 64 KiB frames: fine-grained progress, so a client the gateway keeps reading never looks stopped. */
    private static final int SINK_SIZE = 64 * 1024;

    /** How a connection's messages cross the gateway. */
    enum Lane { RELAYED, MEDIATED }

    @TempDir
    static Path tmp;

    static StreamingBackend streaming;
    static SinkBackend sink;
    static Gateway gateway;
    static int streamPort;
    static int streamRelayPort;
    static int sinkPort;
    static int sinkMediatedPort;
    static int slowPort;
    static int broadcastPort;
    static int lateSinkPort;
    static LogCapture log;

    @BeforeAll
    static void start() throws Exception {
        log = LogCapture.install();
        streaming = new StreamingBackend(SIZE, COUNT);
        sink = new SinkBackend();
        TestHome home = TestHome.relayingTo(tmp.resolve("home").toFile(), streaming.url());
        home.write("repository/conf/synapse-config/sequences/respondSeq.xml",
                "<sequence xmlns=\"http://ws.apache.org/ns/synapse\" name=\"respondSeq\"><respond/></sequence>\n");
        home.addSendSequence("sinkSeq", sink.url());
        home.write("repository/conf/synapse-config/sequences/sinkMediatedSeq.xml",
                "<sequence xmlns=\"http://ws.apache.org/ns/synapse\" name=\"sinkMediatedSeq\">\n"
                        + "  <property name=\"seen\" value=\"yes\"/>\n"
                        + "  <send><endpoint><address uri=\"" + sink.url() + "\"/></endpoint></send>\n</sequence>\n");
        String relayOut = "<parameter name=\"ws.outflow.dispatch.sequence\">respondSeq</parameter>";
        // outflowDispatchSeq (the sample's, with wsThrottle) is mediated; respondSeq is relayed
        streamPort = home.addInboundEndpoint("StreamEndpoint", "echoSeq", "");
        streamRelayPort = home.addInboundEndpoint("StreamRelayEndpoint", "echoSeq", relayOut);
        sinkPort = home.addInboundEndpoint("SinkEndpoint", "sinkSeq", relayOut);
        sinkMediatedPort = home.addInboundEndpoint("SinkMediatedEndpoint", "sinkMediatedSeq", relayOut);
        slowPort = home.addInboundEndpoint("SlowEndpoint", "echoSeq",
                "<parameter name=\"ws.slow.consumer.policy\">close</parameter>"
                        + "<parameter name=\"ws.slow.consumer.pending.bytes\">1048576</parameter>"
                        + "<parameter name=\"ws.slow.consumer.timeout.ms\">1000</parameter>");
        broadcastPort = home.addInboundEndpoint("BroadcastEndpoint", "echoSeq", relayOut
                + "<parameter name=\"ws.client.side.broadcast.level\">1</parameter>"
                + "<parameter name=\"ws.slow.consumer.pending.bytes\">1048576</parameter>");
        // the handshake is accepted with no backend; the first message opens the leg to the sink
        home.write("repository/conf/synapse-config/sequences/lateSinkSeq.xml",
                "<sequence xmlns=\"http://ws.apache.org/ns/synapse\" name=\"lateSinkSeq\">\n"
                        + "  <filter source=\"get-property('websocket.source.handshake.present')\" regex=\"true\">\n"
                        + "    <then><drop/></then>\n"
                        + "    <else><send><endpoint><address uri=\"" + sink.url() + "\"/></endpoint></send></else>\n"
                        + "  </filter>\n</sequence>\n");
        lateSinkPort = home.addInboundEndpoint("LateSinkEndpoint", "lateSinkSeq", relayOut);
        // time enough for a test to see a client held back while a backend's handshake hangs
        home.addSenderParameter("ws", "<parameter name=\"ws.target.handshake.timeout.ms\">120000</parameter>");
        gateway = Gateway.start(home.dir);
    }

    @AfterAll
    static void stop() throws Exception {
        TestHome.closeAll(gateway, streaming, sink);
    }

    /** Heap in use after collecting, plus what Netty's pooled allocator holds in direct buffers. */
    /**
     * The live heap (what the last full collection left in every heap pool, so not the garbage mediation
     * threads make right after it) plus the pooled direct memory in use.
     */
    static long memoryInUse() {
        System.gc();
        long live = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            MemoryUsage afterGc = pool.getCollectionUsage();
            if (pool.getType() == MemoryType.HEAP && afterGc != null) {
                live += afterGc.getUsed();
            }
        }
        return live + PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory();
    }


    @ParameterizedTest
    @EnumSource(Lane.class)
    void aClientThatReadsNothingStopsTheBackendAndMemoryStaysBounded(Lane lane) throws Exception {
        AtomicLong received = new AtomicLong();
        CompletableFuture<Void> all = new CompletableFuture<>();
        WebSocket.Listener listener = new WebSocket.Listener() {
            @Override
            public void onOpen(WebSocket ws) {
                // no request(): the client reads nothing until the test says so
            }

            @Override
            public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
                if (received.addAndGet(data.remaining()) == TOTAL) {
                    all.complete(null);
                }
                ws.request(1);
                return null;
            }
        };
        long before = memoryInUse();
        long sentBefore = streaming.sentBytes.get();
        int port = lane == Lane.RELAYED ? streamRelayPort : streamPort;
        WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(URI.create("ws://localhost:" + port + "/"), listener).get(30, TimeUnit.SECONDS);
        long stalledAt = Await.quiet(() -> streaming.sentBytes.get(), Duration.ofSeconds(2), Duration.ofSeconds(60),
                "the backend streaming into a client that reads nothing") - sentBefore;
        long growth = memoryInUse() - before;
        assertTrue(stalledAt < 256L * 1024 * 1024, "the backend streamed " + (stalledAt >> 20) + " MiB before it was stopped");
        assertTrue(growth < BOUND, "memory grew " + (growth >> 20) + " MiB while the client read nothing");

        ws.request(1);
        all.get(120, TimeUnit.SECONDS);
        assertEquals(TOTAL, received.get());
        ws.sendClose(1000, "done").join();
    }

    @ParameterizedTest
    @EnumSource(Lane.class)
    void aBackendThatReadsNothingStopsTheClientAndMemoryStaysBounded(Lane lane) throws Exception {
        streamIntoAStoppedSink(lane == Lane.RELAYED ? sinkPort : sinkMediatedPort, "to a backend that reads nothing");
    }

    @Test
    void framesHeldWhileABackendLegIsConnectingStopTheClientAndMemoryStaysBounded() throws Exception {
        // the sink reads nothing on new connections, not even the upgrade request: the leg the first message
        // opens stays in its handshake, and every message after it is held for it; once the sink reads, the
        // leg opens and what was held goes first, in order, then the rest of the stream
        streamIntoAStoppedSink(lateSinkPort, "while its backend leg is still connecting");
    }

    /**
     * Connects a client to {@code port}, stops the sink reading, and streams {@code SINK_COUNT} frames: the
     * client must be held back before the end with memory bounded; then the sink reads again and must get
     * the whole stream.
     */
    private static void streamIntoAStoppedSink(int port, String what) throws Exception {
        // a blocking socket client: it writes as fast as the gateway reads, no faster (the JDK client
        // polls a blocked socket about once a second, which would make the test measure the client)
        try (RawWs raw = RawWs.connect(port, "/")) {
            long before = memoryInUse();
            long receivedBefore = sink.receivedBytes.get();
            sink.reading(false);
            AtomicLong sent = new AtomicLong();
            CompletableFuture<Void> done = CompletableFuture.runAsync(() -> {
                byte[] chunk = new byte[SINK_SIZE];
                try {
                    for (int i = 0; i < SINK_COUNT; i++) {
                        raw.send(true, 0, RawWs.BINARY, chunk);
                        sent.addAndGet(SINK_SIZE);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            try {
                long stalledAt = Await.quiet(sent::get, Duration.ofSeconds(2), Duration.ofSeconds(60),
                        "the client streaming " + what);
                long growth = memoryInUse() - before;
                assertTrue(stalledAt < (long) SINK_SIZE * SINK_COUNT, "the client sent all " + (stalledAt >> 20)
                        + " MiB " + what + ": nothing held it back");
                assertTrue(growth < BOUND, "memory grew " + (growth >> 20) + " MiB with the client streaming " + what);
            } finally {
                sink.reading(true);
            }
            done.get(120, TimeUnit.SECONDS);
            Await.until(Duration.ofSeconds(60), () -> sink.receivedBytes.get() - receivedBefore == (long) SINK_SIZE * SINK_COUNT,
                    "the backend received the whole stream");
            raw.send(true, 0, RawWs.CLOSE, RawWs.closePayload(1000, new byte[0]));
        }
    }

    @Test
    void aClientFloodingPingsAndReadingNothingIsNotRead() throws Exception {
        long before = memoryInUse();
        AtomicLong written = new AtomicLong();
        try (RawWs raw = RawWs.connect(sinkPort, "/")) {
            byte[] ping = new byte[125];
            CompletableFuture<Void> flood = CompletableFuture.runAsync(() -> {
                try {
                    for (long i = 0; written.get() < 1024L * 1024 * 1024; i++) {
                        raw.send(true, 0, RawWs.PING, ping);
                        written.addAndGet(ping.length + 6);
                    }
                } catch (IOException closed) {
                    // the socket is closed at the end of the test
                }
            });
            long stalledAt = Await.quiet(written::get, Duration.ofSeconds(2), Duration.ofSeconds(60),
                    "a ping flood from a client that reads no pong");
            long growth = memoryInUse() - before;
            assertTrue(stalledAt < 256L * 1024 * 1024, "the gateway read " + (stalledAt >> 20) + " MiB of pings it could not answer");
            assertTrue(growth < BOUND, "memory grew " + (growth >> 20) + " MiB with pongs the client does not read");
            raw.socket.close();
            flood.get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void aBroadcastSubscriberThatStopsReadingIsClosedAndHoldsNobodyBack() throws Exception {
        int from = log.events.size();
        long before = memoryInUse();
        // the subscriber connects first and never reads
        WebSocket subscriber = HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(URI.create("ws://localhost:" + broadcastPort + "/room"), new WebSocket.Listener() {
                    @Override
                    public void onOpen(WebSocket webSocket) {
                        // reads nothing, ever
                    }
                }).get(30, TimeUnit.SECONDS);
        AtomicLong received = new AtomicLong();
        CompletableFuture<Void> all = new CompletableFuture<>();
        WebSocket reader = HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(URI.create("ws://localhost:" + broadcastPort + "/room"), new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
                        if (received.addAndGet(data.remaining()) >= TOTAL) {
                            all.complete(null);
                        }
                        ws.request(1);
                        return null;
                    }
                }).get(30, TimeUnit.SECONDS);
        // the reader gets its own backend's stream (and, until the subscriber goes, the subscriber's)
        all.get(120, TimeUnit.SECONDS);
        Await.until(Duration.ofSeconds(30), () -> String.join("\n", log.messagesSince(from)).contains("slow broadcast subscriber"),
                "the subscriber that reads nothing closed");
        long growth = memoryInUse() - before;
        assertTrue(growth < BOUND, "memory grew " + (growth >> 20) + " MiB for a subscriber that reads nothing");
        reader.sendClose(1000, "done").join();
        subscriber.abort();
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
        Await.until(Duration.ofSeconds(20), () -> {
            String lines = String.join("\n", log.messagesSince(from));
            return lines.contains("slow consumer") && lines.contains("code=1008");
        }, "the slow consumer closed with 1008");
        ws.abort();
    }
}
