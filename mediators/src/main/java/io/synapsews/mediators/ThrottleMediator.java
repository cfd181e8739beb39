package io.synapsews.mediators;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.synapsews.mediators.internal.Application;
import io.synapsews.mediators.internal.GatewayRuntime;
import io.synapsews.mediators.internal.throttle.Tier;
import io.synapsews.transport.mediation.Mediation;
import io.synapsews.transport.spi.ClientConnection;
import io.synapsews.transport.spi.CloseCodes;
import io.synapsews.transport.spi.CompilableMediator;
import io.synapsews.transport.spi.MessageStep;
import io.synapsews.transport.spi.WebSocketProperties;
import org.apache.synapse.MessageContext;
import org.apache.synapse.mediators.AbstractMediator;

/**
 * {@code <wsThrottle onLimit="error|close"/>}: enforces the subscription tier set by
 * {@code <wsAuth>}, per application and API across all their connections, in fixed one-minute
 * windows. In the client sequence it counts client-to-backend messages, in the outflow sequence
 * backend-to-client ones (put it in both to count both into one limit). Over the limit the message
 * is not forwarded and either an error text frame goes to the client ({@code error}, the
 * connection stays) or the connection is closed with 1008 ({@code close}). On the handshake it
 * applies the application's handshakes-per-minute limit, answering 429.
 */
public final class ThrottleMediator extends AbstractMediator implements CompilableMediator {

    public enum OnLimit { ERROR, CLOSE }

    private static final long WINDOW = 60_000;

    private OnLimit onLimit = OnLimit.ERROR;

    @Override
    public boolean mediate(MessageContext synCtx) {
        Object c = Mediation.axis2(synCtx).getProperty(WebSocketProperties.SOURCE_CONNECTION);
        GatewayRuntime rt = GatewayRuntime.current();
        if (!(c instanceof ClientConnection) || rt == null) {
            return true;
        }
        ClientConnection conn = (ClientConnection) c;
        if (Mediation.isHandshake(synCtx)) {
            return handshake(rt, conn);
        }
        Object size = synCtx.getProperty(WebSocketProperties.PAYLOAD_LENGTH);
        return message(rt, conn, !synCtx.isResponse(), size instanceof Number ? ((Number) size).longValue() : 0);
    }

    /** The same count for a message the compiled lane carries: no message context, on the event loop. */
    @Override
    public MessageStep messageStep() {
        return (conn, fromClient, bytes) -> {
            GatewayRuntime rt = GatewayRuntime.current();
            return rt == null || message(rt, conn, fromClient, bytes);
        };
    }

    private boolean handshake(GatewayRuntime rt, ClientConnection conn) {
        Object appName = conn.attributes().get(ApiProperties.APPLICATION);
        if (appName == null) {
            return true; // no subscription known (no wsAuth before): nothing to count against
        }
        if (rt.counters().refusesHandshakes()) {
            // onStoreFailure="deny": the shared counts are out of reach, so no new client is let in uncounted
            conn.rejectHandshake(503, Collections.singletonMap("Retry-After", "5"),
                    "the gateway cannot reach its counter store; try again shortly", "counter_store_unavailable");
            return false;
        }
        long now = rt.clock().millis();
        long window = now - now % WINDOW;
        Application app = rt.directory().applications().get(appName.toString());
        if (app != null && app.handshakesPerMinute() > 0
                && !rt.counters().acquire("handshakes|" + app.name(), window, 1, app.handshakesPerMinute())) {
            conn.rejectHandshake(429, Collections.singletonMap("Retry-After", String.valueOf(retryAfterSeconds(now))),
                    "too many handshakes for application " + app.name() + " (" + app.handshakesPerMinute()
                            + " per minute)", "throttled");
            return false;
        }
        return app == null || takeConnectionSlots(rt, conn, app);
    }

    private static boolean takeConnectionSlots(GatewayRuntime rt, ClientConnection conn, Application app) {
        List<String> taken = new ArrayList<>(2);
        Application.Subscription sub = app.subscription(String.valueOf(conn.attributes().get(ApiProperties.API)),
                String.valueOf(conn.attributes().get(ApiProperties.VERSION)));
        String[][] limits = {
            {"connections|" + app.name(), String.valueOf(app.maxConnections()), "application " + app.name()},
            {"connections|" + app.name() + "|" + conn.attributes().get(ApiProperties.API) + "|" + conn.attributes().get(ApiProperties.VERSION),
                String.valueOf(sub == null ? 0 : sub.maxConnections()), "the subscription of " + app.name() + " to "
                    + conn.attributes().get(ApiProperties.API) + " " + conn.attributes().get(ApiProperties.VERSION)},
        };
        for (String[] l : limits) {
            int max = Integer.parseInt(l[1]);
            if (max <= 0) {
                continue;
            }
            if (!rt.counters().takeConnection(l[0], max)) {
                taken.forEach(rt.counters()::releaseConnection);
                conn.rejectHandshake(429, Collections.emptyMap(), "too many connections for " + l[2] + " (" + max + " at once)",
                        "too_many_connections");
                return false;
            }
            taken.add(l[0]);
        }
        if (!taken.isEmpty()) {
            rt.slots().taken(conn, taken); // given back when the connection closes or its handshake is refused
        }
        return true;
    }

    /** Counts one message of {@code bytes} against the subscription's tier; false when it is over the limit. */
    private boolean message(GatewayRuntime rt, ClientConnection conn, boolean fromClient, long bytes) {
        Object appName = conn.attributes().get(ApiProperties.APPLICATION);
        if (appName == null) {
            return true; // no subscription known (no wsAuth before): nothing to count against
        }
        Tier tier = rt.directory().tiers().get(String.valueOf(conn.attributes().get(ApiProperties.TIER)));
        if (tier == null || (tier.messagesPerMinute() == 0 && tier.bytesPerMinute() == 0)) {
            return true;
        }
        long now = rt.clock().millis();
        long window = now - now % WINDOW;
        String key = "subscription|" + appName + "|" + conn.attributes().get(ApiProperties.API) + "|"
                + conn.attributes().get(ApiProperties.VERSION);
        boolean over = false;
        if (tier.messagesPerMinute() > 0) {
            over = !rt.counters().acquire(key + "|messages", window, 1, tier.messagesPerMinute());
        }
        if (tier.bytesPerMinute() > 0 && !over) {
            over = !rt.counters().acquire(key + "|bytes", window, bytes, tier.bytesPerMinute());
        }
        if (!over) {
            return true;
        }
        rt.metrics().throttled(conn, fromClient);
        if (onLimit == OnLimit.CLOSE) {
            conn.close(CloseCodes.POLICY_VIOLATION, "message limit of tier " + tier.name() + " exceeded");
        } else if (conn.isWritable()) {
            // a client that does not read its error frames gets no more of them (the message is dropped and
            // counted all the same): they would pile up in its write buffer
            conn.deliver(new TextWebSocketFrame("{\"error\":\"throttled\",\"tier\":\"" + tier.name()
                    + "\",\"message\":\"message limit of tier " + tier.name() + " exceeded; message dropped\","
                    + "\"retryAfterSeconds\":" + retryAfterSeconds(now) + "}"));
        }
        return false;
    }

    /** Whole seconds until the window that holds {@code now} ends, at least 1. */
    private static long retryAfterSeconds(long now) {
        return Math.max(1, (WINDOW - now % WINDOW + 999) / 1000);
    }

    public OnLimit getOnLimit() { return onLimit; }
    public void setOnLimit(OnLimit onLimit) { this.onLimit = onLimit; }
}
