package io.synapsews.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * Waits for a condition that an event makes true, failing with what was awaited: the one way tests of
 * every module wait (never a fixed sleep). Polls every 20 ms; the only sleeps of the test code are here
 * (and in loops that pace a deliberately slow client).
 */
public final class Await {

    private static final long POLL_MILLIS = 20;

    private Await() {
    }

    /** A value to look at that may fail to be read (an HTTP call, a file). */
    @FunctionalInterface
    public interface Probe<T> {
        T get() throws Exception;
    }

    public static void until(Duration limit, BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + limit + ": " + what);
            }
            Thread.sleep(POLL_MILLIS);
        }
    }

    /**
     * Reads {@code probe} until its value satisfies {@code done} and returns that value; fails after
     * {@code limit} with {@code what} and the last value (or the last failure to read it).
     */
    public static <T> T until(Duration limit, Probe<T> probe, Predicate<? super T> done, String what) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        T last = null;
        Exception failure = null;
        while (true) {
            try {
                last = probe.get();
                failure = null;
                if (done.test(last)) {
                    return last;
                }
            } catch (Exception e) {
                failure = e;
            }
            if (System.nanoTime() > deadline) {
                AssertionError e = new AssertionError("not within " + limit + ": " + what + " (last: "
                        + (failure != null ? failure : last) + ")");
                if (failure != null) {
                    e.initCause(failure);
                }
                throw e;
            }
            Thread.sleep(POLL_MILLIS);
        }
    }

    /**
     * Waits until {@code progress} has not moved for {@code quiet} (for example: the gateway holds a sender
     * back), failing after {@code limit}; returns where it stopped.
     */
    public static long quiet(LongSupplier progress, Duration quiet, Duration limit, String what) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        long last = progress.getAsLong();
        long since = System.nanoTime();
        while (System.nanoTime() < deadline) {
            Thread.sleep(POLL_MILLIS);
            long now = progress.getAsLong();
            if (now != last) {
                last = now;
                since = System.nanoTime();
            } else if (System.nanoTime() - since >= quiet.toNanos()) {
                return now;
            }
        }
        throw new AssertionError(what + " never stopped within " + limit + " (at " + last + ")");
    }
}
