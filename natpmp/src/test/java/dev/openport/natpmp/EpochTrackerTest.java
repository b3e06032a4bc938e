package dev.openport.natpmp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class EpochTrackerTest {
    private static final long S = 1_000_000_000L;

    @Test
    void firstObservationIsOnlyTheReference() {
        EpochTracker t = new EpochTracker();
        assertThat(t.lastEpoch()).isEmpty();
        assertThat(t.observe(5, 0)).isEmpty();
        assertThat(t.lastEpoch()).hasValue(5L);
    }

    @Test
    void steadyClockIsFine() {
        EpochTracker t = new EpochTracker();
        t.observe(1000, 0);
        assertThat(t.observe(1100, 100 * S)).isEmpty();
        assertThat(t.observe(1100, 100 * S)).isEmpty(); // two packets in the same second
    }

    @Test
    void gatewayClockRunningAtSevenEighthsIsStillFine() {
        // after 100 s the estimate is 1000 + 87 (7/8, whole seconds); up to 2 s below it is tolerated
        EpochTracker t = new EpochTracker();
        t.observe(1000, 0);
        assertThat(t.observe(1085, 100 * S)).isEmpty();
    }

    @Test
    void moreThanTwoSecondsBelowTheEstimateIsStateLoss() {
        EpochTracker t = new EpochTracker();
        t.observe(1000, 0);
        assertThat(t.observe(1084, 100 * S)).hasValueSatisfying(loss -> {
            assertThat(loss.previousEpoch()).isEqualTo(1000);
            assertThat(loss.epoch()).isEqualTo(1084);
            assertThat(loss.expectedAtLeast()).isEqualTo(1085);
            assertThat(loss.describe()).contains("1000").contains("1084");
        });
    }

    @Test
    void smallJitterBackwardsWithinTwoSecondsIsTolerated() {
        EpochTracker t = new EpochTracker();
        t.observe(1000, 0);
        assertThat(t.observe(998, 0)).isEmpty();
        assertThat(t.observe(995, 0)).isPresent();
    }

    @Test
    void rebootResetsTheEpochAndTheNewEpochBecomesTheReference() {
        EpochTracker t = new EpochTracker();
        t.observe(3600, 0);
        assertThat(t.observe(4, 10 * S)).isPresent();
        assertThat(t.observe(14, 20 * S)).isEmpty();
        assertThat(t.lastEpoch()).hasValue(14L);
    }

    @Test
    void unsignedEpochsNearTheTopOfTheRange() {
        EpochTracker t = new EpochTracker();
        t.observe(0xFFFF_FFF0L, 0);
        assertThat(t.observe(0xFFFF_FFFFL, 10 * S)).isEmpty();
    }
}
