package dev.openport.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** A small run of the scale bench (300 mappings, 1 s leases, 1 s measured) so the bench itself cannot rot. */
class LeaseScaleBenchTest {

    @Test
    void smallRunRenewsOnTheOneLeaseThreadAndLeavesNoThreadBehind() throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        LeaseScaleBench.Result r = LeaseScaleBench.run(300, 1, 1, new PrintStream(buf, true, StandardCharsets.UTF_8));
        String printed = buf.toString(StandardCharsets.UTF_8);

        assertThat(r.maxOpenportThreads()).isEqualTo(1);
        // 1 s leases renew every 0.5 s: each of the 300 mappings renews about twice in the measured second
        assertThat(r.renewals()).isGreaterThan(300);
        assertThat(r.lateness().count()).isPositive();
        assertThat(r.untimedRenewals()).isZero();
        assertThat(r.threadsAfterClose()).isEmpty();
        assertThat(printed).contains("threads: 1 openport thread(s)", "renewal lateness", "retained heap");
    }
}
