package io.synapsews.inbound.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SerialExecutorTest {

    @Test
    void runsTasksOfOneExecutorInOrderAndOneAtATime() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            SerialExecutor serial = new SerialExecutor(pool);
            List<Integer> seen = Collections.synchronizedList(new ArrayList<>());
            int[] running = {0};
            int[] maxRunning = {0};
            CountDownLatch done = new CountDownLatch(1000);
            for (int i = 0; i < 1000; i++) {
                int n = i;
                serial.execute(() -> {
                    synchronized (running) {
                        running[0]++;
                        maxRunning[0] = Math.max(maxRunning[0], running[0]);
                    }
                    seen.add(n);
                    synchronized (running) {
                        running[0]--;
                    }
                    done.countDown();
                });
            }
            assertTrue(done.await(10, TimeUnit.SECONDS));
            assertEquals(1, maxRunning[0]);
            for (int i = 0; i < 1000; i++) {
                assertEquals(i, seen.get(i));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aBlockedExecutorDoesNotDelayAnother() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            CountDownLatch release = new CountDownLatch(1);
            new SerialExecutor(pool).execute(() -> {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            CountDownLatch other = new CountDownLatch(1);
            new SerialExecutor(pool).execute(other::countDown);
            assertTrue(other.await(5, TimeUnit.SECONDS));
            release.countDown();
        } finally {
            pool.shutdownNow();
        }
    }
}
