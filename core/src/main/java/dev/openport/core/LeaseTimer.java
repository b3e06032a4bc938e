package dev.openport.core;

import java.time.Duration;
import java.util.function.Consumer;

/**
 * The one timer of a lease and when it fires: the renewal when it is due before the next verification, else the
 * verification (spread, {@link Backoff}); or a retry after a backoff. Whatever is scheduled replaces what was, so a
 * lease never has two timers. Not thread-safe: the lease calls it under its lock.
 */
final class LeaseTimer {
    private final LeaseScheduler scheduler;
    private final LeaseManager manager;
    private final MapOptions options;
    private final Consumer<LeaseEvent> fire;
    private LeaseScheduler.Cancellable timer;
    private long renewAt;

    LeaseTimer(LeaseManager manager, MapOptions options, Consumer<LeaseEvent> fire) {
        this.scheduler = manager.scheduler();
        this.manager = manager;
        this.options = options;
        this.fire = fire;
    }

    /** A grant of {@code lifetime} just now: the renewal falls due at half of it (or the check interval). */
    void granted(Duration lifetime) {
        renewAt = scheduler.nanoTime() + Backoff.renewNanos(lifetime, options.checkInterval(), manager.random());
    }

    /** Schedules the renewal, or the verification when that comes first. */
    void next() {
        long renewIn = Math.max(0, renewAt - scheduler.nanoTime());
        long verifyIn = Backoff.verifyNanos(options.verifyInterval(), manager.random());
        if (renewIn <= verifyIn) {
            schedule(LeaseEvent.RENEW_DUE, renewIn);
        } else {
            schedule(LeaseEvent.VERIFY_DUE, verifyIn);
        }
    }

    /** Schedules a retry ({@link LeaseEvent#RENEW_DUE}) after the backoff for the outage so far. */
    void retry(int failures, long outageSince) {
        long now = scheduler.nanoTime();
        schedule(LeaseEvent.RENEW_DUE, Backoff.retryNanos(failures, now - outageSince, manager.random()));
    }

    private void schedule(LeaseEvent event, long delayNanos) {
        cancel();
        timer = scheduler.schedule(() -> fire.accept(event), delayNanos);
    }

    /** Calls off the pending timer, if any. */
    void cancel() {
        if (timer != null) {
            timer.cancel();
            timer = null;
        }
    }
}
