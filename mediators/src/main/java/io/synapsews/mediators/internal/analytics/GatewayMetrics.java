package io.synapsews.mediators.internal.analytics;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.LongAdder;

import io.synapsews.mediators.ApiProperties;
import io.synapsews.transport.payload.PayloadCodec;
import io.synapsews.transport.payload.PayloadCounters;
import io.synapsews.transport.spi.ClientConnection;
import io.synapsews.transport.spi.ConnectionListener;

/**
 * Analytics of the gateway: counters per API, application and direction, kept exactly and served
 * in the Prometheus text format; per-connection totals go to the {@link ConnectionLog} on close.
 */
public final class GatewayMetrics implements ConnectionListener {

    static final String CLIENT_TO_BACKEND = "client_to_backend";
    static final String BACKEND_TO_CLIENT = "backend_to_client";

    private static final Map<String, String[]> FAMILIES = new TreeMap<>();

    static {
        family("synapsews_messages_total", "counter", "Messages received, per API, application and direction.");
        family("synapsews_bytes_total", "counter", "Payload bytes received, per API, application and direction.");
        family("synapsews_throttled_messages_total", "counter", "Messages not forwarded because the subscription's tier was exceeded.");
        family("synapsews_connections_opened_total", "counter", "Client connections answered with 101.");
        family("synapsews_connections_closed_total", "counter", "Client connections closed, by close code.");
        family("synapsews_connections_open", "gauge", "Client connections open now, per inbound endpoint.");
        family("synapsews_handshake_rejections_total", "counter", "Client handshakes answered with an HTTP error, by reason.");
        family("synapsews_mediation_seconds", "summary", "Time spent mediating a message, per API and direction.");
        family("synapsews_counter_store_up", "gauge", "1 while the shared counter store (Redis) is reachable, 0 while limits are counted per node.");
        family("synapsews_counter_store_transitions_total", "counter", "Times the shared counter store became unreachable (to=\"down\") or reachable again (to=\"up\").");
        family("synapsews_payloads_total", "counter", "Messages mediated and sent on with the bytes they arrived with (untouched), payloads built because a mediator read them (built), messages relayed without mediation because their sequence only sends or responds (relayed), and messages relayed after the steps of their sequence's compiled plan (compiled).");
    }

    private static void family(String name, String type, String help) {
        FAMILIES.put(name, new String[] {type, help});
    }

    /** Per-connection totals, for the connection log. */
    static final class ConnectionStats {
        final LongAdder messagesIn = new LongAdder();
        final LongAdder messagesOut = new LongAdder();
        final LongAdder bytesIn = new LongAdder();
        final LongAdder bytesOut = new LongAdder();
        final LongAdder throttled = new LongAdder();
        /** The connection's series for each direction, looked up once: messages, bytes, mediation count and time. */
        final LongAdder[] toBackend;
        final LongAdder[] toClient;

        ConnectionStats(LongAdder[] toBackend, LongAdder[] toClient) {
            this.toBackend = toBackend;
            this.toClient = toClient;
        }
    }

    private final Map<String, Map<String, LongAdder>> series = new ConcurrentHashMap<>();
    private final Map<ClientConnection, ConnectionStats> live = new ConcurrentHashMap<>();
    private final ConnectionLog connectionLog;

    public GatewayMetrics(ConnectionLog connectionLog) {
        this.connectionLog = connectionLog;
    }

    @Override
    public void opened(ClientConnection c) {
        live.put(c, new ConnectionStats(seriesOf(c, CLIENT_TO_BACKEND), seriesOf(c, BACKEND_TO_CLIENT)));
        add("synapsews_connections_opened_total", api(c), 1);
        add("synapsews_connections_open", "endpoint=\"" + esc(c.endpointName()) + "\"", 1);
    }

    @Override
    public void message(ClientConnection c, boolean fromClient, int bytes, long mediationNanos) {
        ConnectionStats s = live.get(c);
        LongAdder[] series = s != null ? (fromClient ? s.toBackend : s.toClient)
                : seriesOf(c, fromClient ? CLIENT_TO_BACKEND : BACKEND_TO_CLIENT);
        series[0].increment();
        series[1].add(bytes);
        series[2].increment();
        series[3].add(mediationNanos);
        if (s != null) {
            (fromClient ? s.messagesIn : s.messagesOut).increment();
            (fromClient ? s.bytesIn : s.bytesOut).add(bytes);
        }
    }

    /** A message the throttle did not forward. */
    public void throttled(ClientConnection c, boolean fromClient) {
        add("synapsews_throttled_messages_total", api(c) + ",direction=\"" + (fromClient ? CLIENT_TO_BACKEND : BACKEND_TO_CLIENT) + "\"", 1);
        ConnectionStats s = live.get(c);
        if (s != null) {
            s.throttled.increment();
        }
    }

