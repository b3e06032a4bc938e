package dev.openport.pcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RetransmissionTest {

    @Test
    void firstRetryAfter250msThenDoubling() {
        Retransmission r = new Retransmission(() -> 0.0);
        assertThat(r.next()).isEqualTo(Duration.ofMillis(250));
        assertThat(r.next()).isEqualTo(Duration.ofMillis(500));
        assertThat(r.next()).isEqualTo(Duration.ofMillis(1000));
        assertThat(r.next()).isEqualTo(Duration.ofMillis(2000));
    }

    @Test
    void randFactorAppliesToEveryStepAndIsClampedToTenPercent() {
        Retransmission high = new Retransmission(() -> 0.1);
        assertThat(high.next()).isEqualTo(Duration.ofNanos(275_000_000));
        assertThat(high.next()).isEqualTo(Duration.ofNanos((long) (1.1 * 550_000_000)));
        Retransmission wild = new Retransmission(() -> 5.0);
        assertThat(wild.next()).isEqualTo(Duration.ofNanos(275_000_000));
        Retransmission low = new Retransmission(() -> -0.1);
        assertThat(low.next()).isEqualTo(Duration.ofNanos(225_000_000));
    }

    @Test
    void neverExceedsMrtPlusRand() {
        Retransmission r = new Retransmission(() -> 0.1);
        Duration last = Duration.ZERO;
        for (int i = 0; i < 40; i++) {
            last = r.next();
        }
        assertThat(last).isLessThanOrEqualTo(Duration.ofMillis((long) (1024_000 * 1.1) + 1));
        assertThat(last).isGreaterThanOrEqualTo(Duration.ofSeconds(1024));
    }

    @Test
    void defaultRandomStaysWithinTenPercent() {
        for (int i = 0; i < 200; i++) {
            long ms = new Retransmission().next().toMillis();
            assertThat(ms).isBetween(225L, 275L);
        }
    }
}
