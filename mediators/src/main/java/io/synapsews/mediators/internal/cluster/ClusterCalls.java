package io.synapsews.mediators.internal.cluster;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * Requests one node makes of another (or of all) over the {@link ClusterBus}, and their answers: what the
 * connections API uses to reach the node that owns a connection. A request names its target node (or
 * {@code *}), an operation and arguments; the target answers with a status and a body. Arguments and bodies
 * travel base64-encoded (bus fields cannot hold spaces). A request nobody answers within the timeout
 * completes with what came: {@link #ask} with null, {@link #askAll} with the answers it has.
 */
public final class ClusterCalls {

    private static final Log log = LogFactory.getLog(ClusterCalls.class);

    /** What a node answers: an HTTP-like status and a body (JSON, as the operation defines it). */
    public static final class Answer {
        public final int status;
        public final String body;

        public Answer(int status, String body) {
            this.status = status;
            this.body = body;
        }
    }

    /** How this node answers an operation the others ask of it; called on the bus's thread, must not block long. */
    public interface Handler {
        Answer answer(String op, String[] args);
    }

    private final class Pending {
        final Set<String> expected;
        final Map<String, Answer> answers = new LinkedHashMap<>();
        final CompletableFuture<Map<String, Answer>> done = new CompletableFuture<>();

        Pending(Set<String> expected) {
            this.expected = expected;
        }

        synchronized void add(String node, Answer a) {
            answers.put(node, a);
            if (expected != null && answers.keySet().containsAll(expected)) {
                done.complete(new LinkedHashMap<>(answers));
            }
        }

        synchronized void timeUp() {
            done.complete(new LinkedHashMap<>(answers));
        }
    }

    private final ClusterBus bus;
    private final String nodeId;
    private final ScheduledExecutorService timer;
    private final long timeoutMillis;
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();

    public ClusterCalls(ClusterBus bus, ScheduledExecutorService timer, long timeoutMillis, Handler handler) {
        this.bus = bus;
        this.nodeId = bus.nodeId();
        this.timer = timer;
        this.timeoutMillis = timeoutMillis;
        bus.onFrom("ask", (from, f) -> {
            // request id, target node or *, operation, arguments
            if (f.length < 3 || !(nodeId.equals(f[1]) || "*".equals(f[1]))) {
                return;
            }
            String[] args = new String[f.length - 3];
            for (int i = 0; i < args.length; i++) {
                args[i] = decode(f[i + 3]);
            }
            Answer a;
            try {
                a = handler.answer(f[2], args);
            } catch (RuntimeException e) {
                log.error("cluster: '" + f[2] + "' asked by node " + from + " failed here", e);
                a = new Answer(500, "{}");
            }
            bus.publish("answer", f[0], from, String.valueOf(a.status), encode(a.body));
        });
        bus.onFrom("answer", (from, f) -> {
            // request id, asking node, status, body
            if (f.length != 4 || !nodeId.equals(f[1]) || !f[2].matches("[0-9]{3}")) {
                return;
            }
            Pending p = pending.get(f[0]);
            if (p != null) {
                p.add(from, new Answer(Integer.parseInt(f[2]), decode(f[3])));
            }
        });
    }

    /** Asks {@code node}; completes with its answer, or null when it gave none in time (or Redis is unreachable). */
    public CompletableFuture<Answer> ask(String node, String op, String... args) {
        Set<String> one = new LinkedHashSet<>();
        one.add(node);
        return call(node, one, op, args).thenApply(m -> m.get(node));
    }

    /** Asks every node in {@code nodes} but this one; completes when all answered or the time is up. */
    public CompletableFuture<Map<String, Answer>> askAll(Collection<String> nodes, String op, String... args) {
        Set<String> expected = new LinkedHashSet<>(nodes);
        expected.remove(nodeId);
        if (expected.isEmpty()) {
            return CompletableFuture.completedFuture(new LinkedHashMap<>());
        }
        return call("*", expected, op, args);
    }

    private CompletableFuture<Map<String, Answer>> call(String target, Set<String> expected, String op, String[] args) {
        String id = UUID.randomUUID().toString();
        Pending p = new Pending(expected);
        pending.put(id, p);
        p.done.whenComplete((m, e) -> pending.remove(id));
        String[] fields = new String[args.length + 3];
        fields[0] = id;
        fields[1] = target;
        fields[2] = op;
        for (int i = 0; i < args.length; i++) {
            fields[i + 3] = encode(args[i]);
        }
        if (!bus.publish("ask", fields)) {
            p.timeUp();
            return p.done;
        }
        timer.schedule(p::timeUp, timeoutMillis, TimeUnit.MILLISECONDS);
        return p.done;
    }

    /** This node's id. */
    public String nodeId() {
        return nodeId;
    }

    /** How long a request waits for its answers. */
    public long timeoutMillis() {
        return timeoutMillis;
    }

    /** Base64, and "-" for nothing (an empty last field would not survive the bus's splitting). */
    private static String encode(String s) {
        return s == null || s.isEmpty() ? "-" : Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String decode(String s) {
        if ("-".equals(s)) {
            return "";
        }
        try {
            return new String(Base64.getDecoder().decode(s), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return "";
        }
    }
}
