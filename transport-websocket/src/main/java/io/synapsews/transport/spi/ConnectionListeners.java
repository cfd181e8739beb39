package io.synapsews.transport.spi;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/** The connection listeners of this runtime; the inbound endpoints report to them. */
public final class ConnectionListeners {

    private static final Log log = LogFactory.getLog(ConnectionListeners.class);
    private static final List<ConnectionListener> LISTENERS = new CopyOnWriteArrayList<>();

    private ConnectionListeners() {
    }

    public static void add(ConnectionListener l) {
        LISTENERS.add(l);
    }

    public static void remove(ConnectionListener l) {
        LISTENERS.remove(l);
    }

    public static void handshaking(ClientConnection c) {
        fire(c, "handshake", l -> l.handshaking(c));
    }

    public static void opened(ClientConnection c) {
        fire(c, "open", l -> l.opened(c));
    }

    public static void message(ClientConnection c, boolean fromClient, int bytes, long mediationNanos) {
        fire(c, "a message", l -> l.message(c, fromClient, bytes, mediationNanos));
    }

    public static void rejected(ClientConnection c, int status, String reason) {
        fire(c, "a rejection", l -> l.rejected(c, status, reason));
    }

    public static void closed(ClientConnection c, int code, String reason) {
        fire(c, "close", l -> l.closed(c, code, reason));
    }

    private static void fire(ClientConnection c, String event, Consumer<ConnectionListener> call) {
        for (ConnectionListener l : LISTENERS) {
            try {
                call.accept(l);
            } catch (RuntimeException e) {
                log.warn("connection listener " + l + " failed on " + event + " of " + c.id(), e);
            }
        }
    }
}
