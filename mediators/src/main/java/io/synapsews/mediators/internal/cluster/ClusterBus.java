package io.synapsews.mediators.internal.cluster;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

import io.synapsews.mediators.internal.throttle.RedisConnection;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * What one node tells the others, over Redis pub/sub on the channel {@code synapsews:bus}: messages of a
 * type, from a node, with space-separated fields ({@code revoke node2 <jti> <expiry>}). Each node hears its
 * own messages too and ignores them. The subscriber reconnects with backoff (1 s doubling to 10 s); what is
 * published while a node is cut off does not reach it (Redis pub/sub keeps nothing).
 */
public final class ClusterBus implements AutoCloseable {

    private static final Log log = LogFactory.getLog(ClusterBus.class);
    static final String CHANNEL = "synapsews:bus";

    private final String nodeId;
    private final RedisConnection publisher;
    private final RedisConnection subscriber;
    private final Map<String, BiConsumer<String, String[]>> handlers = new ConcurrentHashMap<>();
    private final Thread listener;
    private final CountDownLatch subscribed = new CountDownLatch(1);
    private volatile boolean closed;
    private volatile long backoff = 1000;

    public ClusterBus(String uri, String nodeId, int timeoutMillis) {
        this.nodeId = nodeId.replaceAll("\\s", "_"); // messages are space separated
        this.publisher = new RedisConnection(uri, timeoutMillis);
        this.subscriber = new RedisConnection(uri, timeoutMillis);
        this.listener = new Thread(this::listen, "synapsews-cluster-bus");
        listener.setDaemon(true);
        listener.start();
        try {
            subscribed.await(timeoutMillis, TimeUnit.MILLISECONDS); // messages published once the gateway is up reach it
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Calls {@code handler} with the fields of every message of {@code type} another node publishes. */
    public void on(String type, Consumer<String[]> handler) {
        handlers.put(type, (from, fields) -> handler.accept(fields));
    }

    /** Calls {@code handler} with the sending node's id and the fields of every message of {@code type} another node publishes. */
    public void onFrom(String type, BiConsumer<String, String[]> handler) {
        handlers.put(type, handler);
    }

    /** This node's id on the bus. */
    public String nodeId() {
        return nodeId;
    }

    /** Tells the other nodes; false (logged) when Redis cannot be reached. Fields must not contain spaces. */
    public boolean publish(String type, String... fields) {
        StringBuilder b = new StringBuilder(type).append(' ').append(nodeId);
        for (String f : fields) {
            b.append(' ').append(f);
        }
        try {
            publisher.command("PUBLISH", CHANNEL, b.toString());
            return true;
        } catch (IOException | RuntimeException e) {
            log.error("cluster: cannot tell the other nodes '" + type + "' (Redis: " + e.getMessage() + "); they act on it"
                    + " only where it applies locally");
            return false;
        }
    }

    private void listen() {
        while (!closed) {
            try {
                subscriber.listen(CHANNEL, this::dispatch, () -> {
                    subscribed.countDown();
                    backoff = 1000;
                    log.info("cluster: node " + nodeId + " listening to the other nodes on Redis");
                });
            } catch (IOException | RuntimeException e) {
                if (closed) {
                    return;
                }
                log.warn("cluster: lost the other nodes (" + e.getMessage() + "); reconnecting in " + backoff + " ms");
            }
            try {
                Thread.sleep(backoff);
            } catch (InterruptedException e) {
                return;
            }
            backoff = Math.min(10_000, backoff * 2);
        }
    }

    private void dispatch(String message) {
        String[] parts = message.split(" ");
        if (parts.length < 2 || nodeId.equals(parts[1])) {
            return;
        }
        BiConsumer<String, String[]> h = handlers.get(parts[0]);
        if (h == null) {
            return;
        }
        String[] fields = new String[parts.length - 2];
        System.arraycopy(parts, 2, fields, 0, fields.length);
        try {
            h.accept(parts[1], fields);
        } catch (RuntimeException e) {
            log.error("cluster: '" + parts[0] + "' from node " + parts[1] + " failed here", e);
        }
    }

    @Override
    public void close() {
        closed = true;
        subscriber.close();
        publisher.close();
        listener.interrupt();
    }
}
