package dev.openport.core.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RetransmissionPolicyTest {

    private static List<Duration> waits(RetransmissionPolicy.Schedule s) {
        List<Duration> out = new ArrayList<>();
        while (s.maySend() && out.size() < 50) {
            out.add(s.sent());
        }
        return out;
    }

    @Test
    void natPmpIs250msDoublingForNineSends() {
        // RFC 6886 §3.1: 250 ms, 500 ms, ... 64 s: nine sends, no randomness
        List<Duration> w = waits(RetransmissionPolicy.natPmp().start(() -> 1.0));
        assertThat(w).extracting(Duration::toMillis)
                .containsExactly(250L, 500L, 1000L, 2000L, 4000L, 8000L, 16_000L, 32_000L, 64_000L);
    }

    @Test
    void pcpFollowsRfc6887WithRandAndMrt() {
        RetransmissionPolicy pcp = RetransmissionPolicy.pcp();
        assertThat(pcp.initial()).isEqualTo(Duration.ofSeconds(3));          // IRT
        assertThat(pcp.maxInterval()).isEqualTo(Duration.ofSeconds(1024));   // MRT
        assertThat(pcp.maxSends()).isZero();                                  // MRC 0 = unlimited
        RetransmissionPolicy.Schedule mid = pcp.start(() -> 0.0);
        assertThat(mid.sent()).isEqualTo(Duration.ofSeconds(3));
        assertThat(mid.sent()).isEqualTo(Duration.ofSeconds(6));
        // RT = (1 + RAND) * MIN(2 * RTprev, MRT), RTprev the randomized one
        RetransmissionPolicy.Schedule high = pcp.start(() -> 1.0);
        assertThat(high.sent()).isEqualTo(Duration.ofMillis(3300));
        assertThat(high.sent()).isEqualTo(Duration.ofNanos((long) (1.1 * 6_600_000_000L)));
        RetransmissionPolicy.Schedule capped = pcp.start(() -> 1.0);
        Duration last = Duration.ZERO;
        for (int i = 0; i < 40; i++) {
            assertThat(capped.maySend()).isTrue();
            last = capped.sent();
        }
        assertThat(last).isBetween(Duration.ofSeconds(1024), Duration.ofMillis(1_126_401));
    }

    @Test
    void randIsClampedAndDefaultStaysWithinJitter() {
        RetransmissionPolicy p = RetransmissionPolicy.pcp().withInitial(Duration.ofMillis(250));
        assertThat(p.start(() -> 5.0).sent()).isEqualTo(Duration.ofMillis(275));
        assertThat(p.start(() -> -5.0).sent()).isEqualTo(Duration.ofMillis(225));
        for (int i = 0; i < 200; i++) {
            assertThat(p.start().sent().toMillis()).isBetween(225L, 275L);
        }
    }

    @Test
    void configurableLikeATimeoutConfig() {
        RetransmissionPolicy custom = new RetransmissionPolicy(Duration.ofMillis(100), Duration.ofMillis(300), 4, 0);
        assertThat(waits(custom.start())).extracting(Duration::toMillis).containsExactly(100L, 200L, 300L, 300L);
        assertThat(waits(RetransmissionPolicy.natPmp().withMaxSends(2).start())).hasSize(2);
        assertThatThrownBy(() -> new RetransmissionPolicy(Duration.ZERO, Duration.ofSeconds(1), 1, 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RetransmissionPolicy(Duration.ofSeconds(2), Duration.ofSeconds(1), 1, 0))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
