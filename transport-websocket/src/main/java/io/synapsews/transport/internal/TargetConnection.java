package io.synapsews.transport.internal;

import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.synapsews.transport.netty.FlowGate;
import io.synapsews.transport.netty.LegOutbox;
import io.synapsews.transport.netty.LegState;
import io.synapsews.transport.netty.LivenessHandler;
import io.synapsews.transport.payload.PayloadCodec;
import io.synapsews.transport.spi.CloseCodes;
import io.synapsews.transport.spi.ConnectionListeners;
import io.synapsews.transport.spi.HandshakeException;
import io.synapsews.transport.spi.SourceLeg;
import io.synapsews.transport.spi.TargetLink;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * One backend connection of one client connection. Every state change happens on the backend
 * channel's event loop, so writes keep their order even while the handshake is still running.
 */
final class TargetConnection implements TargetLink {


    private static final Log log = LogFactory.getLog(TargetConnection.class);

    private final String url;
    private final SourceLeg source;
    private final OutflowDispatcher dispatcher;
    private final String contentType;
    private final CompletableFuture<String> handshake = new CompletableFuture<>();
    private final ArrayDeque<WebSocketFrame> earlyReads = new ArrayDeque<>();
    // set once by bind(), from the connector's thread or the channel's initializer; read from any thread
    private volatile Channel channel;
    private volatile LegOutbox outbox;
    private volatile FlowGate gate;
    /** Connecting → open → closing → closed, with the code the backend leg closed with; changed on the event loop. */
    private final LegState state = new LegState();
    /** The client has its 101 and this leg may hand frames on; event loop only. */
    private boolean active;
    // earlyReads: frames read before the leg was active; event loop only

    TargetConnection(String url, SourceLeg source, OutflowDispatcher dispatcher, String contentType) {
        this.url = url;
        this.source = source;
        this.dispatcher = dispatcher;
        this.contentType = contentType;
    }

    /** Binds the channel once: from the channel's initializer, or from the connector, whichever is first. */
    synchronized void bind(Channel channel) {
        if (this.channel == null) {
            this.state.ownedBy(channel.eventLoop());
            this.outbox = new LegOutbox(channel);
            // backend messages waiting for mediation or for the client: past the mark, or while the client or
            // this leg itself (pongs the backend does not read) cannot take more, stop reading the backend
            this.gate = new FlowGate(channel, FlowGate.DEFAULT_HIGH, () -> source.isWritable() && channel.isWritable(),
                    () -> active && state.isOpen());
            this.channel = channel;
        }
    }

    SourceLeg source() {
        return source;
    }

    String contentType() {
        return contentType;
    }

    @Override
    public String url() {
        return url;
    }

    @Override
    public CompletableFuture<String> handshake() {
        return handshake;
    }

    @Override
    public void activate() {
        channel.eventLoop().execute(() -> {
            if (active || !state.isOpen()) {
                return;
            }
            active = true;
            WebSocketFrame f;
            while ((f = earlyReads.poll()) != null) {
                dispatch(f);
            }
            if (!gate.isPaused()) {
                channel.config().setAutoRead(true);
            }
        });
    }

    /**
     * Whether the backend can take more: its channel under the write-buffer high mark, the frames mediation
     * threads handed over on the event loop or nearly (see {@link LegOutbox#offerFromAnyThread}), and what
     * waits for the handshake (a leg a sequence opened mid-connection) under the flow gate's mark.
     */
    @Override
    public boolean isWritable() {
        Channel ch = channel;
        LegOutbox o = outbox;
        return ch == null || (ch.isWritable() && o.inTransitUnderMark() && o.heldBytes() < FlowGate.DEFAULT_HIGH);
    }

    @Override
    public void sourceWritabilityChanged() {
        FlowGate g = gate;
        if (g != null) {
            g.peerWritabilityChanged();
        }
    }

    @Override
    public void send(WebSocketFrame frame) {
        // on this loop when relayed from the client leg
        outbox.offerFromAnyThread(frame, source::targetWritabilityChanged);
    }

    @Override
    public void close(int code, String reason) {
        try {
            channel.eventLoop().execute(() -> closeNow(code, reason));
        } catch (RejectedExecutionException stopped) {
            log.debug(source.id() + " " + source.endpointName() + ": backend " + url + ": event loop stopped, the connection closed with it");
        }
    }

    private void closeNow(int code, String reason) {
        LegState.CloseAction action = state.startClose(code, reason);
        if (action == LegState.CloseAction.NONE) {
            return;
        }
        releasePending();
        if (action == LegState.CloseAction.SEND_CLOSE && channel.isActive()) {
            outbox.startClose(code, reason);
        } else {
            channel.close();
        }
        handshake.completeExceptionally(new HandshakeException(502, "closed before the handshake completed"));
    }

