package dev.openport.pcp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** RFC 6887 §8.5 with explicit clocks. */
class EpochTrackerTest {

    @Test
    void firstEpochIsAlwaysValid() {
        EpochTracker t = new EpochTracker();
        assertThat(t.lastEpoch()).isEqualTo(-1);
        assertThat(t.update(5, 1_000)).isNull();
        assertThat(t.lastEpoch()).isEqualTo(5);
    }

    @Test
    void epochAdvancingWithTheClockIsValid() {
        EpochTracker t = new EpochTracker();
        t.update(1000, 0);
        assertThat(t.update(1060, 60_000)).isNull();
        assertThat(t.update(4660, 3_660_000)).isNull();
    }

    @Test
    void epochGoingBackwardsMeansStateLost() {
        EpochTracker t = new EpochTracker();
        t.update(1000, 0);
        assertThat(t.update(3, 5_000)).contains("from 1000 to 3");
    }

    @Test
    void upToOneSecondBackwardsIsReordering() {
        EpochTracker t = new EpochTracker();
        t.update(1000, 0);
        assertThat(t.update(999, 100)).isNull();
    }

    @Test
    void epochStandingStillWhileTimePassesMeansStateLost() {
        // a server that rebooted about as long ago as our last contact reports an epoch that did not advance
        EpochTracker t = new EpochTracker();
        t.update(100, 0);
        assertThat(t.update(100, 600_000)).isNotNull();
    }

    @Test
    void epochRunningFarAheadOfTheClockIsInvalid() {
        EpochTracker t = new EpochTracker();
        t.update(100, 0);
        assertThat(t.update(10_100, 10_000)).isNotNull();
    }

    @Test
    void smallDriftIsTolerated() {
        EpochTracker t = new EpochTracker();
        t.update(0, 0);
        // 1/16 drift plus 2 s of slack
        assertThat(t.update(1062, 1_000_000)).isNull();
    }

    @Test
    void afterALossTheNewEpochBecomesTheReference() {
        EpochTracker t = new EpochTracker();
        t.update(5000, 0);
        assertThat(t.update(2, 10_000)).isNotNull();
        assertThat(t.update(12, 20_000)).isNull();
    }
}
