package io.synapsews.transport.spi;

import java.util.List;
import java.util.Map;

import io.netty.handler.codec.http.websocketx.WebSocketFrame;

/**
 * A client connection accepted by a WebSocket inbound endpoint, as mediators and
 * {@link ConnectionListener}s see it: who connected, to what, the properties of the connection, and
 * how to refuse, close or answer it. The transport sender sees more of it ({@link SourceLeg}). It
 * travels with every message of the connection in the axis2-scope property
 * {@link WebSocketProperties#SOURCE_CONNECTION}.
 */
public interface ClientConnection {

    /** Connection id, as logged and as set in {@code websocket.source.channel.identifier}. */
    String id();

    String endpointName();

    /** The handshake request headers, names as the client sent them. */
    Map<String, String> handshakeHeaders();

    /** Subprotocols the client offered, in its order. */
    List<String> requestedSubprotocols();

    /** Delivers a frame to the client; the connection takes ownership of the frame. */
    void deliver(WebSocketFrame frame);

    /** The request path and query the client connected to. */
    String path();

    /** When the client was answered 101, in epoch milliseconds; 0 while the handshake runs. */
    long openedAtMillis();

    /**
     * Properties of this connection, copied onto every later message of it in both directions
     * (token validation puts the API, application and tier here at the handshake).
     */
    Map<String, Object> attributes();

    /**
     * Answers the handshake with this HTTP status, extra headers and body instead of 101;
     * {@code reason} is the short label analytics count the rejection under.
     */
    void rejectHandshake(int status, Map<String, String> headers, String body, String reason);

    /**
     * Removes an entry the client offered in {@code Sec-WebSocket-Protocol} (for example one that
     * carries a token): it is neither negotiated with the backend nor forwarded.
     */
    void hideSubprotocol(String entry);

    /**
     * Removes a query parameter (for example one that carries a token) from {@link #path()}, so
     * that logs, analytics and later messages never see it.
     */
    void removeQueryParameter(String name);

    /**
     * Adds a header to the 101 answer of the handshake (listeners and handshake mediators call it before the
     * answer; later calls are ignored). The name must be an HTTP token; the value is written with control
     * characters removed.
     */
    void addResponseHeader(String name, String value);

    /** Closes the connection with this code and reason (both legs). */
    void close(int code, String reason);

    /** Closes the connection with this code and reason at the given time unless it closes first. */
    void closeAt(long epochMillis, int code, String reason);

    /** Whether the client can take more now (its connection's write buffer is under its high mark). */
    boolean isWritable();
}
