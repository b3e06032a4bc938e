package dev.openport.natpmp;

import dev.openport.core.spi.EpochRule;
import java.time.Duration;
import java.util.Optional;

/**
 * Detects a gateway that lost its mappings, from the seconds-since-start-of-epoch (SSSoE) in its packets
 * (RFC 6886 §3.6): the client expects the next SSSoE to be at least the previous one plus 7/8 of the local time
 * elapsed since (the gateway's clock may run slower than ours), with a 2-second slack for rounding. A smaller
 * value means the gateway rebooted or otherwise lost its state, and every mapping must be re-created.
 *
 * <p>Thread-safe. Times are {@link System#nanoTime()}-style monotonic readings, passed in so tests need no
 * sleeps.
 */
final class EpochTracker implements EpochRule {
    /** RFC 6886 §3.6: "more than 2 seconds" below the estimate means lost state. */
    static final long TOLERANCE_SECONDS = 2;

    private boolean seen;
    private long lastEpoch;
    private long lastNanos;

    /** A detected loss of state: the epoch observed, and the least value the client expected. */
    record Loss(long previousEpoch, long epoch, long expectedAtLeast, Duration elapsed) {
        String describe() {
            return "epoch went from " + previousEpoch + " to " + epoch + " after " + elapsed.toMillis()
                    + " ms (expected at least " + expectedAtLeast + "): the gateway lost its mappings";
        }
    }

    /**
     * Records the SSSoE of a packet received at {@code nowNanos} and reports whether it shows a loss of state.
     * The packet always becomes the new reference, also after a loss.
     */
    synchronized Optional<Loss> observe(long epoch, long nowNanos) {
        Optional<Loss> loss = Optional.empty();
        if (seen) {
            long elapsedNanos = Math.max(0, nowNanos - lastNanos);
            // 7/8 of the elapsed local time, in whole seconds (RFC 6886 §3.6)
            long expected = lastEpoch + elapsedNanos * 7 / 8 / 1_000_000_000L;
            if (epoch < expected - TOLERANCE_SECONDS) {
                loss = Optional.of(new Loss(lastEpoch, epoch, expected - TOLERANCE_SECONDS,
                        Duration.ofNanos(elapsedNanos)));
            }
        }
        seen = true;
        lastEpoch = epoch;
        lastNanos = nowNanos;
        return loss;
    }

    @Override
    public String check(long epochSeconds, long receivedAtNanos) {
        return observe(epochSeconds, receivedAtNanos).map(Loss::describe).orElse(null);
    }

    /** The last SSSoE seen, if any. */
    synchronized Optional<Long> lastEpoch() {
        return seen ? Optional.of(lastEpoch) : Optional.empty();
    }
}
