package io.synapsews.mediators.internal.manage;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

import io.synapsews.transport.spi.ClientConnection;
import io.synapsews.transport.spi.ConnectionListener;

/**
 * The client connections open now (answered 101, not yet closed), by their cluster-wide id, so that a
 * management call can close exactly those it affects (the connections of a blocked API, of a removed
 * subscription, of an application's regenerated secret) and the connections API can reach one.
 *
 * <p>Every handshake that is mediated gets its id first: {@code <node id>~<16 random base64url characters>},
 * kept on the connection as the property {@value #PROPERTY} (its handshake mediation and every message see it)
 * and sent to the client in the 101's {@value #HEADER} header. The node id in it tells any node which node owns
 * the connection.
 */
public final class LiveConnections implements ConnectionListener {

    /** The connection property with the cluster-wide id. */
    public static final String PROPERTY = "websocket.connection.id";
    /** The 101 header with the cluster-wide id. */
    public static final String HEADER = "X-Connection-Id";

    private final String nodeId;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, ClientConnection> open = new ConcurrentHashMap<>();

    public LiveConnections(String nodeId) {
        this.nodeId = nodeId;
    }

    /** The node that owns the connection of this id, or null when it is not one of ours in form. */
    public static String nodeOf(String id) {
        int at = id == null ? -1 : id.lastIndexOf('~');
        return at <= 0 || !id.substring(at + 1).matches("[A-Za-z0-9_-]{16}") ? null : id.substring(0, at);
    }

    @Override
    public void handshaking(ClientConnection connection) {
        byte[] bytes = new byte[12];
        random.nextBytes(bytes);
        String id = nodeId + "~" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        connection.attributes().put(PROPERTY, id);
        connection.addResponseHeader(HEADER, id);
    }

    @Override
    public void opened(ClientConnection connection) {
        open.put(key(connection), connection);
    }

    @Override
    public void closed(ClientConnection connection, int code, String reason) {
        open.remove(key(connection), connection);
    }

    /** The id of a connection: the cluster-wide one, or (for one that opened before this listener) the local one. */
    private static String key(ClientConnection c) {
        Object id = c.attributes().get(PROPERTY);
        return id instanceof String ? (String) id : c.id();
    }

    /** The open connection of this id, or null. */
    public ClientConnection get(String id) {
        return id == null ? null : open.get(id);
    }

    /** The id the connections API knows {@code c} by. */
    public static String idOf(ClientConnection c) {
        return key(c);
    }

    /** The open connections {@code which} selects. */
    public List<ClientConnection> select(Predicate<ClientConnection> which) {
        List<ClientConnection> out = new ArrayList<>();
        for (ClientConnection c : open.values()) {
            if (which.test(c)) {
                out.add(c);
            }
        }
        return out;
    }

    /** Closes every open connection {@code which} selects; returns how many. */
    public int close(Predicate<ClientConnection> which, int code, String reason) {
        int n = 0;
        for (ClientConnection c : open.values()) {
            if (which.test(c) && open.remove(key(c), c)) {
                c.close(code, reason);
                n++;
            }
        }
        return n;
    }

    /** How many open connections {@code which} selects. */
    public int count(Predicate<ClientConnection> which) {
        int n = 0;
        for (ClientConnection c : open.values()) {
            if (which.test(c)) {
                n++;
            }
        }
        return n;
    }
}
