package io.synapsews.transport.netty;

import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import io.netty.channel.Channel;

/**
 * Backpressure for one direction of a connection: the bytes read on one leg that the other leg
 * has not taken yet (queued for mediation). Past the high mark, or while the other leg's channel
 * is not writable (its peer reads slowly), the reading leg stops reading; it reads again once the
 * backlog is under the low mark and the other leg is writable. Memory per connection stays bounded
 * by the marks plus Netty's write-buffer water marks.
 */
public final class FlowGate {

    public static final long DEFAULT_HIGH = 4L * 1024 * 1024;

    /**
     * What a queued message costs beyond its payload (its array, the queued task, the executor's node):
     * counted so that a flood of one-byte messages is held back as early as its memory says, not after
     * four million of them.
     */
    static final int MESSAGE_OVERHEAD = 128;

    /** The bytes a queued message of {@code payloadLength} counts for. */
    public static long cost(int payloadLength) {
        return (long) payloadLength + MESSAGE_OVERHEAD;
    }

    private final Channel reader;
    private final long high;
    private final long low;
    private final BooleanSupplier peerWritable;
    private final BooleanSupplier mayRead;
    private final AtomicLong pending = new AtomicLong();
    private volatile boolean paused;

    /**
     * @param reader       the channel whose reading is paused
     * @param peerWritable whether the other leg can take more now
     * @param mayRead      whether the reader may read at all (false while its leg is not yet active)
     */
    public FlowGate(Channel reader, long high, BooleanSupplier peerWritable, BooleanSupplier mayRead) {
        this.reader = reader;
        this.high = high;
        this.low = high / 2;
        this.peerWritable = peerWritable;
        this.mayRead = mayRead;
    }

    /** {@code bytes} were read and queued; on the reader's event loop. */
    public void queued(long bytes) {
        long now = pending.addAndGet(bytes);
        if (!paused && (now > high || !peerWritable.getAsBoolean())) {
            paused = true;
            reader.config().setAutoRead(false);
        }
    }

    /**
     * A frame was handed straight to the other leg (relayed) or written back on this one (a pong): nothing
     * is queued, but the reader stops while the peer cannot take more; on the reader's event loop.
     */
    public void handedOn() {
        queued(0);
    }

    /**
     * Queues {@code work} about a message of {@code payloadLength} bytes on {@code executor}, counted against
     * the gate until it has run; on the reader's event loop.
     */
    public void submit(Executor executor, int payloadLength, Runnable work) {
        long c = cost(payloadLength);
        queued(c);
        executor.execute(() -> {
            try {
                work.run();
            } finally {
                done(c);
            }
        });
    }

    /** {@code bytes} were taken by the other leg (or dropped); any thread. */
    public void done(long bytes) {
        pending.addAndGet(-bytes);
        maybeResume();
    }

    /** The other leg became writable again; any thread. */
    public void peerWritabilityChanged() {
        maybeResume();
    }

    public boolean isPaused() {
        return paused;
    }

    private void maybeResume() {
        if (!paused || pending.get() > low || !peerWritable.getAsBoolean()) {
            return;
        }
        reader.eventLoop().execute(() -> {
            if (paused && pending.get() <= low && peerWritable.getAsBoolean()) {
                paused = false;
                if (mayRead.getAsBoolean()) {
                    reader.config().setAutoRead(true);
                }
            }
        });
    }
}