    @Override
    public void rejected(ClientConnection c, int status, String reason) {
        add("synapsews_handshake_rejections_total", "endpoint=\"" + esc(c.endpointName()) + "\",api=\"" + esc(attr(c, ApiProperties.API))
                + "\",status=\"" + status + "\",reason=\"" + esc(reason) + "\"", 1);
    }

    @Override
    public void closed(ClientConnection c, int code, String reason) {
        add("synapsews_connections_closed_total", api(c) + ",code=\"" + code + "\"", 1);
        add("synapsews_connections_open", "endpoint=\"" + esc(c.endpointName()) + "\"", -1);
        ConnectionStats s = live.remove(c);
        if (connectionLog != null && s != null) {
            connectionLog.write(c, code, reason, s);
        }
    }

    /** An open connection's messages and bytes so far: client to backend, backend to client; null when not open. */
    public long[] totals(ClientConnection c) {
        ConnectionStats s = live.get(c);
        return s == null ? null : new long[] {s.messagesIn.sum(), s.messagesOut.sum(), s.bytesIn.sum(), s.bytesOut.sum(), s.throttled.sum()};
    }

    /** The Prometheus text exposition (format 0.0.4). */
    public String render() {
        StringBuilder out = new StringBuilder();
        Map<String, Map<String, LongAdder>> sorted = new TreeMap<>(series);
        Map<String, LongAdder> payloads = new TreeMap<>();
        PayloadCounters counted = PayloadCodec.shared().counters();
        payloads.put("path=\"built\"", adder(counted.built()));
        payloads.put("path=\"untouched\"", adder(counted.untouched()));
        payloads.put("path=\"relayed\"", adder(counted.relayed()));
        payloads.put("path=\"compiled\"", adder(counted.compiled()));
        sorted.put("synapsews_payloads_total", payloads);
        for (Map.Entry<String, String[]> f : FAMILIES.entrySet()) {
            String family = f.getKey();
            out.append("# HELP ").append(family).append(' ').append(f.getValue()[1]).append('\n');
            out.append("# TYPE ").append(family).append(' ').append(f.getValue()[0]).append('\n');
            for (Map.Entry<String, Map<String, LongAdder>> s : sorted.entrySet()) {
                String name = s.getKey();
                if (!name.equals(family) && !name.startsWith(family + "_")) {
                    continue;
                }
                for (Map.Entry<String, LongAdder> v : new TreeMap<>(s.getValue()).entrySet()) {
                    long value = v.getValue().sum();
                    out.append(name).append('{').append(v.getKey()).append("} ");
                    if (name.endsWith("_seconds_sum")) {
                        out.append(value / 1e9);
                    } else {
                        out.append(value);
                    }
                    out.append('\n');
                }
            }
        }
        return out.toString();
    }

    private static LongAdder adder(long value) {
        LongAdder a = new LongAdder();
        a.add(value);
        return a;
    }

    /** The shared counter store became reachable ({@code true}) or not. */
    public void counterStoreUp(boolean up) {
        LongAdder gauge = series("synapsews_counter_store_up", "store=\"redis\"");
        gauge.reset();
        gauge.add(up ? 1 : 0);
        add("synapsews_counter_store_transitions_total", "to=\"" + (up ? "up" : "down") + "\"", 1);
    }

    private void add(String name, String labels, long amount) {
        series(name, labels).add(amount);
    }

    private LongAdder series(String name, String labels) {
        return series.computeIfAbsent(name, k -> new ConcurrentSkipListMap<>()).computeIfAbsent(labels, k -> new LongAdder());
    }

    /** The per-message series of a connection in one direction (labels built once, not per message). */
    private LongAdder[] seriesOf(ClientConnection c, String direction) {
        String labels = api(c) + ",direction=\"" + direction + "\"";
        String apiDir = "api=\"" + esc(attr(c, ApiProperties.API)) + "\",direction=\"" + direction + "\"";
        return new LongAdder[] {series("synapsews_messages_total", labels), series("synapsews_bytes_total", labels),
            series("synapsews_mediation_seconds_count", apiDir), series("synapsews_mediation_seconds_sum", apiDir)};
    }

    private static String api(ClientConnection c) {
        return "api=\"" + esc(attr(c, ApiProperties.API)) + "\",version=\"" + esc(attr(c, ApiProperties.VERSION))
                + "\",application=\"" + esc(attr(c, ApiProperties.APPLICATION)) + "\"";
    }

    static String attr(ClientConnection c, String name) {
        Object v = c.attributes().get(name);
        return v == null ? "" : v.toString();
    }

    private static String esc(String s) {
        return s == null ? "" : s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
