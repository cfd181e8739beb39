package io.synapsews.transport.netty;

import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.synapsews.transport.spi.CloseCodes;

/**
 * What both legs of a connection (client and backend) do with outgoing frames: hold them while
 * the handshake runs, write them in order once it is done, drop them once closing, and start a
 * close handshake that does not wait forever for the peer's answer. Used on the channel's event
 * loop, except {@link #offerFromAnyThread} and the byte counts.
 */
public final class LegOutbox {

    private static final long CLOSE_GRACE_MILLIS = 2000;

    /**
     * Bytes of frames on their way to the event loop past which the leg counts as not writable: Netty's
     * default write-buffer high water mark.
     */
    public static final long IN_TRANSIT_MARK = 64 * 1024;

    private enum Mode { HOLD, PASS, DROP }

    private final Channel channel;
    private final ArrayDeque<WebSocketFrame> held = new ArrayDeque<>();
    private Mode mode = Mode.HOLD;
    /** Bytes of the held frames; written on the event loop, read from any thread (writability checks). */
    private volatile long heldBytes;
    /** Bytes of frames handed to the event loop by other threads and not offered yet. */
    private final AtomicLong inTransit = new AtomicLong();

    public LegOutbox(Channel channel) {
        this.channel = channel;
    }

    /** Holds, writes or drops the frame, by whether the leg is still opening, open or closing. */
    public void offer(WebSocketFrame frame) {
        switch (mode) {
            case HOLD:
                held.add(frame);
                heldBytes += frame.content().readableBytes();
                break;
            case PASS:
                channel.writeAndFlush(frame, channel.voidPromise());
                break;
            default:
                frame.release();
        }
    }

    /**
     * {@link #offer} from any thread: on the event loop at once, from another thread (a mediation thread)
     * through a task, counted as in transit until it has run. A frame on its way to the event loop
     * is not in the channel's write buffer yet, so the channel still says writable; without the count a
     * thread checking writability before each frame would queue thousands before the channel's own count
     * moved. {@code drained} runs on the event loop when the count falls back under {@link #IN_TRANSIT_MARK}.
     */
    public void offerFromAnyThread(WebSocketFrame frame, Runnable drained) {
        if (channel.eventLoop().inEventLoop()) {
            offer(frame);
            return;
        }
        long cost = FlowGate.cost(frame.content().readableBytes());
        inTransit.addAndGet(cost);
        channel.eventLoop().execute(() -> {
            offer(frame);
            long left = inTransit.addAndGet(-cost);
            if (left < IN_TRANSIT_MARK && left + cost >= IN_TRANSIT_MARK) {
                drained.run(); // what paused on the count alone may go on
            }
        });
    }

    /** Whether the frames on their way to the event loop are under {@link #IN_TRANSIT_MARK}; any thread. */
    public boolean inTransitUnderMark() {
        return inTransit.get() < IN_TRANSIT_MARK;
    }

    /** Bytes held while the leg is still opening: a backlog the flow gates count as "not writable". */
    public long heldBytes() {
        return heldBytes;
    }

    /** The leg is open: writes the held frames, in order, and every later one at once. */
    public void open() {
        if (mode != Mode.HOLD) {
            return;
        }
        mode = Mode.PASS;
        heldBytes = 0;
        WebSocketFrame f;
        while ((f = held.poll()) != null) {
            channel.write(f, channel.voidPromise());
        }
        channel.flush();
    }

    /** The leg is closing: drops the held frames and every later one. */
    public void drop() {
        mode = Mode.DROP;
        heldBytes = 0;
        WebSocketFrame f;
        while ((f = held.poll()) != null) {
            f.release();
        }
    }

    /**
     * Sends a close frame ({@code code} 0 or less: an empty one) and closes the connection when the
     * peer has not done so within a grace period.
     */
    public void startClose(int code, String reason) {
        channel.writeAndFlush(closeFrame(code, reason));
        channel.eventLoop().schedule(() -> {
            channel.close();
        }, CLOSE_GRACE_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** A close frame with this code and reason, or an empty one for a code of 0 or less; see {@link CloseCodes#frame}. */
    public static CloseWebSocketFrame closeFrame(int code, String reason) {
        return CloseCodes.frame(code, reason);
    }
}
