package io.synapsews.mediators.internal.manage;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

import io.synapsews.transport.spi.ClientConnection;
import io.synapsews.transport.spi.ConnectionListener;

/**
 * The client connections open now (answered 101, not yet closed), so that a management call can close
 * exactly those it affects: the connections of a blocked API, of a removed subscription, of an
 * application's regenerated secret.
 */
public final class LiveConnections implements ConnectionListener {

    private final Set<ClientConnection> open = ConcurrentHashMap.newKeySet();

    @Override
    public void opened(ClientConnection connection) {
        open.add(connection);
    }

    @Override
    public void closed(ClientConnection connection, int code, String reason) {
        open.remove(connection);
    }

    /** Closes every open connection {@code which} selects; returns how many. */
    public int close(Predicate<ClientConnection> which, int code, String reason) {
        int n = 0;
        for (ClientConnection c : open) {
            if (which.test(c)) {
                open.remove(c);
                c.close(code, reason);
                n++;
            }
        }
        return n;
    }

    /** How many open connections {@code which} selects. */
    public int count(Predicate<ClientConnection> which) {
        int n = 0;
        for (ClientConnection c : open) {
            if (which.test(c)) {
                n++;
            }
        }
        return n;
    }
}
