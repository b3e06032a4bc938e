package dev.openport.pcp;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * The retransmission timer of RFC 6887 §8.1.1: {@code RT = (1 + RAND) * IRT}, then
 * {@code RT = (1 + RAND) * MIN(2 * RTprev, MRT)}, RAND uniform in [-0.1, +0.1].
 *
 * <p><b>Deviation:</b> the RFC's IRT is 3 s. We start at {@link #IRT} = 250 ms (NAT-PMP's first retry,
 * RFC 6886 §3.1): a healthy gateway answers within one RTT anyway, and a lost first datagram on a busy Wi-Fi
 * would otherwise cost 3 s of a caller's (typically 3 s) deadline — i.e. the whole operation. Doubling and the
 * random factor are kept, so a crowd of clients still spreads out and backs off; the overall deadline (the
 * caller's timeout) plays the role of MRD. MRC is unlimited within that deadline, as the RFC's default 0.
 */
final class Retransmission {
    /** Initial retransmission time (RFC default 3 s; see the class comment). */
    static final Duration IRT = Duration.ofMillis(250);
    /** Maximum retransmission time, §8.1.1: 1024 s. */
    static final Duration MRT = Duration.ofSeconds(1024);

    private final DoubleSupplier random;
    private long previousNanos;

    /** With a uniform RAND in [-0.1, +0.1]. */
    Retransmission() {
        this(() -> ThreadLocalRandom.current().nextDouble(-0.1, 0.1));
    }

    /** With {@code random} returning RAND (expected in [-0.1, +0.1]); for tests. */
    Retransmission(DoubleSupplier random) {
        this.random = random;
    }

    /** How long to wait for an answer to the next transmission. */
    Duration next() {
        double rand = Math.max(-0.1, Math.min(0.1, random.getAsDouble()));
        long base = previousNanos == 0 ? IRT.toNanos() : Math.min(2 * previousNanos, MRT.toNanos());
        previousNanos = (long) ((1 + rand) * base);
        return Duration.ofNanos(previousNanos);
    }
}
