package dev.openport.core;

import java.time.Duration;
import java.util.PriorityQueue;

/** A {@link LeaseScheduler} whose clock only moves when the test says so; tasks run on the test's thread. */
final class FakeScheduler implements LeaseScheduler {
    private record Task(long at, long seq, Runnable run, boolean[] cancelled) {
    }

    private final PriorityQueue<Task> queue = new PriorityQueue<>((a, b) -> a.at != b.at
            ? Long.compare(a.at, b.at) : Long.compare(a.seq, b.seq));
    private long now = 1_000_000_000L;
    private long seq;
    private int users;

    @Override
    public synchronized long nanoTime() {
        return now;
    }

    @Override
    public synchronized Cancellable schedule(Runnable task, long delayNanos) {
        boolean[] cancelled = {false};
        queue.add(new Task(now + Math.max(0, delayNanos), seq++, task, cancelled));
        return () -> cancelled[0] = true;
    }

    @Override
    public synchronized void acquire() {
        users++;
    }

    @Override
    public synchronized void release() {
        users--;
    }

    synchronized int users() {
        return users;
    }

    /** Pending (not cancelled) tasks. */
    synchronized int pending() {
        return (int) queue.stream().filter(t -> !t.cancelled[0]).count();
    }

    /** Moves the clock forward, running every task that falls due, in order. */
    void advance(Duration d) {
        long target;
        synchronized (this) {
            target = now + d.toNanos();
        }
        while (true) {
            Task t;
            synchronized (this) {
                t = queue.peek();
                if (t == null || t.at > target) {
                    now = target;
                    return;
                }
                queue.poll();
                now = Math.max(now, t.at);
            }
            if (!t.cancelled[0]) {
                t.run.run();
            }
        }
    }

    /** Runs what is due now (including what those tasks post for now). */
    void runDue() {
        advance(Duration.ZERO);
    }

    /** Nanoseconds until the next pending task, or -1. */
    synchronized long nextDueIn() {
        return queue.stream().filter(t -> !t.cancelled[0]).mapToLong(t -> t.at - now).min().orElse(-1);
    }
}
