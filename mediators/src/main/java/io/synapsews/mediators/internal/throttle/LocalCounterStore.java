package io.synapsews.mediators.internal.throttle;

import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** Exact in-memory counters of one gateway; windows older than the current one are dropped. */
public final class LocalCounterStore implements CounterStore {

    private static final class Window {
        final long start;
        final AtomicLong count = new AtomicLong();

        Window(long start) {
            this.start = start;
        }
    }

    private final Map<String, Window> windows = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> connections = new ConcurrentHashMap<>();
    private volatile long lastSweep;

    @Override
    public boolean acquire(String key, long windowStartMillis, long amount, long limit) {
        Window w = window(key, windowStartMillis);
        if (w == null) {
            return true; // a late caller from the previous window: that window is gone, and with it its count
        }
        while (true) {
            long used = w.count.get();
            if (used + amount > limit) {
                return false;
            }
            if (w.count.compareAndSet(used, used + amount)) {
                return true;
            }
        }
    }

    @Override
    public boolean takeConnection(String key, int max) {
        AtomicLong n = connections.computeIfAbsent(key, k -> new AtomicLong());
        while (true) {
            long now = n.get();
            if (now >= max) {
                return false;
            }
            if (n.compareAndSet(now, now + 1)) {
                return true;
            }
        }
    }

    @Override
    public void releaseConnection(String key) {
        // entries stay (one per application or subscription with a limit): removing one could lose a concurrent take
        AtomicLong n = connections.get(key);
        if (n != null) {
            n.updateAndGet(v -> Math.max(0, v - 1));
        }
    }

    /** The connection slots taken now under {@code key}. */
    long connections(String key) {
        AtomicLong n = connections.get(key);
        return n == null ? 0 : n.get();
    }

    private Window window(String key, long windowStartMillis) {
        Window w = windows.compute(key, (k, old) -> old == null || old.start < windowStartMillis ? new Window(windowStartMillis) : old);
        if (w.start > windowStartMillis) {
            return null;
        }
        sweep(windowStartMillis);
        return w;
    }

    /** Adds {@code amount} to the counter of the window and returns the window's new total. */
    public long add(String key, long windowStartMillis, long amount) {
        Window w = windows.compute(key, (k, old) -> old == null || old.start < windowStartMillis ? new Window(windowStartMillis) : old);
        if (w.start > windowStartMillis) {
            return 0; // a late caller from the previous window: that window is gone
        }
        sweep(windowStartMillis);
        return w.count.addAndGet(amount);
    }

    private void sweep(long currentWindow) {
        if (lastSweep == currentWindow) {
            return;
        }
        lastSweep = currentWindow;
        for (Iterator<Window> it = windows.values().iterator(); it.hasNext(); ) {
            if (it.next().start < currentWindow) {
                it.remove();
            }
        }
    }

    int size() {
        return windows.size();
    }
}
