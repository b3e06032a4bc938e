package dev.openport.diagnostics;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The echo service's per-source token bucket, on a hand-moved clock. */
class SourceRateLimitTest {
    final AtomicLong now = new AtomicLong(1_000_000_000L);

    static InetAddress ip(String literal) throws Exception {
        return InetAddress.getByName(literal);
    }

    @Test
    void aBurstThenTheSustainedRate() throws Exception {
        SourceRateLimit limit = new SourceRateLimit(2, 3, 100, now::get);
        InetAddress a = ip("203.0.113.1");
        for (int i = 0; i < 3; i++) {
            assertThat(limit.tryAcquire(a)).isTrue();
        }
        assertThat(limit.tryAcquire(a)).isFalse();
        assertThat(limit.tryAcquire(ip("203.0.113.2"))).as("another source has its own bucket").isTrue();
        now.addAndGet(499_000_000L);
        assertThat(limit.tryAcquire(a)).as("not yet half a second").isFalse();
        now.addAndGet(2_000_000L);
        assertThat(limit.tryAcquire(a)).isTrue();
        assertThat(limit.tryAcquire(a)).isFalse();
        now.addAndGet(60_000_000_000L);
        for (int i = 0; i < 3; i++) {
            assertThat(limit.tryAcquire(a)).as("refilled to the burst, not beyond").isTrue();
        }
        assertThat(limit.tryAcquire(a)).isFalse();
    }

    @Test
    void oneIpv6Slash64IsOneSource() throws Exception {
        SourceRateLimit limit = new SourceRateLimit(1, 2, 100, now::get);
        assertThat(limit.tryAcquire(ip("2001:db8:1::1"))).isTrue();
        assertThat(limit.tryAcquire(ip("2001:db8:1::2"))).isTrue();
        assertThat(limit.tryAcquire(ip("2001:db8:1:0:ffff::3"))).isFalse();
        assertThat(limit.tryAcquire(ip("2001:db8:1:1::1"))).isTrue();
    }

    @Test
    void theTableIsBoundedAndForgetsIdleSources() throws Exception {
        SourceRateLimit limit = new SourceRateLimit(1, 2, 2, now::get);
        assertThat(limit.tryAcquire(ip("192.0.2.1"))).isTrue();
        assertThat(limit.tryAcquire(ip("192.0.2.2"))).isTrue();
        assertThat(limit.tryAcquire(ip("192.0.2.3"))).as("table full, nobody idle").isFalse();
        now.addAndGet(1_000_000_000L);
        assertThat(limit.tryAcquire(ip("192.0.2.3"))).as("the others refilled and were dropped").isTrue();
    }
}
