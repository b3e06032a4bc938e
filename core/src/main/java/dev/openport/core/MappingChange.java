package dev.openport.core;

import java.util.Objects;

/**
 * Something that happened to a {@link ManagedMapping} in the background.
 *
 * <pre>{@code
 * OpenPort.map(Transport.TCP, 25565, MapOptions.builder()
 *         .listener(change -> {
 *             if (change.kind() == MappingChange.Kind.CHANGED) {
 *                 announceToPlayers(change.current().external());
 *             }
 *         })
 *         .build());
 * }</pre>
 *
 * @param kind      what happened
 * @param source    the managed mapping
 * @param transport which of its transports
 * @param previous  the mapping before, or {@code null}
 * @param current   the mapping now; for {@link Kind#LOST} the last one granted (it may be gone)
 * @param detail    a readable explanation (the gateway's signal or the error)
 * @param cause     the failure, for {@link Kind#LOST} after a failed attempt; otherwise {@code null}
 */
public record MappingChange(Kind kind, ManagedMapping source, Transport transport, PortMapping previous,
        PortMapping current, String detail, PortMappingException cause) {

    /** What happened. */
    public enum Kind {
        /** The external address, external port or protocol changed (a reboot, a failover, a new WAN address). */
        CHANGED,
        /**
         * The mapping may be gone: the gateway lost its state, or a renewal failed. openport keeps re-creating
         * it (with backoff) until {@link #RESTORED} or close().
         */
        LOST,
        /** The mapping is back after {@link #LOST}; compare {@link #previous()} and {@link #current()}. */
        RESTORED
    }

    /**
     * Checks a change as the lease manager reports it.
     *
     * @param kind      what happened, not {@code null}
     * @param source    the managed mapping
     * @param transport which of its transports, not {@code null}
     * @param previous  the mapping before, or {@code null}
     * @param current   the mapping now
     * @param detail    the explanation; {@code null} = empty
     * @param cause     the failure behind a loss, or {@code null}
     */
    public MappingChange {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(transport, "transport");
        detail = detail == null ? "" : detail;
    }

    /**
     * Whether the externally visible endpoint (address or port) differs between previous and current: what to
     * announce to players or a rendezvous server again.
     *
     * @return {@code true} when both are known and their address or port differ
     */
    public boolean externalChanged() {
        return previous != null && current != null && !endpoint(previous).equals(endpoint(current));
    }

    private static Endpoint endpoint(PortMapping m) {
        return m.external();
    }
}
