package dev.openport.core.spi;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * When to send a request again while no answer has come: the first wait {@code initial}, each next one twice the
 * previous, capped at {@code maxInterval}, each multiplied by {@code 1 + RAND} with RAND uniform in
 * [-{@code jitter}, +{@code jitter}]; at most {@code maxSends} sends (0 = unlimited), and the caller's deadline
 * always ends the exchange. Configurable per protocol (like crab_nat's {@code TimeoutConfig}).
 *
 * <pre>{@code
 * RetransmissionPolicy.natPmp();                                   // RFC 6886 §3.1
 * RetransmissionPolicy.pcp().withInitial(Duration.ofMillis(250));  // RFC 6887 §8.1.1, faster first retry
 * }</pre>
 *
 * @param initial     the wait after the first send (NAT-PMP: 250 ms; PCP: IRT 3 s)
 * @param maxInterval the longest wait (NAT-PMP: 64 s, the ninth wait; PCP: MRT 1024 s)
 * @param maxSends    how many sends at most, 0 for unlimited (NAT-PMP: 9; PCP: MRC 0)
 * @param jitter      the RAND bound, 0 for none (PCP: 0.1)
 */
public record RetransmissionPolicy(Duration initial, Duration maxInterval, int maxSends, double jitter) {

    /**
     * Checks a policy.
     *
     * @param initial     the first wait, positive
     * @param maxInterval the longest wait, at least {@code initial}
     * @param maxSends    the send limit, 0 = unlimited
     * @param jitter      the RAND bound, in [0, 1)
     * @throws IllegalArgumentException when a value is out of range
     */
    public RetransmissionPolicy {
        Objects.requireNonNull(initial, "initial");
        Objects.requireNonNull(maxInterval, "maxInterval");
        if (initial.isNegative() || initial.isZero() || maxInterval.compareTo(initial) < 0) {
            throw new IllegalArgumentException("need 0 < initial <= maxInterval, got " + initial + ", " + maxInterval);
        }
        if (maxSends < 0) {
            throw new IllegalArgumentException("maxSends must be >= 0 (0 = unlimited), was " + maxSends);
        }
        if (!(jitter >= 0 && jitter < 1)) {
            throw new IllegalArgumentException("jitter must be in [0, 1), was " + jitter);
        }
    }

    /**
     * RFC 6886 §3.1: 250 ms, doubling, nine sends (the last wait is 64 s), no jitter.
     *
     * @return NAT-PMP's policy
     */
    public static RetransmissionPolicy natPmp() {
        return new RetransmissionPolicy(Duration.ofMillis(250), Duration.ofSeconds(64), 9, 0);
    }

    /**
     * RFC 6887 §8.1.1: IRT 3 s, MRT 1024 s, MRC 0 (unlimited), RAND ±0.1; MRD is the caller's deadline.
     *
     * @return PCP's policy
     */
    public static RetransmissionPolicy pcp() {
        return new RetransmissionPolicy(Duration.ofSeconds(3), Duration.ofSeconds(1024), 0, 0.1);
    }

    /**
     * This policy with another first wait (and a cap at least as long), e.g. a faster first retry on a LAN.
     *
     * @param newInitial the first wait, positive
     * @return the changed policy
     */
    public RetransmissionPolicy withInitial(Duration newInitial) {
        return new RetransmissionPolicy(newInitial, newInitial.compareTo(maxInterval) > 0 ? newInitial : maxInterval,
                maxSends, jitter);
    }

    /**
     * This policy with another send limit, e.g. one send for a probe that must not linger.
     *
     * @param sends the send limit, 0 = unlimited
     * @return the changed policy
     */
    public RetransmissionPolicy withMaxSends(int sends) {
        return new RetransmissionPolicy(initial, maxInterval, sends, jitter);
    }

    /**
     * The waits of one exchange, with RAND from a thread-local generator.
     *
     * @return a fresh schedule for one exchange
     */
    public Schedule start() {
        return start(() -> ThreadLocalRandom.current().nextDouble(-1, 1));
    }

    /**
     * The waits of one exchange, with a given source of RAND (tests).
     *
     * @param unitRandom returns values in [-1, 1] that {@code jitter} scales
     * @return a fresh schedule for one exchange
     */
    public Schedule start(DoubleSupplier unitRandom) {
        return new Schedule(this, unitRandom);
    }

    /** The waits of one exchange, in order. Not thread-safe: one per exchange. */
    public static final class Schedule {
        private final RetransmissionPolicy policy;
        private final DoubleSupplier unitRandom;
        private long previousNanos;
        private int sends;

        private Schedule(RetransmissionPolicy policy, DoubleSupplier unitRandom) {
            this.policy = policy;
            this.unitRandom = Objects.requireNonNull(unitRandom, "unitRandom");
        }

        /**
         * Whether another send is allowed.
         *
         * @return {@code false} once {@code maxSends} sends were made
         */
        public boolean maySend() {
            return policy.maxSends == 0 || sends < policy.maxSends;
        }

        /**
         * Records a send and returns how long to wait for its answer.
         *
         * @return the wait: twice the previous (capped), with jitter
         */
        public Duration sent() {
            sends++;
            // RFC 6887 §8.1.1: RT = (1 + RAND) * MIN(2 * RTprev, MRT), RTprev the previous randomized RT
            long base = previousNanos == 0 ? policy.initial.toNanos()
                    : Math.min(2 * previousNanos, policy.maxInterval.toNanos());
            double rand = Math.max(-1, Math.min(1, unitRandom.getAsDouble())) * policy.jitter;
            previousNanos = (long) ((1 + rand) * base);
            return Duration.ofNanos(previousNanos);
        }

        /**
         * How many sends so far.
         *
         * @return the number of {@link #sent()} calls
         */
        public int sends() {
            return sends;
        }
    }
}
