package io.synapsews.transport.spi;

/**
 * What a mediator does to a message when that needs nothing of the message but its connection, its
 * direction and its size (a counter, a check made at the handshake): the compiled lane runs it on the
 * connection's event loop, without a message context, instead of mediating the message.
 */
@FunctionalInterface
public interface MessageStep {

    /** Does nothing and lets the message on (a mediator whose work is done at the handshake). */
    MessageStep PASS = (connection, fromClient, bytes) -> true;

    /**
     * The step for one message of {@code bytes} payload bytes; false when the message goes no further
     * (the step has answered the client or closed the connection itself, as its mediator would have).
     * Runs on the connection's event loop: it must not block.
     */
    boolean onMessage(ClientConnection connection, boolean fromClient, int bytes);
}
