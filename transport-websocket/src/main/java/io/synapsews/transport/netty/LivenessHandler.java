package io.synapsews.transport.netty;

import java.util.concurrent.TimeUnit;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.util.concurrent.ScheduledFuture;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * Keeps one leg of a connection (the client's or a backend's) honest once it is open: pings the peer
 * when it has sent nothing for the ping interval, and tells the owner when nothing comes back within the
 * pong timeout (forcing the channel closed a second later, since a dead peer answers no close either);
 * tells the owner when no data frame has gone either way for the idle timeout, when nothing at all was
 * read for the reader idle time, or nothing written for the writer idle time. Every check runs on the
 * channel's event loop; a setting of 0 turns its check off.
 */
public final class LivenessHandler extends ChannelDuplexHandler {

    private static final Log log = LogFactory.getLog(LivenessHandler.class);

    /** The connection a leg belongs to, which decides what closing means. */
    public interface Owner {
        /** Whether the leg is open (checks stop otherwise). */
        boolean isOpen();

        /** How log lines name the leg. */
        String logTag();

        /** Nothing came back within the pong timeout of a ping. */
        void noPong();

        /** No data frame went either way for the idle timeout, or the leg was reader or writer idle. */
        void idle();
    }

    private final Owner owner;
    private final Ticker ticker;
    private final long pingNanos;
    private final long pongTimeoutNanos;
    private final long idleNanos;
    private final long readerIdleNanos;
    private final long writerIdleNanos;
    // every field below is read and written on the channel's event loop only
    private long lastRead;
    private long lastWrite;
    private long lastData;
    private long pingSentAt;
    private ScheduledFuture<?> tick;

    public LivenessHandler(Owner owner, LivenessSettings settings) {
        this(owner, settings, Ticker.SYSTEM);
    }

    /** With the clock the checks read (a hand-driven one in tests). */
    public LivenessHandler(Owner owner, LivenessSettings settings, Ticker ticker) {
        this.owner = owner;
        this.ticker = ticker;
        this.pingNanos = settings.pingInterval().toNanos();
        this.pongTimeoutNanos = settings.pongTimeout().toNanos();
        this.idleNanos = settings.idleTimeout().toNanos();
        this.readerIdleNanos = settings.readerIdle().toNanos();
        this.writerIdleNanos = settings.writerIdle().toNanos();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        lastRead = lastData = lastWrite = ticker.nanoTime();
        long period = Long.MAX_VALUE;
        for (long n : new long[] {pingNanos, pongTimeoutNanos, idleNanos, readerIdleNanos, writerIdleNanos}) {
            if (n > 0) {
                period = Math.min(period, n);
            }
        }
        long every = Math.max(TimeUnit.MILLISECONDS.toNanos(10), period / 4);
        tick = ctx.executor().scheduleAtFixedRate(() -> check(ctx), every, every, TimeUnit.NANOSECONDS);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        stop();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        long now = ticker.nanoTime();
        lastRead = now;
        pingSentAt = 0;
        if (isData(msg)) {
            lastData = now;
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        long now = ticker.nanoTime();
        lastWrite = now;
        if (isData(msg)) {
            lastData = now;
        }
        ctx.write(msg, promise);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        stop();
        ctx.fireChannelInactive();
    }

    private void stop() {
        if (tick != null) {
            tick.cancel(false);
        }
    }

    private static String millis(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos) + " ms";
    }

    private static boolean isData(Object msg) {
        return msg instanceof TextWebSocketFrame || msg instanceof BinaryWebSocketFrame || msg instanceof ContinuationWebSocketFrame;
    }

    private void check(ChannelHandlerContext ctx) {
        if (!ctx.channel().isActive() || !owner.isOpen()) {
            return;
        }
        long now = ticker.nanoTime();
        String idle = idleNanos > 0 && now - lastData >= idleNanos ? "no data for " + millis(idleNanos)
                : readerIdleNanos > 0 && now - lastRead >= readerIdleNanos ? "nothing read for " + millis(readerIdleNanos)
                : writerIdleNanos > 0 && now - lastWrite >= writerIdleNanos ? "nothing written for " + millis(writerIdleNanos)
                : null;
        if (idle != null) {
            log.info(owner.logTag() + " " + idle + ": closing");
            stop();
            owner.idle();
            return;
        }
        if (pingNanos <= 0) {
            return;
        }
        if (pingSentAt != 0) {
            if (now - pingSentAt >= pongTimeoutNanos) {
                log.warn(owner.logTag() + " no pong within " + TimeUnit.NANOSECONDS.toMillis(pongTimeoutNanos)
                        + " ms of a ping: closing");
                stop();
                owner.noPong();
                ctx.executor().schedule(() -> {
                    ctx.close();
                }, 1, TimeUnit.SECONDS);
            }
        } else if (now - lastRead >= pingNanos) {
            pingSentAt = now;
            ctx.writeAndFlush(new PingWebSocketFrame());
        }
    }
}
