package io.synapsews.inbound.internal;

import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * Runs tasks one at a time, in submission order, on a shared pool. One instance per connection
 * and direction keeps that connection's messages in order while other connections proceed on the
 * pool's other threads.
 */
public final class SerialExecutor implements Executor {

    private static final Log log = LogFactory.getLog(SerialExecutor.class);

    private final Executor pool;
    private final Queue<Runnable> tasks = new ArrayDeque<>();
    private boolean running;

    public SerialExecutor(Executor pool) {
        this.pool = pool;
    }

    @Override
    public void execute(Runnable task) {
        synchronized (tasks) {
            tasks.add(task);
            if (running) {
                return;
            }
            running = true;
        }
        schedule();
    }

    /** Number of tasks waiting, the running one excluded. */
    public int pending() {
        synchronized (tasks) {
            return tasks.size();
        }
    }

    private void schedule() {
        try {
            pool.execute(this::drain);
        } catch (RejectedExecutionException e) {
            synchronized (tasks) {
                tasks.clear();
                running = false;
            }
            throw e;
        }
    }

    /** From a pool thread: a pool that stopped (the server is shutting down) drops what is left. */
    private void scheduleFromPool() {
        int left = pending();
        try {
            schedule();
        } catch (RejectedExecutionException stopped) {
            log.info(left + " queued message(s) of a connection dropped: the mediation pool has stopped");
        }
    }

    private void drain() {
        Runnable next;
        synchronized (tasks) {
            next = tasks.poll();
            if (next == null) {
                running = false;
                return;
            }
        }
        try {
            next.run();
        } finally {
            // hand the thread back between tasks so one busy connection cannot starve the pool
            boolean more;
            synchronized (tasks) {
                more = !tasks.isEmpty();
                if (!more) {
                    running = false;
                }
            }
            if (more) {
                scheduleFromPool();
            }
        }
    }
}
