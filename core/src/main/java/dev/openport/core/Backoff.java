package dev.openport.core;

import java.time.Duration;

/**
 * When to retry and when to renew.
 *
 * <p>Retry policy after a failure: 250 ms, doubling per consecutive failure, capped at {@link #EARLY_CAP} (1 s)
 * during the first {@link #EARLY_PHASE} (30 s) after the outage began — a rebooting router is usually back in
 * seconds and we want the mapping back within ~1 s of it answering — then capped at {@link #LATE_CAP} (60 s)
 * so a router that is gone for good costs one attempt a minute. Each delay is shortened by up to 20 % of
 * jitter so that many clients behind one router do not retry in lock step.
 *
 * <p>Renewal: at half the granted lease (RFC 6886 §3.3's advice) and never later than {@link #RENEW_MARGIN}
 * (15 s) before it ends — a 60 s VPN lease is renewed after 30 s, a 20 s one after 5 s — or at the check
 * interval when that is sooner, shortened by up to 10 % of jitter and never sooner than 500 ms; a permanent
 * lease is renewed at the check interval.
 *
 * <p>Verification: every verify interval, shortened by up to half of it at random, so mappings made together
 * (a restart, a reboot) read back spread over time instead of in one burst (docs/quirks.md, silent drops).
 */
final class Backoff {
    static final Duration FIRST = Duration.ofMillis(250);
    static final Duration EARLY_CAP = Duration.ofSeconds(1);
    static final Duration EARLY_PHASE = Duration.ofSeconds(30);
    static final Duration LATE_CAP = Duration.ofSeconds(60);
    static final Duration MIN_RENEW = Duration.ofMillis(500);
    /** A renewal is due at least this long before the lease ends (one lost answer plus a retry fit in it). */
    static final Duration RENEW_MARGIN = Duration.ofSeconds(15);

    private Backoff() {
    }

    /**
     * The delay before retry number {@code failures} (1 = after the first failure).
     *
     * @param sinceOutage how long ago the outage began
     * @param random      a value in [0, 1) for the jitter
     */
    static long retryNanos(int failures, long sinceOutage, double random) {
        long cap = sinceOutage < EARLY_PHASE.toNanos() ? EARLY_CAP.toNanos() : LATE_CAP.toNanos();
        int shift = Math.min(Math.max(failures, 1) - 1, 20);
        long base = Math.min(cap, FIRST.toNanos() << shift);
        return (long) (base * (1.0 - 0.2 * random));
    }

    /** The delay before renewing a lease of {@code granted} (zero = permanent). */
    static long renewNanos(Duration granted, Duration checkInterval, double random) {
        long base = checkInterval.toNanos();
        if (!granted.isZero()) {
            long half = granted.toNanos() / 2;
            long margin = granted.toNanos() - RENEW_MARGIN.toNanos();
            base = Math.min(base, margin > 0 ? Math.min(half, margin) : half);
        }
        return Math.max(MIN_RENEW.toNanos(), (long) (base * (1.0 - 0.1 * random)));
    }

    /** The delay before the next verification; {@link Long#MAX_VALUE} when verifying is off (interval 0). */
    static long verifyNanos(Duration interval, double random) {
        if (interval.isZero()) {
            return Long.MAX_VALUE;
        }
        return Math.max(MIN_RENEW.toNanos(), (long) (interval.toNanos() * (1.0 - 0.5 * random)));
    }
}
