package dev.openport.core;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Notices a suspend/resume: the monotonic clock ({@link System#nanoTime()}) stands still while the machine
 * sleeps, the wall clock does not. When the two moved apart by more than a tolerance between two looks, the
 * machine slept (or someone set the clock): routers may have rebooted, leases run out, the network changed —
 * every managed mapping is verified at once instead of at its next timer (docs/quirks.md, "sleep").
 */
final class ClockJump {
    private final LongSupplier wallMillis;
    private final LongSupplier nanos;
    private final long toleranceMillis;
    private long lastWall; // guarded by this
    private long lastNanos; // guarded by this

    ClockJump(LongSupplier wallMillis, LongSupplier nanos, Duration tolerance) {
        this.wallMillis = wallMillis;
        this.nanos = nanos;
        this.toleranceMillis = tolerance.toMillis();
        this.lastWall = wallMillis.getAsLong();
        this.lastNanos = nanos.getAsLong();
    }

    /** Whether the clocks moved apart by more than the tolerance since the last call (or construction). */
    synchronized boolean jumped() {
        long w = wallMillis.getAsLong();
        long n = nanos.getAsLong();
        long wallDelta = w - lastWall;
        long monoDelta = (n - lastNanos) / 1_000_000;
        lastWall = w;
        lastNanos = n;
        return Math.abs(wallDelta - monoDelta) > toleranceMillis;
    }
}
