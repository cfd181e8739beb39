package io.synapsews.inbound.internal;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.util.concurrent.ScheduledFuture;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import java.util.concurrent.TimeUnit;

/**
 * Keeps a client connection honest once it is open: pings it when it has sent nothing for the
 * ping interval and closes it (1001, and the backend legs with it) when nothing comes back within
 * the pong timeout; closes it after the idle timeout without data frames either way, and at the
 * end of its maximum lifetime. Every check runs on the channel's event loop.
 */
final class SourceLivenessHandler extends ChannelDuplexHandler {

    private static final Log log = LogFactory.getLog(SourceLivenessHandler.class);

    private final InboundSourceConnection connection;
    private final long pingNanos;
    private final long pongTimeoutNanos;
    private final long idleNanos;
    private long lastRead;
    private long lastData;
    private long pingSentAt;
    private ScheduledFuture<?> tick;

    SourceLivenessHandler(InboundSourceConnection connection, InboundEndpointConfig config) {
        this.connection = connection;
        this.pingNanos = TimeUnit.MILLISECONDS.toNanos(config.pingIntervalMillis());
        this.pongTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(config.pongTimeoutMillis());
        this.idleNanos = TimeUnit.MILLISECONDS.toNanos(config.idleTimeoutMillis());
    }

    static boolean needed(InboundEndpointConfig config) {
        return config.pingIntervalMillis() > 0 || config.idleTimeoutMillis() > 0;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        lastRead = lastData = System.nanoTime();
        long period = Long.MAX_VALUE;
        for (long n : new long[] {pingNanos, pongTimeoutNanos, idleNanos}) {
            if (n > 0) {
                period = Math.min(period, n);
            }
        }
        long every = Math.max(TimeUnit.MILLISECONDS.toNanos(10), period / 4);
        tick = ctx.executor().scheduleAtFixedRate(() -> check(ctx), every, every, TimeUnit.NANOSECONDS);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (tick != null) {
            tick.cancel(false);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        long now = System.nanoTime();
        lastRead = now;
        pingSentAt = 0;
        if (isData(msg)) {
            lastData = now;
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (isData(msg)) {
            lastData = System.nanoTime();
        }
        ctx.write(msg, promise);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (tick != null) {
            tick.cancel(false);
        }
        ctx.fireChannelInactive();
    }

    private static boolean isData(Object msg) {
        return msg instanceof TextWebSocketFrame || msg instanceof BinaryWebSocketFrame || msg instanceof ContinuationWebSocketFrame;
    }

    private void check(ChannelHandlerContext ctx) {
        if (!ctx.channel().isActive() || connection.state() != InboundSourceConnection.State.OPEN) {
            return;
        }
        long now = System.nanoTime();
        if (idleNanos > 0 && now - lastData >= idleNanos) {
            log.info(connection.logTag() + " no data for " + TimeUnit.NANOSECONDS.toMillis(idleNanos) + " ms: closing");
            tick.cancel(false);
            connection.close(1001, "idle timeout");
            return;
        }
        if (pingNanos <= 0) {
            return;
        }
        if (pingSentAt != 0) {
            if (now - pingSentAt >= pongTimeoutNanos) {
                log.warn(connection.logTag() + " no pong within " + TimeUnit.NANOSECONDS.toMillis(pongTimeoutNanos)
                        + " ms: closing the client and its backend legs");
                tick.cancel(false);
                connection.close(1001, "no pong");
                // a dead peer does not answer the close either
                ctx.executor().schedule(() -> { ctx.close(); }, 1, TimeUnit.SECONDS);
            }
        } else if (now - lastRead >= pingNanos) {
            pingSentAt = now;
            ctx.writeAndFlush(new PingWebSocketFrame());
        }
    }
}
