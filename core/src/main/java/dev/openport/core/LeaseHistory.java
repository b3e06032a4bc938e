package dev.openport.core;

/**
 * What one lease remembers between attempts, and the decisions made from it: which {@link LeaseEvent} a failure
 * is, whether a loss was already reported, and whether the router drops finite leases (docs/quirks.md,
 * "lease-0-only firmware"). Not thread-safe: the lease calls it under its lock.
 */
final class LeaseHistory {
    private static final long NONE = Long.MIN_VALUE;
    /** Consecutive unanswered attempts before failing over to whatever protocol answers now. */
    static final int FAILOVER_AFTER_SILENT = 2;
    /** Consecutive failures of any kind before failing over (a refused connection, a broken cached URL). */
    static final int FAILOVER_AFTER_ANY = 4;
    /** Early drops in a row after which the gateway is taken to keep only permanent leases. */
    static final int EARLY_DROPS_FOR_PERMANENT = 2;

    private int failures;
    private int silent;
    private long outageSince = NONE;
    private boolean lossReported;
    private int earlyDrops;
    private long grantedAt = NONE;

    /**
     * Classifies a failed attempt: a lasting refusal switches protocol at once; silence (or any failure) that
     * repeats fails over; anything else is retried with backoff.
     */
    LeaseEvent failed(PortMappingException e, long now) {
        failures++;
        silent = isSilent(e) ? silent + 1 : 0;
        if (outageSince == NONE) {
            outageSince = now;
        }
        if (ProtocolRefusals.isLasting(e)) {
            return LeaseEvent.REFUSED;
        }
        return silent >= FAILOVER_AFTER_SILENT || failures >= FAILOVER_AFTER_ANY ? LeaseEvent.SILENT
                : LeaseEvent.FAILURE;
    }

    /** The gateway (or the protocol) did not answer, as opposed to answering with a refusal. */
    static boolean isSilent(PortMappingException e) {
        return e.reason() == PortMappingException.Reason.TIMEOUT
                || e.reason() == PortMappingException.Reason.GATEWAY_NOT_FOUND;
    }

    /** What a failed attempt showed about the gateway, for {@link GatewayHealth}. */
    static GatewayHealth.Signal showed(PortMappingException e) {
        return isSilent(e) ? GatewayHealth.Signal.UNANSWERED
                : ProtocolRefusals.isLasting(e) ? GatewayHealth.Signal.REFUSED : GatewayHealth.Signal.ANSWERED;
    }

    /** A grant: the outage (if any) is over. */
    void granted(long now) {
        failures = 0;
        silent = 0;
        outageSince = NONE;
        grantedAt = now;
    }

    int failures() {
        return failures;
    }

    /** When the current outage began, or {@code now} if there is none. */
    long outageSince(long now) {
        return outageSince == NONE ? now : outageSince;
    }

    /** Whether a loss should be reported now (once per outage); {@link #restored()} ends it. */
    boolean reportLoss() {
        if (lossReported) {
            return false;
        }
        lossReported = true;
        return true;
    }

    /** Whether a loss had been reported, which a grant now ends. */
    boolean restored() {
        boolean was = lossReported;
        lossReported = false;
        return was;
    }

    /**
     * A verification found {@code m} gone; whether this makes {@link #EARLY_DROPS_FOR_PERMANENT} drops in a row
     * well before its lease (less than half of it used): the firmware keeps only permanent entries.
     */
    boolean droppedEarly(PortMapping m, long now) {
        boolean early = !m.isPermanent() && grantedAt != NONE
                && now - grantedAt < m.lifetime().toNanos() / 2;
        earlyDrops = early ? earlyDrops + 1 : 0;
        return earlyDrops >= EARLY_DROPS_FOR_PERMANENT;
    }
}