    /**
     * What the backend leg's liveness check closes: a backend that answers no ping is closed, and its
     * client gets 1001, as when any backend leg is lost.
     */
    LivenessHandler.Owner liveness() {
        return new LivenessHandler.Owner() {
            @Override
            public boolean isOpen() {
                return state.isOpen();
            }

            @Override
            public String logTag() {
                return source.id() + " " + source.endpointName() + ": backend " + url;
            }

            @Override
            public void noPong() {
                source.closeFromTarget(TargetConnection.this, CloseCodes.GOING_AWAY, "backend not responding");
                closeNow(CloseCodes.GOING_AWAY, "no pong");
            }

            @Override
            public void idle() {
                closeNow(CloseCodes.GOING_AWAY, "idle timeout");
            }
        };
    }

    // ---- called by TargetHandler, on the event loop ----

    void handshakeSucceeded(String subprotocol) {
        if (!state.open()) {
            return;
        }
        boolean held = outbox.heldBytes() > 0;
        outbox.open();
        if (held) {
            source.targetWritabilityChanged(); // what waited for the handshake no longer holds the client back
        }
        if (!active) {
            // nothing may reach the client before it has been answered
            channel.config().setAutoRead(false);
        }
        handshake.complete(subprotocol);
    }

    void handshakeFailed(HandshakeException e) {
        if (state.closed() == LegState.Phase.CLOSED) {
            return;
        }
        releasePending();
        if (channel != null) {
            channel.close();
        }
        if (!handshake.completeExceptionally(e) && active) {
            source.closeFromTarget(this, CloseCodes.BAD_GATEWAY, "backend handshake failed");
        }
    }

    /** The backend's connection became writable or not: the client side may read again or pause. */
    void writabilityChanged() {
        source.targetWritabilityChanged();
        FlowGate g = gate;
        if (g != null) {
            g.peerWritabilityChanged();
        }
    }

    /** A pong was written to the backend: a backend flooding pings and reading nothing is not read either. */
    void pongSent() {
        gate.handedOn();
    }

    void frameReceived(WebSocketFrame frame) {
        if (!state.isOpen()) {
            frame.release();
        } else if (!active) {
            earlyReads.add(frame);
        } else {
            dispatch(frame);
        }
    }

    void closeReceived(CloseWebSocketFrame frame) {
        int code = frame.statusCode();
        String reason = frame.reasonText();
        frame.release();
        boolean open = state.isOpen();
        boolean answer = state.closeReceived(code, reason);
        releasePending();
        if (open && !answer) {
            // answer the close handshake, then drop the connection
            channel.writeAndFlush(LegOutbox.closeFrame(code, reason)).addListener(ChannelFutureListener.CLOSE);
            source.closeFromTarget(this, code, reason);
        } else {
            channel.close();
        }
    }

    void channelClosed() {
        LegState.Phase before = state.closed();
        releasePending();
        if (before == LegState.Phase.STARTING) {
            handshake.completeExceptionally(new HandshakeException(502, "backend closed the connection during the handshake"));
        } else if (before == LegState.Phase.OPEN) {
            log.warn(source.id() + " " + source.endpointName() + ": backend " + url + " vanished without a close");
            source.closeFromTarget(this, CloseCodes.BAD_GATEWAY, "backend connection lost");
        }
    }

    private void dispatch(WebSocketFrame frame) {
        boolean control = frame instanceof PingWebSocketFrame || frame instanceof PongWebSocketFrame;
        if (control && source.relaysBackendMessages()) {
            source.deliver(frame); // a passed-through ping or pong: to this client only
            gate.handedOn();
            return;
        }
        if (control) {
            boolean ping = frame instanceof PingWebSocketFrame;
            byte[] bytes = PayloadCodec.drain(frame);
            gate.submit(source.outboundExecutor(), bytes.length, () -> dispatcher.dispatchControl(this, ping, bytes));
            return;
        }
        if (source.relaysBackendMessages()) {
            ConnectionListeners.message(source, false, frame.content().readableBytes(), 0);
            source.relay(frame); // which counts the lane it took
            gate.handedOn(); // the client full: stop reading the backend, as the mediated path does
            return;
        }
        boolean binary = frame instanceof BinaryWebSocketFrame;
        byte[] bytes = PayloadCodec.drain(frame);
        gate.submit(source.outboundExecutor(), bytes.length, () -> dispatcher.dispatch(this, binary, bytes));
    }

    private void releasePending() {
        if (outbox != null) {
            outbox.drop();
        }
        WebSocketFrame f;
        while ((f = earlyReads.poll()) != null) {
            f.release();
        }
    }

    @Override
    public String toString() {
        return url;
    }
}
