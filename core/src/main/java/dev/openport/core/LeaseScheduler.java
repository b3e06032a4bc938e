package dev.openport.core;

/**
 * The clock and timer of the lease manager. Production uses {@link ExecutorLeaseScheduler} (one daemon thread
 * {@code openport-lease}); tests use a fake that runs tasks when the test advances time, so renewal times and
 * backoff are checked without sleeping.
 */
interface LeaseScheduler {

    /** A scheduled task that can be called off. */
    interface Cancellable {
        /** Calls the task off; harmless when it already ran. */
        void cancel();
    }

    /** Now, in nanoseconds on this scheduler's clock (monotonic). */
    long nanoTime();

    /** Runs {@code task} on the scheduler's thread after {@code delayNanos}; ≤ 0 runs it as soon as possible. */
    Cancellable schedule(Runnable task, long delayNanos);

    /** Runs {@code task} on the scheduler's thread as soon as possible. */
    default void execute(Runnable task) {
        schedule(task, 0);
    }

    /** One more mapping needs the scheduler: start its thread if it is not running. */
    void acquire();

    /** One mapping less: stop the thread when none is left (it starts again on the next {@link #acquire}). */
    void release();
}
