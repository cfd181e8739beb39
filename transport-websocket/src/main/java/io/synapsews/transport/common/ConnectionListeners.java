package io.synapsews.transport.common;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

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

    public static void opened(SourceConnection c) {
        for (ConnectionListener l : LISTENERS) {
            try {
                l.opened(c);
            } catch (RuntimeException e) {
                log.warn("connection listener " + l + " failed on open of " + c.id(), e);
            }
        }
    }

    public static void message(SourceConnection c, boolean fromClient, int bytes, long mediationNanos) {
        for (ConnectionListener l : LISTENERS) {
            try {
                l.message(c, fromClient, bytes, mediationNanos);
            } catch (RuntimeException e) {
                log.warn("connection listener " + l + " failed on a message of " + c.id(), e);
            }
        }
    }

    public static void rejected(SourceConnection c, int status, String reason) {
        for (ConnectionListener l : LISTENERS) {
            try {
                l.rejected(c, status, reason);
            } catch (RuntimeException e) {
                log.warn("connection listener " + l + " failed on a rejection of " + c.id(), e);
            }
        }
    }

    public static void closed(SourceConnection c, int code, String reason) {
        for (ConnectionListener l : LISTENERS) {
            try {
                l.closed(c, code, reason);
            } catch (RuntimeException e) {
                log.warn("connection listener " + l + " failed on close of " + c.id(), e);
            }
        }
    }
}
