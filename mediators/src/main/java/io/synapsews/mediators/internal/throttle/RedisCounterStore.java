package io.synapsews.mediators.internal.throttle;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * Limits shared by several gateways, exact, on Redis, without a round trip per message. Each node leases
 * blocks of a window's quota from Redis with one atomic script (never more than the quota left, so the
 * nodes together never pass more than the limit) and spends them locally; a block is {@code leaseSize}
 * messages' worth at first, grows (up to 64 times) while blocks are spent within 100 ms, and shrinks as the
 * quota runs out (at most the quota left divided by twice the node count, at least what the message needs), so the last units go one at a time to whichever node asks.
 * Unused leases go back to Redis when the gateway stops; a node that dies holding one takes at most one
 * block per counter out of that window (under-delivery, never overshoot), and the window's key expires.
 *
 * <p>When Redis cannot be reached, {@code onStoreFailure} decides: {@code local} counts per node with each
 * limit divided by the configured node count; {@code deny} does the same for the connections already open
 * and refuses new handshakes (503). The store tries to reconnect with backoff (1 s doubling to 10 s), logs
 * each transition, and reports it through {@code onState}; a PING every second notices an outage when no
 * lease is asked for. Leases are asked for on the caller's thread (the event loop, on the compiled lane),
 * once per block; the connection's timeout bounds how long such a call can hold it.
 */
public final class RedisCounterStore implements CounterStore {

    private static final Log log = LogFactory.getLog(RedisCounterStore.class);

    /**
     * KEYS[1] the window's counter; ARGV need, want, limit, ttl ms, nodes. Grants 0 when less than need is
     * left, else between need and want, and at most the quota left divided by twice the node count.
     */
    static final String LEASE = "local used = tonumber(redis.call('GET', KEYS[1]) or '0')\n"
            + "local need = tonumber(ARGV[1]); local want = tonumber(ARGV[2]); local limit = tonumber(ARGV[3])\n"
            + "local left = limit - used\n"
            + "if left < need then return 0 end\n"
            + "local share = math.floor(left / (2 * tonumber(ARGV[5])))\n"
            + "local grant = math.max(need, math.min(want, share))\n"
            + "if grant > left then grant = left end\n"
            + "redis.call('INCRBY', KEYS[1], grant)\n"
            + "redis.call('PEXPIRE', KEYS[1], ARGV[4])\n"
            + "return grant\n";

    /** KEYS[1] the window's counter; ARGV the unused amount: given back if the window still exists. */
    static final String GIVE_BACK = "if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('DECRBY', KEYS[1], ARGV[1]) end\n"
            + "return 0\n";

    /**
     * KEYS[1] the hash of a key's connections per node, KEYS[2] the hash of the nodes' heartbeat deadlines;
     * ARGV node, max. Counts the slots of live nodes (forgetting those of nodes whose heartbeat stopped), and
     * takes one for the node when fewer than max are taken.
     */
    static final String TAKE_CONNECTION = "local now = redis.call('TIME'); now = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)\n"
            + "local all = redis.call('HGETALL', KEYS[1]); local sum = 0\n"
            + "for i = 1, #all, 2 do\n"
            + "  local alive = tonumber(redis.call('HGET', KEYS[2], all[i]) or '0')\n"
            + "  if all[i] == ARGV[1] or alive > now then sum = sum + tonumber(all[i + 1]) else redis.call('HDEL', KEYS[1], all[i]) end\n"
            + "end\n"
            + "if sum >= tonumber(ARGV[2]) then return 0 end\n"
            + "redis.call('HINCRBY', KEYS[1], ARGV[1], 1)\n"
            + "return 1\n";

    /** The hash of the nodes' heartbeat deadlines (node id to epoch millis by Redis's clock). */
    static final String NODES = "synapsews:nodes";

    public enum OnFailure { LOCAL, DENY }

    /** A block spent faster than this asks for twice as much next time; one that lasted 10x longer, half. */
    static final long LEASE_FAST_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /** How far blocks grow: {@code leaseSize} times this many messages' worth. */
    static final long LEASE_GROWTH = 64;

    /** The part of a window's quota this node holds. */
    private static final class Lease {
        final String redisKey;
        final long window;
        long remaining;
        /** How many messages' worth the next block asks for: doubles while blocks last under LEASE_FAST_NANOS. */
        long blocks;
        long grantedAt;

        Lease(String redisKey, long window) {
            this.redisKey = redisKey;
            this.window = window;
        }
    }

