package dev.openport.core;

/** What can happen to a managed mapping; the input of {@link LeaseTable}. */
enum LeaseEvent {
    /** The gateway granted (or renewed, or re-created) the mapping. */
    GRANTED,
    /** The renewal (or retry) timer fired. */
    RENEW_DUE,
    /** An attempt failed, but not in a way that suggests the protocol is gone (it answered, or only once). */
    FAILURE,
    /** Attempts keep failing without an answer: the protocol in use seems gone; fail over. */
    SILENT,
    /**
     * The protocol in use refused with a lasting reason (NOT_AUTHORIZED, UNSUPPORTED): the half-open router of
     * docs/quirks.md. The protocol is marked unusable for the gateway and the next one that answers is tried.
     */
    REFUSED,
    /** The verification timer fired, or the network changed under us (resume from sleep, new gateway). */
    VERIFY_DUE,
    /** A verification found our entry held and the external address usable. */
    HELD,
    /**
     * A verification found our entry gone, or forwarding elsewhere (a silent drop, a flushed table, a stale
     * client): delete and add it again.
     */
    MISSING,
    /** A verification found the gateway reporting no usable external address (0.0.0.0: its WAN is down). */
    NO_WAN,
    /**
     * The outside could not reach the mapping although the gateway may list it (the application or the CLI learned
     * it, {@code ManagedMapping.reportUnreachable()}): delete and add it now, since a re-add can leave a listed
     * entry that does not forward (docs/quirks.md, "listed but not forwarding").
     */
    UNREACHABLE,
    /** The gateway lost its state (epoch went backwards): re-create now. */
    STATE_LOST,
    /** The gateway asked us to re-check (PCP ANNOUNCE, external address change), or a sibling failed over. */
    RECHECK,
    /** The owner closed the mapping. */
    CLOSE
}
