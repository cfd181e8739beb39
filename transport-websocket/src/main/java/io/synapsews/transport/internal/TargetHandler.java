package io.synapsews.transport.internal;

import java.util.concurrent.TimeUnit;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketHandshakeException;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.synapsews.transport.netty.LivenessHandler;
import io.synapsews.transport.netty.LivenessSettings;
import io.synapsews.transport.netty.Utf8Validation;
import io.synapsews.transport.spi.HandshakeException;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/** The backend side of a connection: runs the client handshake, then hands frames to the connection. */
final class TargetHandler extends ChannelInboundHandlerAdapter {

    private static final Log log = LogFactory.getLog(TargetHandler.class);

    private final TargetConnection connection;
    private final WebSocketClientHandshaker handshaker;
    private final int handshakeTimeoutMillis;
    private final int maxMessageLength;
    private final LivenessSettings liveness;
    private ScheduledFuture<?> handshakeTimeout;

    TargetHandler(TargetConnection connection, WebSocketClientHandshaker handshaker, TransportSenderConfig config) {
        this.connection = connection;
        this.handshaker = handshaker;
        this.handshakeTimeoutMillis = config.handshakeTimeoutMillis;
        this.maxMessageLength = config.maxMessageLength;
        this.liveness = config.liveness;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        handshakeTimeout = ctx.executor().schedule(() -> connection.handshakeFailed(
                new HandshakeException(504, "backend " + connection.url() + " did not complete the handshake within "
                        + handshakeTimeoutMillis + " ms")), handshakeTimeoutMillis, TimeUnit.MILLISECONDS);
        handshaker.handshake(ctx.channel()).addListener(f -> {
            if (!f.isSuccess()) {
                connection.handshakeFailed(new HandshakeException(502, "cannot send handshake to " + connection.url()
                        + ": " + rootCause(f.cause()), f.cause()));
            }
        });
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!handshaker.isHandshakeComplete()) {
            if (!(msg instanceof FullHttpResponse)) {
                ReferenceCountUtil.release(msg);
                return;
            }
            FullHttpResponse response = (FullHttpResponse) msg;
            try {
                handshaker.finishHandshake(ctx.channel(), response);
                // text from the backend must be valid UTF-8 too, or it would reach the client as it came
                ctx.pipeline().addBefore(ctx.name(), "ws-utf8", new Utf8Validation(true));
                ctx.pipeline().addBefore(ctx.name(), "ws-aggregator", new WebSocketFrameAggregator(maxMessageLength));
                if (liveness.needed()) {
                    // first after the decoder: every frame from the backend counts as a sign of life
                    ctx.pipeline().addBefore("ws-utf8", "ws-liveness", new LivenessHandler(connection.liveness(), liveness));
                }
                cancelTimeout();
                connection.handshakeSucceeded(handshaker.actualSubprotocol());
            } catch (WebSocketHandshakeException e) {
                cancelTimeout();
                connection.handshakeFailed(new HandshakeException(502, "backend " + connection.url()
                        + " refused the handshake: " + response.status(), e));
            } finally {
                response.release();
            }
            return;
        }
        if (msg instanceof CloseWebSocketFrame) {
            connection.closeReceived((CloseWebSocketFrame) msg);
        } else if ((msg instanceof PingWebSocketFrame || msg instanceof PongWebSocketFrame)
                && connection.source().passesControlFrames()) {
            connection.frameReceived((WebSocketFrame) msg); // to the client, like a message
        } else if (msg instanceof PingWebSocketFrame) {
            ctx.writeAndFlush(new PongWebSocketFrame(((PingWebSocketFrame) msg).content()));
            connection.pongSent();
        } else if (msg instanceof PongWebSocketFrame) {
            ReferenceCountUtil.release(msg);
        } else if (msg instanceof WebSocketFrame) {
            connection.frameReceived((WebSocketFrame) msg);
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        connection.writabilityChanged();
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancelTimeout();
        connection.channelClosed();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!handshaker.isHandshakeComplete()) {
            connection.handshakeFailed(new HandshakeException(502, "backend " + connection.url() + ": " + rootCause(cause), cause));
        } else {
            log.warn(connection.source().id() + " " + connection.source().endpointName() + ": backend " + connection.url()
                    + " failed: " + cause);
            ctx.close();
        }
    }

    /** The innermost cause, which for TLS failures is the one that says what was wrong. */
    private static String rootCause(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c.toString();
    }

    private void cancelTimeout() {
        if (handshakeTimeout != null) {
            handshakeTimeout.cancel(false);
        }
    }
}
