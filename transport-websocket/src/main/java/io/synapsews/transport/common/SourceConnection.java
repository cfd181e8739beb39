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

    /** Runs backend-to-client mediation of this connection, one message at a time, in order. */
    Executor outboundExecutor();

    /** The endpoint's own outflow sequence, or null when it names none. */
    String outflowSequence();

    /** The endpoint's own outflow fault sequence, or null when it names none. */
    String outflowFaultSequence();

    /** Delivers a frame to the client; the connection takes ownership of the frame. */
    void deliver(WebSocketFrame frame);

    /**
     * The backend leg closed (or vanished, code 1014): close the client with this code and
     * reason once everything queued before it has been delivered.
     */
    void closeFromTarget(TargetLink target, int code, String reason);

    /** The transport the response path of this connection leaves through. */
    org.apache.axis2.description.TransportOutDescription responseTransport();
}
