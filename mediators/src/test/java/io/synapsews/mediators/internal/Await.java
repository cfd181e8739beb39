package io.synapsews.mediators.internal;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waits for a condition that an event makes true, failing with what was awaited. */
final class Await {

    private Await() {
    }

    static void until(Duration limit, BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + limit + ": " + what);
            }
            Thread.sleep(20);
        }
    }
}
