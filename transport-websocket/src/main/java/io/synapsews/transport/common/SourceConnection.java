package io.synapsews.transport.common;

import io.netty.handler.codec.http.websocketx.WebSocketFrame;

import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;

/**
 * A client connection accepted by a WebSocket inbound endpoint, as the transport sender and the
 * response path see it. It travels with every message of the connection in the axis2-scope
 * property {@link WebSocketProperties#SOURCE_CONNECTION}.
 */
public interface SourceConnection {

    /** Connection id, as logged and as set in {@code websocket.source.channel.identifier}. */
    String id();

    String endpointName();

    /** The handshake request headers, names as the client sent them. */
    Map<String, String> handshakeHeaders();

    /** Subprotocols the client offered, in its order. */
    List<String> requestedSubprotocols();

    /** The backend leg to this URL, or null when there is none yet. */
    TargetLink target(String url);

    /** Registers a backend leg; it is closed with this connection. */
    void addTarget(TargetLink target);

    /**
     * The client connection's event loop. The sender registers the connection's backend legs on it, so
     * that a relayed frame crosses from one leg to the other without changing threads.
     */
    io.netty.channel.EventLoop eventLoop();

    /** Runs backend-to-client mediation of this connection, one message at a time, in order. */
    Executor outboundExecutor();

    /** The endpoint's own outflow sequence, or null when it names none. */
    String outflowSequence();

    /** The endpoint's own outflow fault sequence, or null when it names none. */
    String outflowFaultSequence();

    /** Delivers a frame to the client; the connection takes ownership of the frame. */
    void deliver(WebSocketFrame frame);

    /**
     * Whether pings and pongs cross to the other leg ({@code ws.pass.through.control.frames}) instead of
     * being answered by the gateway on each leg.
     */
    boolean passesControlFrames();

    /**
     * Whether backend messages of this connection skip outflow mediation because its outflow
     * sequence only responds ({@link RelayLane}); decided when the connection opens.
     */
    boolean relaysBackendMessages();

    /**
     * Hands a backend frame to the client, and to whoever else the endpoint's broadcast level names,
     * as {@code <respond/>} would; the connection takes ownership of the frame.
     */
    void relay(WebSocketFrame frame);

    /**
     * The backend leg closed (or vanished, code 1014): close the client with this code and
     * reason once everything queued before it has been delivered.
     */
    void closeFromTarget(TargetLink target, int code, String reason);

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

    /** Closes the connection with this code and reason (both legs). */
    void close(int code, String reason);

    /** Closes the connection with this code and reason at the given time unless it closes first. */
    void closeAt(long epochMillis, int code, String reason);

    /** Whether the client can take more now (its connection's write buffer is under its high mark). */
    boolean isWritable();

    /** A backend leg became writable or unwritable: the client side reads again or pauses. */
    void targetWritabilityChanged();

    /** The transport the response path of this connection leaves through. */
    org.apache.axis2.description.TransportOutDescription responseTransport();
}
