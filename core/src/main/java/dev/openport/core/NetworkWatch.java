package dev.openport.core;

import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Looks every {@link #EVERY} for what moves a host's mappings away under it: a suspend/resume ({@link ClockJump})
 * and a new default gateway or local address (another network, a DHCP renumbering of this host). On a jump every
 * managed mapping is verified at once; on a network change the session probes again from the new address, and its
 * leases move their mappings there (docs/quirks.md, "sleep / network change", "LAN address change"). Runs on the
 * lease thread while any mapping is live; never sends a packet itself.
 */
final class NetworkWatch {
    private static final Logger LOG = LoggerFactory.getLogger(NetworkWatch.class);
    /** How often to look: cheap (a routing-table read), and the verify cadence bounds the rest. */
    static final Duration EVERY = Duration.ofSeconds(15);
    /** Clock drift below this is NTP slewing, not a sleep. */
    static final Duration JUMP_TOLERANCE = Duration.ofSeconds(5);

    private final ClockJump clock;

    NetworkWatch(ClockJump clock) {
        this.clock = clock;
    }

    /** One look at the clocks and at each session's route to its gateway. */
    void look(List<Lease> live, List<GatewaySession> sessions) {
        if (clock.jumped()) {
            LOG.info("the clock jumped (suspend/resume?): verifying {} mappings now", live.size());
            for (Lease l : live) {
                l.fire(LeaseEvent.VERIFY_DUE);
            }
        }
        for (GatewaySession s : sessions) {
            s.checkRoute();
        }
    }
}
