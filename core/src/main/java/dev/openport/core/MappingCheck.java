package dev.openport.core;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * What a gateway says about one of our mappings right now: the answer of {@link PortMapper#check(PortMapping)}.
 * Routers drop entries silently, renumber their WAN side and forward to stale clients (see docs/quirks.md), so
 * the lease manager asks this on a short cadence and repairs what it shows.
 *
 * <pre>{@code
 * MappingCheck c = mapper.check(m);
 * if (c.state() == MappingCheck.State.MISSING) {
 *     m = mapper.repair(m);                      // the router dropped it: delete + add
 * }
 * c.usableExternalAddress().ifPresent(a -> System.out.println("reachable at " + a.getHostAddress()));
 * }</pre>
 *
 * @param state           what the gateway holds for the mapping's external port and transport
 * @param externalAddress the external address the gateway reports now, or {@code null} when it was not asked or
 *                        did not say; may be 0.0.0.0 while the router's WAN link is down (see
 *                        {@link #usableExternalAddress()})
 * @param internalClient  the LAN address the gateway's entry forwards to, or {@code null} when unknown (NAT-PMP
 *                        and PCP cannot list)
 * @param leaseRemaining  the lease the gateway says is left, {@link Duration#ZERO} for a permanent entry, or
 *                        {@code null} when unknown
 */
public record MappingCheck(State state, InetAddress externalAddress, InetAddress internalClient,
        Duration leaseRemaining) {

    /** What the gateway holds. */
    public enum State {
        /** Our entry is there: same external port, transport, internal port and (where known) internal client. */
        HELD,
        /** No entry for the external port and transport: the gateway dropped it (or never kept it). */
        MISSING,
        /** An entry for the external port exists but forwards elsewhere (another client or internal port). */
        FOREIGN,
        /** The gateway could not be asked (no table to read, or it refused the question). */
        UNKNOWN
    }

    /**
     * Checks an answer as a protocol module builds it.
     *
     * @param state           what the gateway holds, not {@code null}
     * @param externalAddress the external address reported now, or {@code null}
     * @param internalClient  where the entry forwards, or {@code null}
     * @param leaseRemaining  the lease left, not negative, or {@code null}
     * @throws IllegalArgumentException when {@code leaseRemaining} is negative
     */
    public MappingCheck {
        Objects.requireNonNull(state, "state");
        if (leaseRemaining != null && leaseRemaining.isNegative()) {
            throw new IllegalArgumentException("negative lease remaining: " + leaseRemaining);
        }
    }

    /**
     * The answer when the gateway holds our entry.
     *
     * @param externalAddress the external address reported now, or {@code null} when not asked
     * @param internalClient  where the entry forwards, or {@code null} when unknown
     * @return a {@link State#HELD} answer with no lease information
     */
    public static MappingCheck held(InetAddress externalAddress, InetAddress internalClient) {
        return new MappingCheck(State.HELD, externalAddress, internalClient, null);
    }

    /**
     * The answer when the gateway has no entry for the mapping.
     *
     * @param externalAddress the external address reported now, or {@code null} when not asked
     * @return a {@link State#MISSING} answer
     */
    public static MappingCheck missing(InetAddress externalAddress) {
        return new MappingCheck(State.MISSING, externalAddress, null, null);
    }

    /**
     * The answer when the gateway could not be asked about the entry.
     *
     * @param externalAddress the external address reported now, or {@code null} when not asked
     * @return an {@link State#UNKNOWN} answer
     */
    public static MappingCheck unknown(InetAddress externalAddress) {
        return new MappingCheck(State.UNKNOWN, externalAddress, null, null);
    }

    /**
     * This answer with the lease the gateway says is left.
     *
     * @param remaining the lease left, {@link Duration#ZERO} for a permanent entry, or {@code null} when unknown
     * @return a copy with {@code leaseRemaining} set
     */
    public MappingCheck withLeaseRemaining(Duration remaining) {
        return new MappingCheck(state, externalAddress, internalClient, remaining);
    }

    /**
     * The external address, unless it is missing or one the outside cannot use: 0.0.0.0 / :: (routers report it
     * while their WAN link is down), loopback, link-local or multicast. Such an address is never shown as where
     * the mapping is reachable.
     *
     * @return the external address, or empty when it is unknown or unusable
     */
    public Optional<InetAddress> usableExternalAddress() {
        return isUsableExternal(externalAddress) ? Optional.of(externalAddress) : Optional.empty();
    }

    /**
     * Whether {@code address} can be the external address of a mapping (see {@link #usableExternalAddress()}).
     *
     * @param address an address a gateway reported, or {@code null}
     * @return {@code false} for {@code null}, unspecified, loopback, link-local and multicast addresses
     */
    public static boolean isUsableExternal(InetAddress address) {
        if (address == null || address.isMulticastAddress()) {
            return false;
        }
        AddressClass c = AddressClass.of(address);
        return c != AddressClass.UNSPECIFIED && c != AddressClass.LOOPBACK && c != AddressClass.LINK_LOCAL;
    }
}
