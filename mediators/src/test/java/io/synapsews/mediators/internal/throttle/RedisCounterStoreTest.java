package io.synapsews.mediators.internal.throttle;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The shared counter store against a real redis-server (Debian's, installed by .ci/run), started per test. */
class RedisCounterStoreTest {

    static final File REDIS = new File("/usr/bin/redis-server");

    private final List<Process> servers = new ArrayList<>();
    private final List<CounterStore> stores = new ArrayList<>();

    @AfterEach
    void stop() {
        stores.forEach(CounterStore::close);
        servers.forEach(Process::destroyForcibly);
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** A redis-server started on a free port; its URI. */
    private String redisUri() throws Exception {
        int port = freePort();
        redis(port);
        return "redis://127.0.0.1:" + port;
    }

    private Process redis(int port, String... extra) throws Exception {
        assertTrue(REDIS.canExecute(), "the Redis tests need Debian's redis-server (apt-get install redis-server)");
        List<String> cmd = new ArrayList<>(List.of(REDIS.getPath(), "--port", String.valueOf(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no"));
        cmd.addAll(List.of(extra));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        servers.add(p);
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < until) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return p;
            } catch (IOException notYet) {
                Thread.sleep(20);
            }
        }
        throw new AssertionError("redis-server did not listen on " + port);
    }

    private RedisCounterStore store(String uri, int nodes, RedisCounterStore.OnFailure onFailure, List<Boolean> states) {
        RedisCounterStore s = new RedisCounterStore(uri, nodes, 100, onFailure, 500, up -> {
            if (states != null) {
                states.add(up);
            }
        });
        stores.add(s);
        return s;
    }

    @Test
    void threeNodesPassExactlyTheLimitBetweenThem() throws Exception {
        String uri = redisUri() + "/0";
        List<RedisCounterStore> nodes = List.of(store(uri, 3, RedisCounterStore.OnFailure.LOCAL, null),
                store(uri, 3, RedisCounterStore.OnFailure.LOCAL, null), store(uri, 3, RedisCounterStore.OnFailure.LOCAL, null));
        ExecutorService pool = Executors.newFixedThreadPool(6);
        AtomicLong passed = new AtomicLong();
        List<Future<?>> work = new ArrayList<>();
        for (int t = 0; t < 6; t++) {
            RedisCounterStore node = nodes.get(t % 3);
            work.add(pool.submit(() -> {
                // each sender keeps sending until its node has been told no 50 times in a row
                int refusals = 0;
                while (refusals < 50) {
                    if (node.acquire("subscription|Gold|A|1.0|messages", 60_000, 1, 5000)) {
                        passed.incrementAndGet();
                        refusals = 0;
                    } else {
                        refusals++;
                    }
                }
            }));
        }
        for (Future<?> f : work) {
            f.get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();
        assertEquals(5000, passed.get(), "exactly the limit, over three nodes");
        for (RedisCounterStore n : nodes) {
            assertTrue(n.up());
            assertFalse(n.acquire("subscription|Gold|A|1.0|messages", 60_000, 1, 5000));
        }
        // another window, another quota; a byte limit takes the message's size at once or not at all
        assertTrue(nodes.get(0).acquire("subscription|Gold|A|1.0|messages", 120_000, 1, 5000));
        assertTrue(nodes.get(1).acquire("bytes", 60_000, 15, 20));
        assertFalse(nodes.get(2).acquire("bytes", 60_000, 6, 20));
        assertTrue(nodes.get(2).acquire("bytes", 60_000, 5, 20));
    }

    @Test
    void connectionSlotsAreSharedByTheNodesAndGoWithAStoppedNode() throws Exception {
        String uri = redisUri();
        RedisCounterStore a = new RedisCounterStore(uri, "a", 3, 100, RedisCounterStore.OnFailure.LOCAL, 500, up -> { });
        RedisCounterStore b = new RedisCounterStore(uri, "b", 3, 100, RedisCounterStore.OnFailure.LOCAL, 500, up -> { });
        RedisCounterStore c = new RedisCounterStore(uri, "c", 3, 100, RedisCounterStore.OnFailure.LOCAL, 500, up -> { });
        stores.addAll(List.of(b, c));
        assertTrue(a.takeConnection("connections|Pair", 2));
        assertTrue(b.takeConnection("connections|Pair", 2));
        assertFalse(c.takeConnection("connections|Pair", 2), "the third, on another node, is one too many");
        b.releaseConnection("connections|Pair");
        assertTrue(c.takeConnection("connections|Pair", 2));
        assertFalse(b.takeConnection("connections|Pair", 2));
        // a node that stops takes its slots with it
        a.close();
        assertTrue(b.takeConnection("connections|Pair", 2));
        assertFalse(c.takeConnection("connections|Pair", 2));
    }

    @Test
    void unusedLeasesGoBackWhenAGatewayStops() throws Exception {
        String uri = redisUri();
        RedisCounterStore a = store(uri, 2, RedisCounterStore.OnFailure.LOCAL, null);
        RedisCounterStore b = store(uri, 2, RedisCounterStore.OnFailure.LOCAL, null);
        // a takes a block and uses one message of it; b can still have all but that one once a stops
        assertTrue(a.acquire("k", 60_000, 1, 300));
        a.close();
        assertEquals(299, spendAll(b, "k", 300));
    }

    /** Takes one unit of {@code key} until the store says no; returns how many it got. */
    private static int spendAll(CounterStore store, String key, long limit) {
        int passed = 0;
        while (store.acquire(key, 60_000, 1, limit)) {
            passed++;
        }
        return passed;
    }

    /** How many times Redis ran a script (INFO commandstats). */
    private static long evals(String uri) throws IOException {
        try (RedisConnection c = new RedisConnection(uri, 1000)) {
            String info = String.valueOf(c.command("INFO", "commandstats"));
            Matcher m = Pattern.compile("cmdstat_eval:calls=(\\d+)").matcher(info);
            return m.find() ? Long.parseLong(m.group(1)) : 0;
        }
    }

    @Test
    void aBusyCounterAsksRedisForBiggerBlocksAndAByteCounterForMessagesWorth() throws Exception {
        String uri = redisUri();
        RedisCounterStore s = store(uri, 1, RedisCounterStore.OnFailure.LOCAL, null);
        long before = evals(uri);
        for (int i = 0; i < 100_000; i++) {
            assertTrue(s.acquire("messages", 60_000, 1, 2_000_000_000L));
        }
        long messageCalls = evals(uri) - before;
        // blocks of a fixed 100 would take 1000 calls; growing blocks (up to 6400) take about 20
        assertTrue(messageCalls < 500, messageCalls + " lease calls for 100,000 messages");
        before = evals(uri);
        for (int i = 0; i < 10_000; i++) {
            assertTrue(s.acquire("bytes", 60_000, 64, 2_000_000_000L));
        }
        long byteCalls = evals(uri) - before;
        // a block of bytes is leaseSize messages' worth (6400 bytes here), not 100 bytes
        assertTrue(byteCalls < 100, byteCalls + " lease calls for 10,000 messages of 64 bytes");
        // still exact at the end of the quota: the last units go one by one
        assertEquals(1234, spendAll(s, "small", 1234));
    }

    @Test
    void redisDownFallsBackPerNodeAndComesBack() throws Exception {
        int port = freePort();
        Process server = redis(port);
        String uri = "redis://127.0.0.1:" + port;
        List<Boolean> states = java.util.Collections.synchronizedList(new ArrayList<>());
        RedisCounterStore local = store(uri, 4, RedisCounterStore.OnFailure.LOCAL, states);
        RedisCounterStore deny = store(uri, 4, RedisCounterStore.OnFailure.DENY, null);
        assertTrue(local.acquire("k", 60_000, 1, 100));
        assertFalse(deny.refusesHandshakes());
        server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);

        // down: each node counts alone, each limit divided by the node count (100 / 4)
        assertEquals(25, spendAll(local, "k2", 100));
        assertEquals("redis down", local.describe());
        assertTrue(deny.acquire("k3", 60_000, 1, 100), "open connections keep working under deny");
        assertTrue(deny.refusesHandshakes(), "deny refuses new handshakes");
        assertFalse(local.refusesHandshakes());

        // back: shared counting again, after the backoff
        redis(port);
        AtomicBoolean back = new AtomicBoolean();
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < until && !back.get()) {
            back.set(local.up() && !deny.refusesHandshakes());
            Thread.sleep(100);
        }
        assertTrue(back.get(), "reconnected");
        assertEquals("redis up", local.describe());
        assertEquals(List.of(true, false, true), states);
        assertTrue(local.acquire("k4", 60_000, 1, 100));
    }

    @Test
    void aPasswordInTheUriIsUsedAndAWrongOneIsAFailure() throws Exception {
        int port = freePort();
        redis(port, "--requirepass", "s3cret");
        RedisCounterStore good = store("redis://:s3cret@127.0.0.1:" + port + "/1", 1, RedisCounterStore.OnFailure.LOCAL, null);
        assertTrue(good.up());
        assertTrue(good.acquire("k", 60_000, 1, 10));
        RedisCounterStore bad = store("redis://:wrong@127.0.0.1:" + port, 1, RedisCounterStore.OnFailure.DENY, null);
        assertFalse(bad.up());
        assertTrue(bad.refusesHandshakes());
        assertTrue(bad.describe().contains("down"));
    }
}
