package dev.openport.core;

/**
 * Where a {@link ManagedMapping} is in its life. See {@code LeaseTable} for every transition.
 *
 * <pre>{@code
 * if (m.state() == LeaseState.RETRYING) {
 *     System.out.println("router not answering; openport keeps trying");
 * }
 * }</pre>
 */
public enum LeaseState {
    /** The first request is in flight. */
    MAPPING,
    /** Granted and healthy; the next renewal or read-back is scheduled (or a read-back is in flight). */
    ACTIVE,
    /**
     * Granted, but the gateway reports no usable external address (0.0.0.0 while its WAN link is down): openport
     * keeps checking and re-adds the mapping if the router flushed it when the WAN comes back.
     */
    WAITING_FOR_WAN,
    /** A renewal (or re-creation after a gateway reboot) is in flight. */
    RENEWING,
    /** The last attempt failed; another is scheduled with backoff. */
    RETRYING,
    /** The protocol in use stopped answering: every protocol is being probed again to continue on another. */
    FAILING_OVER,
    /** Closed: the mapping was deleted (or its deletion attempted) and nothing more happens. */
    CLOSED
}
