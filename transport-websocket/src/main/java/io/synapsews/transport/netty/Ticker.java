package io.synapsews.transport.netty;

/**
 * Where a time-based handler reads the time: {@link #SYSTEM} in the gateway, a hand-driven one in
 * tests (advanced together with {@code EmbeddedChannel.advanceTimeBy}, which drives the scheduled
 * checks), so that timeouts are tested without waiting for them.
 */
@FunctionalInterface
public interface Ticker {

    /** The monotonic clock, {@link System#nanoTime()}. */
    Ticker SYSTEM = System::nanoTime;

    /** Nanoseconds from an arbitrary origin, never going back. */
    long nanoTime();
}
