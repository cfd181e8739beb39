package io.synapsews.mediators.internal.throttle;

/**
 * Where throttling counters live. One gateway uses {@link LocalCounterStore}; several gateways
 * that must share limits put an implementation over a shared store (Redis INCRBY with an expiry
 * per window key, for example) behind this interface (see the README).
 */
public interface CounterStore {

    /**
     * Adds {@code amount} to the counter {@code key} for the fixed window starting at
     * {@code windowStartMillis} and returns the new total of that window.
     */
    long add(String key, long windowStartMillis, long amount);
}
