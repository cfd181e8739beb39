package io.synapsews.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The leak check itself must be able to fail: a buffer dropped unreleased is reported. */
class LeakDetectionTest {

    @Test
    void anUnreleasedBufferIsReported() throws Exception {
        leakOne();
        for (int i = 0; i < 20 && RecordingLeakDetector.LEAKS.isEmpty(); i++) {
            System.gc();
            Thread.sleep(50);
            PooledByteBufAllocator.DEFAULT.directBuffer(8).release();
        }
        assertFalse(RecordingLeakDetector.LEAKS.isEmpty(), "the deliberate leak was not reported");
        assertTrue(RecordingLeakDetector.LEAKS.get(0).contains("LEAK"));
        RecordingLeakDetector.LEAKS.clear();
    }

    private static void leakOne() {
        ByteBuf leaked = PooledByteBufAllocator.DEFAULT.directBuffer(32);
        leaked.writeInt(42);
    }
}
