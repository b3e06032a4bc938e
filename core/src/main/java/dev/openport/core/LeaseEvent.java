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
    /** The gateway lost its state (epoch went backwards): re-create now. */
    STATE_LOST,
    /** The gateway asked us to re-check (PCP ANNOUNCE, external address change), or a sibling failed over. */
    RECHECK,
    /** The owner closed the mapping. */
    CLOSE
}
