package dev.openport.core;

/**
 * The states of {@link LeaseTable}: where one lease (one transport of a {@link ManagedMapping}) is. Finer than the
 * public {@link LeaseState} callers see ({@link #publicState()}), because the table must remember things a caller
 * need not tell apart: a delete + add in flight (shown as renewing), and a retry that owes a repair rather than a
 * plain renewal (shown as retrying; docs/quirks.md, "listed but not forwarding").
 */
enum LeasePhase {
    /** The first request is in flight. */
    MAPPING,
    /** Granted; the next renewal or verification is scheduled. */
    ACTIVE,
    /** A read-back of the entry and the external address is in flight. */
    VERIFYING,
    /** Granted, but the gateway reports no usable external address; verifications continue. */
    WAITING_FOR_WAN,
    /** A renewal (or a re-creation after a gateway reboot) is in flight. */
    RENEWING,
    /** A delete + add is in flight: a read-back found the entry gone, or the outside could not reach it. */
    REPAIRING,
    /** The last renewal failed; another is scheduled with backoff. */
    RETRYING,
    /** The last delete + add failed; the retry scheduled with backoff repairs again (a re-add would not do). */
    RETRYING_REPAIR,
    /** The protocol in use stopped answering or refused: every protocol is being probed again. */
    FAILING_OVER,
    /** Closed: nothing more happens. */
    CLOSED;

    /** What {@link ManagedMapping#state()} reports for this phase. */
    LeaseState publicState() {
        return switch (this) {
            case MAPPING -> LeaseState.MAPPING;
            case ACTIVE, VERIFYING -> LeaseState.ACTIVE; // a read-back in flight is healthy
            case WAITING_FOR_WAN -> LeaseState.WAITING_FOR_WAN;
            case RENEWING, REPAIRING -> LeaseState.RENEWING;
            case RETRYING, RETRYING_REPAIR -> LeaseState.RETRYING;
            case FAILING_OVER -> LeaseState.FAILING_OVER;
            case CLOSED -> LeaseState.CLOSED;
        };
    }

    /** Waiting out a backoff after a failure: a gateway that answers again wakes it early. */
    boolean waitsOutBackoff() {
        return this == RETRYING || this == RETRYING_REPAIR;
    }
}
