package io.synapsews.transport.spi;

import java.util.concurrent.CompletableFuture;

import io.netty.handler.codec.http.websocketx.WebSocketFrame;

/**
 * The backend leg of a client connection as the client side sees it. The transport sender opens
 * it while the client's handshake is mediated; the client side waits for {@link #handshake()}
 * before it answers the client, lets it read once the client is accepted, and closes it with
 * the client.
 */
public interface TargetLink {

    /** The backend URL this leg is connected to. */
    String url();

    /**
     * Completes with the subprotocol the backend chose (null for none) once the backend
     * handshake succeeded, or exceptionally with a {@link HandshakeException}.
     */
    CompletableFuture<String> handshake();

    /**
     * Sends a frame to the backend, after the handshake if it is still running; the leg takes
     * ownership of the frame (a leg that is closing or failed releases it).
     */
    void send(WebSocketFrame frame);

    /** The client was accepted: backend messages may flow from now on. */
    void activate();

    /** Whether the backend can take more now (its connection's write buffer is under its high mark). */
    boolean isWritable();

    /** The client's connection became writable or unwritable: the backend leg reads again or pauses. */
    void sourceWritabilityChanged();

    /** Closes the backend leg with this code and reason (code 0 sends an empty close frame). */
    void close(int code, String reason);
}
