package io.synapsews.transport.netty;

import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicBoolean;

import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pause and resume of one direction: past the high mark or while the other leg cannot take more, the
 * reading channel stops reading; under the low mark with the other leg writable, it reads again (only
 * if its leg may read at all). Driven on an {@code EmbeddedChannel}, whose event loop runs queued tasks
 * when told to.
 */
class FlowGateTest {

    private final EmbeddedChannel reader = new EmbeddedChannel();
    private final AtomicBoolean peerWritable = new AtomicBoolean(true);
    private final AtomicBoolean mayRead = new AtomicBoolean(true);
    private final FlowGate gate = new FlowGate(reader, 1000, peerWritable::get, mayRead::get);

    @AfterEach
    void close() {
        reader.finishAndReleaseAll();
    }

    private boolean reading() {
        reader.runPendingTasks();
        return reader.config().isAutoRead();
    }

    @Test
    void pastTheHighMarkReadingStopsAndUnderTheLowMarkItResumes() {
        gate.queued(1000);
        assertTrue(reading(), "at the mark: still reading");
        gate.queued(1);
        assertFalse(reading(), "past the mark");
        assertTrue(gate.isPaused());
        gate.done(400);
        assertFalse(reading(), "601 pending: above the low mark (500)");
        gate.done(101);
        assertTrue(reading(), "500 pending: at the low mark, reading again");
        assertFalse(gate.isPaused());
    }

    @Test
    void aPeerThatCannotTakeMoreStopsReadingEvenForHandedOnFrames() {
        peerWritable.set(false);
        gate.handedOn();
        assertFalse(reading(), "a relayed frame while the peer is full");
        gate.peerWritabilityChanged();
        assertFalse(reading(), "the peer is still full");
        peerWritable.set(true);
        gate.peerWritabilityChanged();
        assertTrue(reading());
    }

    @Test
    void aLegThatMayNotReadYetIsNotResumed() {
        gate.queued(2000);
        mayRead.set(false);
        gate.done(2000);
        assertFalse(reading(), "resumed a leg whose client has no 101 yet");
        assertFalse(gate.isPaused(), "but the gate itself is open: the leg reads once activated");
    }

    @Test
    void submittedWorkCountsItsMessageOverheadUntilItHasRun() {
        Queue<Runnable> executor = new ArrayDeque<>();
        for (int i = 0; i < 8; i++) {
            gate.submit(executor::add, 0, () -> { });
        }
        assertEquals(8 * FlowGate.MESSAGE_OVERHEAD, FlowGate.cost(0) * 8);
        assertFalse(reading(), "eight empty messages cost 1024 bytes: past the mark of 1000");
        Runnable r;
        while ((r = executor.poll()) != null) {
            r.run();
        }
        assertTrue(reading(), "all run: nothing pending");
    }

    @Test
    void workThatFailsIsStillCounted() {
        Queue<Runnable> executor = new ArrayDeque<>();
        gate.submit(executor::add, 2000, () -> {
            throw new IllegalStateException("mediation failed");
        });
        assertFalse(reading());
        try {
            executor.poll().run();
        } catch (IllegalStateException expected) {
            // what the executor's own handler would log
        }
        assertTrue(reading(), "a failed message no longer holds the reader back");
    }
}
