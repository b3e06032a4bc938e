package dev.openport.bench;

import java.util.Arrays;
import java.util.Locale;

/**
 * Order statistics of a sample of durations in nanoseconds. Percentiles use the nearest-rank method (the
 * smallest value with at least p % of the sample at or below it), so a p99 over 200 runs is the 198th value:
 * a real observed time, never an interpolation.
 */
public final class Stats {
    private final long[] sorted;

    private Stats(long[] sorted) {
        this.sorted = sorted;
    }

    /** Sorts a copy of the first {@code n} values. */
    public static Stats of(long[] nanos, int n) {
        if (n < 0 || n > nanos.length) {
            throw new IllegalArgumentException("n " + n + " outside 0.." + nanos.length);
        }
        long[] copy = Arrays.copyOf(nanos, n);
        Arrays.sort(copy);
        return new Stats(copy);
    }

    public static Stats of(long[] nanos) {
        return of(nanos, nanos.length);
    }

    public int count() {
        return sorted.length;
    }

    /** The nearest-rank percentile, {@code 0 < p <= 100}; 0 for an empty sample. */
    public long percentile(double p) {
        if (!(p > 0 && p <= 100)) {
            throw new IllegalArgumentException("percentile must be in (0, 100], was " + p);
        }
        if (sorted.length == 0) {
            return 0;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(1, rank) - 1];
    }

    /** The median as the mean of the two middle values of an even sample. */
    public long median() {
        int n = sorted.length;
        if (n == 0) {
            return 0;
        }
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    public long p99() {
        return percentile(99);
    }

    public long max() {
        return sorted.length == 0 ? 0 : sorted[sorted.length - 1];
    }

    public long min() {
        return sorted.length == 0 ? 0 : sorted[0];
    }

    /** Nanoseconds as milliseconds with three decimals, e.g. {@code 1.234}. */
    public static String ms(long nanos) {
        return String.format(Locale.ROOT, "%.3f", nanos / 1e6);
    }
}
