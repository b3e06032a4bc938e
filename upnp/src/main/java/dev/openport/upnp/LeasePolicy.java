package dev.openport.upnp;

import dev.openport.core.PortMappingException;
import dev.openport.core.spi.ProbeContext;
import java.net.URI;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lease to send to one gateway: what the caller asked, clamped to the spec's ceiling, 0 for a permanent
 * request (lifetime {@link Duration#ZERO}) or once the gateway showed it only takes permanent leases, and the
 * SCPD's announced maximum for the 402 recovery row.
 */
final class LeasePolicy {
    private static final Logger LOG = LoggerFactory.getLogger(LeasePolicy.class);
    /** UPnP-gw-WANIPConnection-v2 §2.3.17: PortMappingLeaseDuration is at most 604800 s; also MAX_LIFETIME. */
    static final long MAX_LEASE = 604_800;

    private final ProbeContext ctx;
    /** Learned from 725/402 (the GO_PERMANENT recovery step): this gateway only takes lease 0. Never forgotten. */
    private volatile boolean permanentOnly;
    /** The SCPD's lease maximum: 0 = not fetched yet, -1 = none given. */
    private volatile long scpdMaximum;

    LeasePolicy(ProbeContext ctx) {
        this.ctx = ctx;
    }

    boolean permanentOnly() {
        return permanentOnly;
    }

    void learnPermanentOnly() {
        if (!permanentOnly) {
            LOG.debug("gateway {} only takes permanent leases: lease 0 from now on", ctx.gateway().getHostAddress());
        }
        permanentOnly = true;
    }

    /** The lease in seconds to send for {@code lifetime}: 0 for permanent (ZERO) or a permanent-only gateway. */
    long seconds(Duration lifetime) {
        if (lifetime.isZero() || permanentOnly) {
            return 0;
        }
        return Math.max(1, Math.min(MAX_LEASE, lifetime.getSeconds()));
    }

    /** The lease to renew with: a permanent mapping stays permanent (never a second entry for it). */
    long renewalSeconds(Duration requested, boolean wasPermanent) {
        return wasPermanent ? 0 : seconds(requested);
    }

    /** The maximum lease the service's SCPD allows, -1 when it says none; fetched once (one GET). */
    long scpdMaximum(IgdClient c) {
        long v = scpdMaximum;
        if (v != 0) {
            return v;
        }
        v = -1;
        URI scpd = c.service().scpdUrl();
        if (scpd != null) {
            try {
                MiniHttp.Response r = MiniHttp.get(scpd, System.nanoTime() + ctx.timeout().toNanos(),
                        Discovery.MAX_DESCRIPTION_BYTES);
                if (r.status() == 200) {
                    v = Scpd.maxLeaseSeconds(r.body());
                }
            } catch (PortMappingException e) {
                LOG.debug("SCPD {} not readable: {}", scpd, e.getMessage());
            }
        }
        scpdMaximum = v;
        return v;
    }
}