    private final RedisConnection redis;
    private final String uri;
    private final int nodes;
    private final long leaseSize;
    /** {@code leaseSize * LEASE_GROWTH}, or the largest long when that overflows (a leaseSize of up to Long.MAX_VALUE is valid). */
    private final long maxBlocks;
    private final OnFailure onFailure;
    private final Consumer<Boolean> onState;
    private final LocalCounterStore fallback = new LocalCounterStore();
    private final Map<String, Lease> leases = new ConcurrentHashMap<>();
    /** The connection slots this node holds, per key: republished with each heartbeat, so Redis heals from lost updates. */
    private final Map<String, java.util.concurrent.atomic.AtomicLong> slots = new ConcurrentHashMap<>();
    private final String nodeId;
    private final ScheduledExecutorService reconnector = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "synapsews-redis-reconnect");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean up = true;
    private long backoffMillis = 1000;

    /**
     * @param uri       {@code redis://}, {@code rediss://} or {@code redis-sentinel://}
     * @param nodes     how many gateways share the limits (the local fallback divides each limit by it)
     * @param leaseSize the largest block of quota one node takes at a time
     * @param onState   told true/false at each transition of the store (metrics)
     */
    public RedisCounterStore(String uri, int nodes, long leaseSize, OnFailure onFailure, int timeoutMillis, Consumer<Boolean> onState) {
        this(uri, "node-" + java.util.UUID.randomUUID(), nodes, leaseSize, onFailure, timeoutMillis, onState);
    }

    /** @param nodeId this gateway's name among the nodes (its connection slots are kept under it) */
    public RedisCounterStore(String uri, String nodeId, int nodes, long leaseSize, OnFailure onFailure, int timeoutMillis,
                             Consumer<Boolean> onState) {
        this.nodeId = nodeId;
        this.redis = new RedisConnection(uri, timeoutMillis);
        this.uri = uri.replaceAll("//[^@/]*@", "//***@");
        this.nodes = Math.max(1, nodes);
        this.leaseSize = Math.max(1, leaseSize);
        this.maxBlocks = this.leaseSize > Long.MAX_VALUE / LEASE_GROWTH ? Long.MAX_VALUE : this.leaseSize * LEASE_GROWTH;
        this.onFailure = onFailure;
        this.onState = onState;
        // a heartbeat: an outage is noticed within a second even when no lease is asked for (deny refuses handshakes then)
        reconnector.scheduleWithFixedDelay(() -> {
            if (up) {
                try {
                    heartbeat();
                } catch (IOException | RuntimeException e) {
                    down(e);
                }
            }
        }, 1, 1, TimeUnit.SECONDS);
        try {
            heartbeat();
            log.info("counter store: Redis at " + this.uri + " (" + this.nodes + " node(s), leases of at most " + this.leaseSize + ")");
            onState.accept(true);
        } catch (IOException e) {
            down(e);
        }
    }

    @Override
    public boolean acquire(String key, long windowStartMillis, long amount, long limit) {
        if (!up) {
            return fallback.acquire(key, windowStartMillis, amount, Math.max(1, limit / nodes));
        }
        // one lease per counter, the current window's (the map lookup is all a message costs while the block lasts)
        Lease lease = leases.get(key);
        if (lease == null || lease.window != windowStartMillis) {
            lease = leases.compute(key, (k, old) -> old == null || old.window < windowStartMillis ? lease(k, windowStartMillis) : old);
            if (lease.window > windowStartMillis) {
                lease = lease(key, windowStartMillis); // a late caller from the previous window: asks for that window's units
            }
        }
        synchronized (lease) {
            if (lease.remaining >= amount) {
                lease.remaining -= amount;
                return true;
            }
            long need = amount - lease.remaining;
            long granted;
            long now = System.nanoTime();
            long blocks = nextBlocks(lease, now);
            long want = Math.max(need, amount > Long.MAX_VALUE / blocks ? Long.MAX_VALUE : amount * blocks);
            try {
                // the key outlives its window by a minute at least (windows follow the runtime's clock, a test's too)
                long ttl = Math.max(120_000, windowStartMillis + 120_000 - System.currentTimeMillis());
                Object r = redis.command("EVAL", LEASE, "1", lease.redisKey, String.valueOf(need), String.valueOf(want),
                        String.valueOf(limit), String.valueOf(ttl), String.valueOf(nodes));
                granted = ((Number) r).longValue();
            } catch (IOException | RuntimeException e) {
                down(e);
                return fallback.acquire(key, windowStartMillis, amount, Math.max(1, limit / nodes));
            }
            if (granted < need) {
                return false;
            }
            lease.remaining = lease.remaining + granted - amount;
            lease.grantedAt = now;
        }
        return true;
    }

    private static Lease lease(String key, long windowStartMillis) {
        return new Lease("synapsews:{" + key + "}:" + windowStartMillis, windowStartMillis);
    }

    /**
     * The size of the next block in messages' worth (a byte counter's block is that many times the message's
     * size): {@code leaseSize} at first, doubling while blocks are spent within {@link #LEASE_FAST_NANOS}, up
     * to {@link #maxBlocks}, halving back when one lasted ten times longer. A busy counter thus
     * asks Redis a few times a second, whatever its rate; the Lua script still never grants more than what is
     * left divided by twice the node count.
     */
    private long nextBlocks(Lease lease, long now) {
        if (lease.blocks == 0) {
            lease.blocks = leaseSize;
        } else if (now - lease.grantedAt < LEASE_FAST_NANOS) {
            lease.blocks = lease.blocks > maxBlocks / 2 ? maxBlocks : lease.blocks * 2;
        } else if (now - lease.grantedAt > 10 * LEASE_FAST_NANOS) {
            lease.blocks = Math.max(leaseSize, lease.blocks / 2);
        }
        return lease.blocks;
    }

    /** Says this node is alive for 5 more seconds (by Redis's clock) and republishes the slots it holds. */
    private void heartbeat() throws IOException {
        redis.command("EVAL", "local t = redis.call('TIME'); redis.call('HSET', KEYS[1], ARGV[1], tonumber(t[1]) * 1000 + 5000)"
                + " return 1", "1", NODES, nodeId);
        for (Map.Entry<String, java.util.concurrent.atomic.AtomicLong> e : slots.entrySet()) {
            redis.command("HSET", connectionsKey(e.getKey()), nodeId, String.valueOf(e.getValue().get()));
        }
    }

    /** The ids of the nodes whose heartbeat has not ended (by Redis's clock), this one included. */
    public List<String> liveNodes() throws IOException {
        Object r = redis.command("EVAL", "local now = redis.call('TIME'); now = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)\n"
                + "local all = redis.call('HGETALL', KEYS[1]); local out = {}\n"
                + "for i = 1, #all, 2 do if tonumber(all[i + 1]) > now then out[#out + 1] = all[i] end end\n"
                + "return out\n", "1", NODES);
        List<String> nodes = new java.util.ArrayList<>();
        if (r instanceof List) {
            for (Object o : (List<?>) r) {
                nodes.add(String.valueOf(o));
            }
        }
        return nodes;
    }

    private static String connectionsKey(String key) {
        return "synapsews:connections:{" + key + "}";
    }

    @Override
    public boolean takeConnection(String key, int max) {
        java.util.concurrent.atomic.AtomicLong mine = slots.computeIfAbsent(key, k -> new java.util.concurrent.atomic.AtomicLong());
        if (!up) {
            return fallback.takeConnection(key, Math.max(1, max / nodes));
        }
        try {
            synchronized (mine) {
                Object r = redis.command("EVAL", TAKE_CONNECTION, "2", connectionsKey(key), NODES, nodeId, String.valueOf(max));
                if (((Number) r).longValue() != 1) {
                    return false;
                }
                mine.incrementAndGet();
                return true;
            }
        } catch (IOException | RuntimeException e) {
            down(e);
            return fallback.takeConnection(key, Math.max(1, max / nodes));
        }
    }

    @Override
    public void releaseConnection(String key) {
        java.util.concurrent.atomic.AtomicLong mine = slots.get(key);
        // a slot taken while Redis was down is the fallback's; Redis learns the node's true count at the next heartbeat
        if (mine == null || mine.get() <= 0) {
            fallback.releaseConnection(key);
            return;
        }
        synchronized (mine) {
            mine.decrementAndGet();
            if (up) {
                try {
                    redis.command("HSET", connectionsKey(key), nodeId, String.valueOf(mine.get()));
                } catch (IOException | RuntimeException e) {
                    down(e);
                }
            }
        }
    }

    private synchronized void down(Exception e) {
        if (!up) {
            return;
        }
        up = false;
        leases.clear();
        log.error("counter store: Redis at " + uri + " unreachable (" + e.getMessage() + "); counting per node with each limit"
                + " divided by " + nodes + (onFailure == OnFailure.DENY ? ", new handshakes refused with 503" : "")
                + " until it is back (onStoreFailure=\"" + onFailure.name().toLowerCase() + "\")");
        onState.accept(false);
        backoffMillis = 1000;
        reconnector.schedule(this::retry, backoffMillis, TimeUnit.MILLISECONDS);
    }

    private void retry() {
        try {
            redis.command("PING");
        } catch (IOException | RuntimeException e) {
            synchronized (this) {
                backoffMillis = Math.min(10_000, backoffMillis * 2);
            }
            if (!reconnector.isShutdown()) {
                reconnector.schedule(this::retry, backoffMillis, TimeUnit.MILLISECONDS);
            }
            return;
        }
        synchronized (this) {
            up = true;
        }
        log.info("counter store: Redis at " + uri + " is back; limits are shared again");
        onState.accept(true);
    }

    @Override
    public boolean refusesHandshakes() {
        return !up && onFailure == OnFailure.DENY;
    }

    @Override
    public String describe() {
        return "redis " + (up ? "up" : "down");
    }

    public boolean up() {
        return up;
    }

    /** Gives the unused leases back, so that the other nodes can spend them. */
    @Override
    public void close() {
        reconnector.shutdownNow();
        if (up) {
            for (Lease l : List.copyOf(leases.values())) {
                synchronized (l) {
                    if (l.remaining > 0) {
                        try {
                            redis.command("EVAL", GIVE_BACK, "1", l.redisKey, String.valueOf(l.remaining));
                        } catch (IOException | RuntimeException e) {
                            break; // gone with the window
                        }
                        l.remaining = 0;
                    }
                }
            }
        }
        leases.clear();
        if (up) {
            try {
                redis.command("HDEL", NODES, nodeId); // this node's slots no longer count
            } catch (IOException | RuntimeException e) {
                // its heartbeat deadline passes within 5 seconds anyway
            }
        }
        redis.close();
    }
}
