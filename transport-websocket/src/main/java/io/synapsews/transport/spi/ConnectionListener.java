package io.synapsews.transport.spi;

/**
 * Observes the life of client connections: the hook analytics and auditing hang on. Methods are
 * called on network or mediation threads and must not block; a listener that throws is logged
 * and otherwise ignored.
 */
public interface ConnectionListener {

    /**
     * The client's upgrade request passed the endpoint's own checks and its handshake is about to be mediated:
     * a listener may put attributes on the connection (its handshake mediation sees them) and headers for its
     * 101 ({@link ClientConnection#addResponseHeader}).
     */
    default void handshaking(ClientConnection connection) {
    }

    /** The client was answered 101. */
    default void opened(ClientConnection connection) {
    }

    /**
     * A message went through mediation: {@code fromClient} true for client-to-backend, false for
     * backend-to-client; {@code bytes} is the payload size as received.
     */
    default void message(ClientConnection connection, boolean fromClient, int bytes, long mediationNanos) {
    }

    /** The handshake was answered with an HTTP error instead of 101. */
    default void rejected(ClientConnection connection, int status, String reason) {
    }

    /** An open connection closed, with the close code the client got or sent (1006 if none). */
    default void closed(ClientConnection connection, int code, String reason) {
    }
}
