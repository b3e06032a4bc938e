package dev.openport.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class StatsTest {

    @Test
    void p99OfTwoHundredRunsIsTheHundredAndNinetyEighthValue() {
        long[] v = new long[200];
        for (int i = 0; i < v.length; i++) {
            v[i] = 200 - i; // unsorted on purpose: 200..1
        }
        Stats s = Stats.of(v);
        assertThat(s.p99()).isEqualTo(198);
        assertThat(s.percentile(100)).isEqualTo(200);
        assertThat(s.percentile(0.1)).isEqualTo(1);
        assertThat(s.median()).isEqualTo(100); // (100 + 101) / 2 in integer nanoseconds
        assertThat(s.min()).isEqualTo(1);
        assertThat(s.max()).isEqualTo(200);
    }

    @Test
    void medianOfAnOddSampleIsTheMiddleValueAndOnlyTheFirstNCount() {
        Stats s = Stats.of(new long[] {9, 1, 5, 1_000_000, 1_000_000}, 3);
        assertThat(s.count()).isEqualTo(3);
        assertThat(s.median()).isEqualTo(5);
        assertThat(s.max()).isEqualTo(9);
    }

    @Test
    void emptySampleGivesZerosAndBadPercentilesAreRefused() {
        Stats s = Stats.of(new long[0]);
        assertThat(s.median()).isZero();
        assertThat(s.p99()).isZero();
        assertThatThrownBy(() -> s.percentile(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> s.percentile(101)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void millisecondsHaveThreeDecimals() {
        assertThat(Stats.ms(1_234_567)).isEqualTo("1.235");
    }
}
