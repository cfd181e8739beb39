package io.synapsews.testing;

import java.time.Duration;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The leak check itself must be able to fail: a buffer dropped unreleased is reported. */
class LeakDetectionTest {

    @Test
    void anUnreleasedBufferIsReported() throws Exception {
        leakOne();
        // the leak is reported once the buffer is collected and a later allocation drains the detector's queue
        Await.until(Duration.ofSeconds(10), () -> {
            System.gc();
            PooledByteBufAllocator.DEFAULT.directBuffer(8).release();
            return !RecordingLeakDetector.LEAKS.isEmpty();
        }, "the deliberate leak reported");
        assertTrue(RecordingLeakDetector.LEAKS.get(0).contains("LEAK"));
        RecordingLeakDetector.LEAKS.clear();
    }

    private static void leakOne() {
        ByteBuf leaked = PooledByteBufAllocator.DEFAULT.directBuffer(32);
        leaked.writeInt(42);
    }
}
