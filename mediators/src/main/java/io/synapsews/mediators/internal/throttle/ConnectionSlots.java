package io.synapsews.mediators.internal.throttle;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import io.synapsews.transport.spi.ClientConnection;
import io.synapsews.transport.spi.ConnectionListener;

/**
 * Gives back the connection slots ({@code maxConnections}) a handshake took: when its connection closes, when
 * its handshake is refused after the slots were taken (a later mediator, the backend), and, for a client that
 * went away before either could be said, once the handshake has been pending longer than any handshake may
 * take ({@link #sweep}).
 */
public final class ConnectionSlots implements ConnectionListener {

    /** The connection attribute with the slot keys a handshake took. */
    public static final String ATTRIBUTE = "synapsews.connection.slots";
    private static final long PENDING_MILLIS = 120_000;

    private final Supplier<CounterStore> store;
    private final Map<ClientConnection, Long> pending = new ConcurrentHashMap<>();

    public ConnectionSlots(Supplier<CounterStore> store) {
        this.store = store;
    }

    /** The handshake of {@code c} took these slots (recorded on the connection). */
    public void taken(ClientConnection c, List<String> keys) {
        c.attributes().put(ATTRIBUTE, keys);
        pending.put(c, System.currentTimeMillis() + PENDING_MILLIS);
    }

    @Override
    public void opened(ClientConnection c) {
        pending.remove(c);
    }

    @Override
    public void rejected(ClientConnection c, int status, String reason) {
        release(c);
    }

    @Override
    public void closed(ClientConnection c, int code, String reason) {
        release(c);
    }

    /** Releases the slots of handshakes pending too long (their clients went away mid-handshake). */
    public void sweep() {
        long now = System.currentTimeMillis();
        pending.forEach((c, deadline) -> {
            if (deadline < now) {
                release(c);
            }
        });
    }

    private void release(ClientConnection c) {
        pending.remove(c);
        Object keys = c.attributes().remove(ATTRIBUTE); // once: a rejection and a close of one connection release it once
        if (keys instanceof List) {
            for (Object k : (List<?>) keys) {
                store.get().releaseConnection(String.valueOf(k));
            }
        }
    }

    int pendingCount() {
        return pending.size();
    }
}
