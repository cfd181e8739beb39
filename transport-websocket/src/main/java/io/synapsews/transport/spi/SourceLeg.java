package io.synapsews.transport.spi;

import java.util.concurrent.Executor;

import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import org.apache.axis2.description.TransportOutDescription;

/**
 * The client connection as the transport sender and the response path see it: its backend legs,
 * its event loop and executor, its outflow sequences, and the calls that cross between the legs.
 * Implemented by the inbound endpoint bundle; only the transport bundle calls it.
 */
public interface SourceLeg extends ClientConnection {

    /** The backend leg to this URL, or null when there is none yet. */
    TargetLink target(String url);

    /** Registers a backend leg; it is closed with this connection. */
    void addTarget(TargetLink target);

    /**
     * The client connection's event loop. The sender registers the connection's backend legs on it, so
     * that a relayed frame crosses from one leg to the other without changing threads.
     */
    EventLoop eventLoop();

    /** Runs backend-to-client mediation of this connection, one message at a time, in order. */
    Executor outboundExecutor();

    /** The endpoint's own outflow sequence, or null when it names none. */
    String outflowSequence();

    /** The endpoint's own outflow fault sequence, or null when it names none. */
    String outflowFaultSequence();

    /**
     * Whether pings and pongs cross to the other leg ({@code ws.pass.through.control.frames}) instead of
     * being answered by the gateway on each leg.
     */
    boolean passesControlFrames();

    /**
     * Whether backend messages of this connection skip outflow mediation because its outflow
     * sequence only responds (the inbound bundle's relay lane); decided when the connection opens.
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

    /** A backend leg became writable or unwritable: the client side reads again or pauses. */
    void targetWritabilityChanged();

    /** The transport the response path of this connection leaves through. */
    TransportOutDescription responseTransport();
}
