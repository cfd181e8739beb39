package io.synapsews.mediators.internal;

import java.io.IOException;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import io.netty.handler.codec.http.FullHttpRequest;
import io.synapsews.mediators.ApiProperties;
import io.synapsews.mediators.internal.analytics.ConnectionLog;
import io.synapsews.mediators.internal.analytics.GatewayMetrics;
import io.synapsews.mediators.internal.auth.KeyManager;
import io.synapsews.mediators.internal.cluster.ClusterBus;
import io.synapsews.mediators.internal.cluster.ClusterCalls;
import io.synapsews.mediators.internal.manage.ConnectionsApi;
import io.synapsews.mediators.internal.manage.LiveConnections;
import io.synapsews.mediators.internal.manage.Management;
import io.synapsews.mediators.internal.throttle.ConnectionSlots;
import io.synapsews.mediators.internal.throttle.CounterStore;
import io.synapsews.mediators.internal.throttle.LocalCounterStore;
import io.synapsews.mediators.internal.throttle.RedisCounterStore;
import io.synapsews.transport.spi.CloseCodes;
import io.synapsews.transport.spi.ConnectionListeners;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.apache.synapse.core.SynapseEnvironment;

/**
 * What the API mediators share while a gateway runs: its configuration, the built-in key manager
 * and its HTTP endpoint, the throttling counters, and the analytics with their HTTP endpoint.
 * Started by the {@code <websocketGateway>} startup; one per server.
 */
public final class GatewayRuntime implements AutoCloseable {

    private static final Log log = LogFactory.getLog(GatewayRuntime.class);
    private static volatile GatewayRuntime current;

