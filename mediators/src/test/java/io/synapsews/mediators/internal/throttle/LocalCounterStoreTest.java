package io.synapsews.mediators.internal.throttle;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class LocalCounterStoreTest {

    @Test
    void countsExactlyUnderConcurrency() throws Exception {
        LocalCounterStore store = new LocalCounterStore();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            futures.add(pool.submit(() -> {
                for (int i = 0; i < 10_000; i++) {
                    store.add("k", 60_000, 1);
                }
            }));
        }
        for (Future<?> f : futures) {
            f.get();
        }
        pool.shutdown();
        pool.awaitTermination(10, TimeUnit.SECONDS);
        assertEquals(80_001, store.add("k", 60_000, 1));
    }

    @Test
    void aNewWindowStartsFromZeroAndOldWindowsAreDropped() {
        LocalCounterStore store = new LocalCounterStore();
        store.add("a", 0, 5);
        store.add("b", 0, 5);
        assertEquals(1, store.add("a", 60_000, 1));
        assertEquals(1, store.size(), "the old window of b is still kept");
        assertEquals(0, store.add("a", 0, 1), "a late add to a finished window counts nowhere");
    }
}
