package dev.openport.diagnostics;

import java.net.InetAddress;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * A token bucket per source — an IPv4 address, or an IPv6 /64 (one host can use any address of its /64, so a
 * per-address limit would be no limit) — with a bounded table: {@link EchoServer}'s per-requester rate limit.
 * Thread-safe; the clock is injectable for tests.
 */
final class SourceRateLimit {
    private final double perSecond;
    private final int burst;
    private final int maxSources;
    private final LongSupplier nanoClock;
    private final Map<String, Bucket> buckets = new HashMap<>();

    private static final class Bucket {
        double tokens;
        long refilledNanos;
    }

    /**
     * @param perSecond  requests a source may make per second, sustained
     * @param burst      requests a source may make at once after being idle
     * @param maxSources sources tracked at once; a new source beyond them is refused until old ones go idle
     * @param nanoClock  {@link System#nanoTime} outside tests
     */
    SourceRateLimit(double perSecond, int burst, int maxSources, LongSupplier nanoClock) {
        this.perSecond = perSecond;
        this.burst = burst;
        this.maxSources = maxSources;
        this.nanoClock = nanoClock;
    }

    /**
     * Takes one request from {@code source}'s bucket.
     *
     * @param source the requester
     * @return whether the request may be served
     */
    synchronized boolean tryAcquire(InetAddress source) {
        long now = nanoClock.getAsLong();
        String key = key(source);
        Bucket b = buckets.get(key);
        if (b == null) {
            if (buckets.size() >= maxSources) {
                forgetFullBuckets(now);
                if (buckets.size() >= maxSources) {
                    return false;
                }
            }
            b = new Bucket();
            b.tokens = burst;
            b.refilledNanos = now;
            buckets.put(key, b);
        }
        b.tokens = refilled(b, now);
        b.refilledNanos = now;
        if (b.tokens < 1) {
            return false;
        }
        b.tokens -= 1;
        return true;
    }

    /** A source whose bucket has refilled is the same as one never seen: drop it. */
    private void forgetFullBuckets(long now) {
        buckets.values().removeIf(b -> refilled(b, now) >= burst);
    }

    private double refilled(Bucket b, long now) {
        return Math.min(burst, b.tokens + (now - b.refilledNanos) / 1e9 * perSecond);
    }

    private static String key(InetAddress source) {
        byte[] a = EchoRequest.canonical(source).getAddress();
        return Arrays.toString(a.length == 16 ? Arrays.copyOf(a, 8) : a);
    }
}
