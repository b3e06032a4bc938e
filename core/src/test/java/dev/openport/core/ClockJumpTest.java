package dev.openport.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Suspend/resume shows as the wall clock running ahead of the monotonic one. */
class ClockJumpTest {
    private final long[] wallMs = {1_700_000_000_000L};
    private final long[] monoNs = {42};
    private final ClockJump jump = new ClockJump(() -> wallMs[0], () -> monoNs[0], Duration.ofSeconds(5));

    private void both(Duration d) {
        wallMs[0] += d.toMillis();
        monoNs[0] += d.toNanos();
    }

    @Test
    void clocksMovingTogetherAreNoJump() {
        both(Duration.ofSeconds(15));
        assertThat(jump.jumped()).isFalse();
        both(Duration.ofHours(3));
        assertThat(jump.jumped()).isFalse();
    }

    @Test
    void aSleepMovesOnlyTheWallClockAndIsSeenOnce() {
        both(Duration.ofSeconds(10));
        wallMs[0] += Duration.ofMinutes(40).toMillis(); // suspended: CLOCK_MONOTONIC stood still
        assertThat(jump.jumped()).isTrue();
        both(Duration.ofSeconds(15));
        assertThat(jump.jumped()).as("reported once").isFalse();
    }

    @Test
    void ntpSlewWithinTheToleranceIsNoJumpButSettingTheClockBackIs() {
        both(Duration.ofSeconds(15));
        wallMs[0] += 4_000;
        assertThat(jump.jumped()).isFalse();
        both(Duration.ofSeconds(15));
        wallMs[0] -= 3_600_000;
        assertThat(jump.jumped()).isTrue();
    }
}