    private final GatewayConfig config;
    private final KeyManager keyManager;
    private final CounterStore counters;
    /** Null without a Redis counter store. */
    private final ClusterBus bus;
    private final GatewayMetrics metrics;
    private final ConnectionLog connectionLog;
    private final long startedAt = System.currentTimeMillis();
    /** The tiers and applications now: the file's, then as the management API changes them. */
    private volatile Directory directory;
    /** What "now" is for the throttling windows: the system clock, or a test's. */
    private volatile Clock clock = Clock.systemUTC();
    private HttpEndpointServer keyManagerServer;
    private HttpEndpointServer analyticsServer;
    private Management management;
    /** The client connections open now, for closing those a revocation or a management change affects. */
    private final LiveConnections live;
    /** The connections API (served on the management port): this node's connections, the others' through the bus. */
    private final ConnectionsApi connections;
    /** The maxConnections slots of open connections, and of handshakes under way. */
    private final ConnectionSlots slots = new ConnectionSlots(this::counters);
    /** How long a call to another node (the connections API) waits for its answer. */
    static final long CLUSTER_CALL_MILLIS = 2000;
    private final java.util.concurrent.ScheduledExecutorService sweeper = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "synapsews-connection-slots");
        t.setDaemon(true);
        return t;
    });

    private GatewayRuntime(GatewayConfig config) throws GatewayConfigException {
        this.config = config;
        this.directory = config.directory();
        this.keyManager = config.keyManagerEnabled() ? new KeyManager(config, this::directory) : null;
        try {
            this.connectionLog = config.connectionLog() == null ? null : new ConnectionLog(config.connectionLog());
        } catch (IOException e) {
            throw new GatewayConfigException(config.file() + ": analytics/@connectionLog " + config.connectionLog()
                    + " cannot be opened: " + e.getMessage(), e);
        }
        this.metrics = new GatewayMetrics(connectionLog);
        this.counters = "redis".equals(config.counterStoreType())
                ? new RedisCounterStore(config.counterStoreUri(), config.nodeId(), config.counterStoreNodes(), config.counterStoreLeaseSize(),
                        "deny".equals(config.onStoreFailure()) ? RedisCounterStore.OnFailure.DENY : RedisCounterStore.OnFailure.LOCAL,
                        config.counterStoreTimeoutMillis(), metrics::counterStoreUp)
                : new LocalCounterStore();
        // the nodes sharing a Redis counter store also tell each other what must hold everywhere (revocations)
        this.bus = "redis".equals(config.counterStoreType())
                ? new ClusterBus(config.counterStoreUri(), config.nodeId(), config.counterStoreTimeoutMillis()) : null;
        this.live = new LiveConnections(config.nodeId());
        ConnectionsApi[] api = new ConnectionsApi[1];
        ClusterCalls calls = bus == null ? null
                : new ClusterCalls(bus, sweeper, CLUSTER_CALL_MILLIS, (op, args) -> api[0].answer(op, args));
        this.connections = api[0] = new ConnectionsApi(config.nodeId(), live, metrics, calls,
                counters instanceof RedisCounterStore ? ((RedisCounterStore) counters)::liveNodes : () -> List.of(config.nodeId()));
    }

    /** Starts the runtime and makes it the current one (closing the previous one). */
    public static synchronized GatewayRuntime start(GatewayConfig config) throws GatewayConfigException {
        GatewayRuntime rt = new GatewayRuntime(config);
        try {
            rt.listen();
        } catch (Exception e) {
            rt.close();
            throw new GatewayConfigException(config.file() + ": cannot listen: " + e.getMessage(), e);
        }
        GatewayRuntime previous = current;
        if (previous != null) {
            previous.close();
        }
        ConnectionListeners.add(rt.metrics);
        ConnectionListeners.add(rt.live);
        ConnectionListeners.add(rt.slots);
        rt.sweeper.scheduleWithFixedDelay(rt.slots::sweep, 10, 10, java.util.concurrent.TimeUnit.SECONDS);
        current = rt;
        return rt;
    }

    /** The running gateway runtime, or null when no {@code <websocketGateway>} startup is deployed. */
    public static GatewayRuntime current() {
        return current;
    }

    private void listen() throws InterruptedException {
        Map<String, Function<FullHttpRequest, HttpReply>> km = new LinkedHashMap<>();
        if (keyManager != null) {
            km.put("/oauth2/token", keyManager::token);
            km.put("/oauth2/jwks", keyManager::jwks);
            km.put("/oauth2/revoke", keyManager::revoke);
            keyManager.onRevoked((jti, until) -> {
                closeRevoked(jti, "");
                if (bus != null) {
                    bus.publish("revoke", jti, String.valueOf(until)); // and on every other node
                }
            });
            if (bus != null) {
                bus.on("revoke", f -> {
                    if (f.length == 2 && f[1].matches("[0-9]{1,19}")) {
                        keyManager.revokedElsewhere(f[0], Long.parseLong(f[1]));
                        closeRevoked(f[0], " on another node");
                    }
                });
            }
        }
        Map<String, Function<FullHttpRequest, HttpReply>> admin = new LinkedHashMap<>();
        admin.put("/metrics", r -> HttpReply.text(200, metrics.render()).header("Content-Type", "text/plain; version=0.0.4; charset=utf-8"));
        admin.put("/health", r -> {
            Map<String, Object> health = new LinkedHashMap<>();
            health.put("status", "UP");
            health.put("uptimeSeconds", (System.currentTimeMillis() - startedAt) / 1000);
            health.put("node", config.nodeId());
            health.put("counterStore", counters.describe());
            return HttpReply.json(200, com.nimbusds.jose.util.JSONObjectUtils.toJSONString(health));
        });
        boolean shared = keyManager != null && config.analyticsPort() == config.keyManagerPort() && config.keyManagerPort() != 0;
        if (shared) {
            km.putAll(admin);
        }
        if (keyManager != null) {
            keyManagerServer = new HttpEndpointServer("key-manager", config.keyManagerHost(), config.keyManagerPort(), km);
        }
        if (!shared && config.analyticsPort() >= 0) {
            analyticsServer = new HttpEndpointServer("analytics", config.analyticsHost(), config.analyticsPort(), admin);
        }
    }

    private void closeRevoked(String jti, String where) {
        int n = live.close(c -> jti.equals(c.attributes().get(ApiProperties.TOKEN_ID)), CloseCodes.POLICY_VIOLATION,
                "access token revoked");
        log.info("access token " + jti + " revoked" + where + (n == 0 ? "" : ": closed " + n + " connection(s) with 1008"));
    }

    /**
     * Starts the management REST APIs when {@code <management>} configures them: they restore their state
     * into the running Synapse configuration of {@code env} and listen.
     */
    public void startManagement(SynapseEnvironment env) throws GatewayConfigException {
        if (config.management() == null) {
            return;
        }
        Management m = new Management(this, config.management(), env);
        try {
            m.start();
        } catch (Exception e) {
            m.close();
            throw new GatewayConfigException(config.file() + ": management: " + e.getMessage(), e);
        }
        management = m;
    }

    /** The management port, or -1 when the management APIs are not running. */
    public int managementPort() {
        return management == null ? -1 : management.port();
    }

    public LiveConnections live() { return live; }
    public ConnectionsApi connections() { return connections; }
    /** What the nodes tell each other (Redis pub/sub); null without a Redis counter store. */
    public ClusterBus bus() { return bus; }
    public ConnectionSlots slots() { return slots; }
    public GatewayConfig config() { return config; }
    /** Who may call what, now. */
    public Directory directory() { return directory; }

    /** Applies {@code change} to the directory; changes are serialized, readers never wait. */
    public synchronized Directory updateDirectory(java.util.function.UnaryOperator<Directory> change) {
        directory = change.apply(directory);
        return directory;
    }
    /** Null when the built-in key manager is disabled. */
    public KeyManager keyManager() { return keyManager; }
    public CounterStore counters() { return counters; }
    public Clock clock() { return clock; }
    /** Counts throttling windows by another clock (tests put each counting test in a window of its own). */
    public void useClock(Clock c) { this.clock = c; }
    public GatewayMetrics metrics() { return metrics; }

    /** The key manager's port, or -1. */
    public int keyManagerPort() {
        return keyManagerServer == null ? -1 : keyManagerServer.port();
    }

    /** The analytics port, or -1. */
    public int analyticsPort() {
        return analyticsServer != null ? analyticsServer.port() : keyManagerServer != null
                && config.analyticsPort() == config.keyManagerPort() ? keyManagerServer.port() : -1;
    }

    @Override
    public void close() {
        synchronized (GatewayRuntime.class) {
            if (current == this) {
                current = null;
            }
        }
        ConnectionListeners.remove(metrics);
        ConnectionListeners.remove(live);
        ConnectionListeners.remove(slots);
        sweeper.shutdownNow();
        if (management != null) {
            management.close();
        }
        if (keyManagerServer != null) {
            keyManagerServer.close();
        }
        if (analyticsServer != null) {
            analyticsServer.close();
        }
        if (connectionLog != null) {
            connectionLog.close();
        }
        if (bus != null) {
            bus.close();
        }
        counters.close(); // a shared store gets back the quota this node leased and did not use
        log.info("websocket gateway runtime of " + config.file() + " stopped");
    }
}
