package io.synapsews.mediators.internal.throttle;

/**
 * Where throttling counters live: {@link LocalCounterStore} for one gateway, {@link RedisCounterStore}
 * for several gateways that share their limits.
 */
public interface CounterStore extends AutoCloseable {

    /**
     * Takes {@code amount} from the quota {@code limit} of the counter {@code key} in the fixed window
     * starting at {@code windowStartMillis}; false (and nothing taken) when the window's quota cannot
     * cover it.
     */
    boolean acquire(String key, long windowStartMillis, long amount, long limit);

    /**
     * Takes one of the {@code max} connection slots of {@code key} (an application's or a subscription's
     * concurrent connections); false when all are taken. Every slot taken is given back with
     * {@link #releaseConnection}.
     */
    boolean takeConnection(String key, int max);

    void releaseConnection(String key);

    /** What the store says about itself on /health and in the metrics: {@code local}, {@code redis up}, ... */
    default String describe() {
        return "local";
    }

    /** Whether new handshakes are refused because the store cannot count ({@code onStoreFailure="deny"}). */
    default boolean refusesHandshakes() {
        return false;
    }

    @Override
    default void close() {
    }
}
