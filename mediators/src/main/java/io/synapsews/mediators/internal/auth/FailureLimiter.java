package io.synapsews.mediators.internal.auth;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Counts failures per key (a client id, an address) in fixed one-minute windows, for the token
 * endpoint's guard against guessing secrets. Bounded: at most {@code maxKeys} keys are remembered
 * (the least recently failed are forgotten first), so a flood of made-up client ids costs a fixed
 * amount of memory.
 */
final class FailureLimiter {

    static final long WINDOW_MILLIS = 60_000;

    private final long limit;
    private final Map<String, long[]> counts;

    FailureLimiter(long limit, int maxKeys) {
        this.limit = limit;
        this.counts = new LinkedHashMap<String, long[]>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, long[]> eldest) {
                return size() > maxKeys;
            }
        };
    }

    /** Seconds until {@code key} may try again, or 0 when it may try now. */
    synchronized long retryAfterSeconds(String key, long now) {
        if (limit <= 0 || key == null) {
            return 0;
        }
        long[] c = counts.get(key);
        if (c == null || now - c[0] >= WINDOW_MILLIS || c[1] < limit) {
            return 0;
        }
        return Math.max(1, (c[0] + WINDOW_MILLIS - now + 999) / 1000);
    }

    synchronized void failed(String key, long now) {
        if (limit <= 0 || key == null) {
            return;
        }
        long[] c = counts.get(key);
        if (c == null || now - c[0] >= WINDOW_MILLIS) {
            counts.put(key, new long[] {now, 1});
        } else {
            c[1]++;
        }
    }
}
