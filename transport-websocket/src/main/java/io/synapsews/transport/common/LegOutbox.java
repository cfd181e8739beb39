package io.synapsews.transport.common;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;

import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * What both legs of a connection (client and backend) do with outgoing frames: hold them while
 * the handshake runs, write them in order once it is done, drop them once closing, and start a
 * close handshake that does not wait forever for the peer's answer. Used on the channel's event
 * loop only.
 */
public final class LegOutbox {

    private static final long CLOSE_GRACE_MILLIS = 2000;

    private enum Mode { HOLD, PASS, DROP }

    private final Channel channel;
    private final ArrayDeque<WebSocketFrame> held = new ArrayDeque<>();
    private Mode mode = Mode.HOLD;
    /** Bytes of the held frames; written on the event loop, read from any thread (writability checks). */
    private volatile long heldBytes;

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
