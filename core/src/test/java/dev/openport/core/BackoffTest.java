package dev.openport.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {
    private static long ms(long nanos) {
        return Duration.ofNanos(nanos).toMillis();
    }

    @Test
    void retryDoublesFrom250msAndIsCappedAt1sEarlyThen60s() {
        assertThat(ms(Backoff.retryNanos(1, 0, 0))).isEqualTo(250);
        assertThat(ms(Backoff.retryNanos(2, 0, 0))).isEqualTo(500);
        assertThat(ms(Backoff.retryNanos(3, 0, 0))).isEqualTo(1000);
        assertThat(ms(Backoff.retryNanos(9, Duration.ofSeconds(29).toNanos(), 0))).isEqualTo(1000);
        assertThat(ms(Backoff.retryNanos(8, Duration.ofSeconds(31).toNanos(), 0))).isEqualTo(32_000);
        assertThat(ms(Backoff.retryNanos(10, Duration.ofSeconds(31).toNanos(), 0))).isEqualTo(60_000);
        assertThat(ms(Backoff.retryNanos(1000, Duration.ofHours(5).toNanos(), 0))).isEqualTo(60_000);
    }

    @Test
    void jitterOnlyShortensByAtMost20Percent() {
        assertThat(ms(Backoff.retryNanos(3, 0, 0.999))).isBetween(800L, 1000L);
    }

    @Test
    void renewAtHalfTheLeaseOrTheCheckIntervalWithAFloor() {
        Duration check = Duration.ofMinutes(5);
        assertThat(ms(Backoff.renewNanos(Duration.ofSeconds(600), check, 0))).isEqualTo(300_000);
        assertThat(ms(Backoff.renewNanos(Duration.ofHours(2), check, 0))).isEqualTo(300_000);
        assertThat(ms(Backoff.renewNanos(Duration.ofSeconds(120), check, 0))).isEqualTo(60_000);
        assertThat(ms(Backoff.renewNanos(Duration.ZERO, check, 0))).as("permanent").isEqualTo(300_000);
        assertThat(ms(Backoff.renewNanos(Duration.ofMillis(200), check, 0))).isEqualTo(500);
        assertThat(ms(Backoff.renewNanos(Duration.ofSeconds(600), check, 0.999))).isBetween(270_000L, 300_000L);
    }
}
