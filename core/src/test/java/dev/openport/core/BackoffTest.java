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

    @Test
    void renewAtHalfTheLeaseButNeverLaterThan15sBeforeItEnds() {
        Duration check = Duration.ofMinutes(5);
        assertThat(ms(Backoff.renewNanos(Duration.ofSeconds(60), check, 0))).as("VPN lease").isEqualTo(30_000);
        assertThat(ms(Backoff.renewNanos(Duration.ofSeconds(20), check, 0))).as("15 s margin").isEqualTo(5_000);
        assertThat(ms(Backoff.renewNanos(Duration.ofSeconds(28), check, 0))).isEqualTo(13_000);
        assertThat(ms(Backoff.renewNanos(Duration.ofSeconds(10), check, 0))).as("shorter than the margin")
                .isEqualTo(5_000);
        for (int lease = 1; lease <= 3600; lease++) {
            long renew = Backoff.renewNanos(Duration.ofSeconds(lease), check, 0);
            assertThat(renew).as("lease %d s", lease).isLessThanOrEqualTo(Duration.ofSeconds(lease).toNanos() / 2
                    + Backoff.MIN_RENEW.toNanos());
            if (lease > 30) {
                assertThat(renew).as("lease %d s", lease)
                        .isLessThanOrEqualTo(Duration.ofSeconds(lease - 15).toNanos());
            }
        }
    }

    @Test
    void verificationsAreSpreadOverTheSecondHalfOfTheIntervalAndCanBeOff() {
        Duration every = Duration.ofSeconds(30);
        assertThat(ms(Backoff.verifyNanos(every, 0))).isEqualTo(30_000);
        assertThat(ms(Backoff.verifyNanos(every, 0.5))).isEqualTo(22_500);
        assertThat(ms(Backoff.verifyNanos(every, 0.999))).isBetween(15_000L, 15_100L);
        assertThat(Backoff.verifyNanos(Duration.ZERO, 0.3)).isEqualTo(Long.MAX_VALUE);
    }
}
