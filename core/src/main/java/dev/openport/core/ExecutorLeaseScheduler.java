package dev.openport.core;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The production {@link LeaseScheduler}: one daemon thread, {@code openport-lease}, for any number of mappings,
 * started by the first mapping and stopped when the last one closes. Cancelled timers are removed at once
 * (10,000 mappings renewing must not leave 10,000 dead tasks in the queue).
 */
final class ExecutorLeaseScheduler implements LeaseScheduler {
    private static final Logger LOG = LoggerFactory.getLogger(ExecutorLeaseScheduler.class);
    private static final Cancellable NOTHING = () -> { };

    private ScheduledThreadPoolExecutor executor; // guarded by this
    private int users; // guarded by this

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    @Override
    public Cancellable schedule(Runnable task, long delayNanos) {
        ScheduledThreadPoolExecutor e;
        synchronized (this) {
            e = executor;
        }
        if (e == null) {
            return NOTHING; // no mapping left: nothing to do
        }
        try {
            ScheduledFuture<?> f = e.schedule(() -> {
                try {
                    task.run();
                } catch (RuntimeException | Error ex) {
                    LOG.warn("lease task failed", ex);
                }
            }, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
            return () -> f.cancel(false);
        } catch (RejectedExecutionException ex) {
            return NOTHING; // shut down meanwhile
        }
    }

    @Override
    public synchronized void acquire() {
        if (users++ == 0) {
            ScheduledThreadPoolExecutor e = new ScheduledThreadPoolExecutor(1, r -> {
                Thread t = new Thread(r, "openport-lease");
                t.setDaemon(true);
                return t;
            });
            e.setRemoveOnCancelPolicy(true);
            e.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
            e.setContinueExistingPeriodicTasksAfterShutdownPolicy(false);
            executor = e;
        }
    }

    @Override
    public synchronized void release() {
        if (users == 0) {
            return;
        }
        if (--users == 0) {
            executor.shutdown(); // the running task (maybe the caller) finishes; queued timers are dropped
            executor = null;
        }
    }

    /** Whether a scheduler thread is currently wanted (tests). */
    synchronized boolean running() {
        return executor != null;
    }
}
