package dev.openport.core;

import dev.openport.core.spi.GatewayListener;
import java.net.InetAddress;
import java.util.List;

/**
 * One protocol talking to one gateway. Obtain one from {@link Gateways}; most applications want
 * {@code OpenPort.map(...)} instead, which also renews and cleans up.
 *
 * <pre>{@code
 * try (PortMapper mapper = Gateways.connect()) {
 *     PortMapping m = mapper.map(MappingRequest.of(Transport.UDP, 27015));
 *     System.out.println("reachable at " + m.external() + " via " + m.protocol().displayName());
 *     // ... renew before m.expiresAt() with mapper.renew(m) ...
 *     mapper.unmap(m);
 * }
 * }</pre>
 *
 * Implementations are thread-safe. Every call is bounded by the mapper's configured timeout and fails with a
 * {@link PortMappingException} whose reason says what to do; none throws an unchecked exception for
 * anything the network sent.
 */
public interface PortMapper extends AutoCloseable {

    /**
     * The protocol this mapper speaks.
     *
     * @return the protocol; mappings it makes report the same
     */
    MappingProtocol protocol();

    /**
     * The gateway this mapper talks to.
     *
     * @return the gateway's address
     */
    InetAddress gateway();

    /**
     * The gateway's external address, as the gateway reports it now.
     *
     * @return the address; it may be private behind a double NAT, or 0.0.0.0 while the gateway's WAN is down
     * @throws PortMappingException when the gateway does not answer or refuses ({@code TIMEOUT},
     *                              {@code PROTOCOL_ERROR}, ...)
     */
    InetAddress externalAddress() throws PortMappingException;

    /**
     * Creates a mapping. The gateway may grant another external port or a shorter lease than asked.
     *
     * @param request what to map
     * @return what the gateway granted: compare its external port and lifetime with the request
     * @throws PortMappingException when the gateway refuses or does not answer; {@code CONFLICT} when an exact
     *                              external port is taken
     */
    PortMapping map(MappingRequest request) throws PortMappingException;

    /**
     * Extends a mapping's lease, keeping its external port where the gateway allows. Also re-creates a mapping
     * the gateway lost (after a reboot), so the result's external port can differ: compare it.
     *
     * @param mapping a mapping this mapper (or one of the same protocol and gateway) made
     * @return the renewed mapping, with its new lease end
     * @throws PortMappingException when the gateway refuses or does not answer
     */
    PortMapping renew(PortMapping mapping) throws PortMappingException;

    /**
     * Deletes a mapping. Deleting a mapping that is already gone succeeds.
     *
     * @param mapping the mapping to delete
     * @throws PortMappingException when the gateway refuses ({@code NOT_AUTHORIZED}: the entry then lasts until
     *                              its lease ends) or does not answer
     */
    void unmap(PortMapping mapping) throws PortMappingException;

    /**
     * The gateway's mapping table, where the protocol can list it (UPnP can; NAT-PMP and PCP cannot).
     *
     * @return every entry the gateway lists, this host's and others'
     * @throws PortMappingException with reason {@code UNSUPPORTED} when the protocol cannot list
     */
    default List<PortMapping> list() throws PortMappingException {
        throw new PortMappingException(PortMappingException.Reason.UNSUPPORTED,
                protocol().displayName() + " cannot list a gateway's mappings", protocol(), gateway(), null, null);
    }

    /**
     * Asks the gateway whether it still holds {@code mapping} and what its external address is now. The lease
     * manager calls it on the managed mapping's verify interval to catch silently dropped entries, WAN renumbering
     * and entries forwarding to a stale client (docs/quirks.md). It must not create a second entry; it may
     * refresh the lease where reading back is a renewal (NAT-PMP, PCP).
     *
     * <p>The default: for UPnP, the entry for the mapping's external port and transport is looked up
     * ({@code FOREIGN} when it forwards to another internal port or client) and the external address read with
     * {@link #externalAddress()}; for NAT-PMP and PCP the mapping is renewed, and a renewal that moved it to
     * another external port counts as {@code MISSING} (the moved entry is deleted again).
     * Protocols that can read one entry directly (UPnP GetSpecificPortMappingEntry) override it.
     *
     * @param mapping the mapping to look for
     * @return whether the gateway holds it, and the external address it reports now
     * @throws PortMappingException with reason {@code TIMEOUT} when the gateway did not answer; any other
     *                              failure to ask is reported as {@link MappingCheck.State#UNKNOWN}
     */
    default MappingCheck check(PortMapping mapping) throws PortMappingException {
        return MappingVerifier.check(this, mapping);
    }

    /**
     * Re-creates {@code mapping} from scratch: deletes it (ignoring a failure other than a timeout) and maps the
     * same request again on the same external port. Used after a failed reachability signal, when an entry the
     * router lists may not forward any more (docs/quirks.md, "listed but not forwarding"), where a renewal would
     * be a no-op. Protocols with a cheaper or safer way override it.
     *
     * @param mapping the mapping to re-create
     * @return the new mapping; its external port can differ where the request allowed another one
     * @throws PortMappingException as {@link #map} does
     */
    default PortMapping repair(PortMapping mapping) throws PortMappingException {
        try {
            unmap(mapping);
        } catch (PortMappingException e) {
            if (e.reason() == PortMappingException.Reason.TIMEOUT) {
                throw e;
            }
        }
        return map(mapping.request().withExternalPort(mapping.externalPort()));
    }

    /**
     * Registers a listener told when the gateway lost its state (epoch went backwards, PCP ANNOUNCE, UPnP entry
     * gone) or changed its external address. Listeners run on an openport thread and must return quickly.
     *
     * @param listener told about each such event from now on
     */
    default void addListener(GatewayListener listener) {
        // protocols without such signals never call it
    }

    /** Releases sockets and threads. Does not delete mappings: call {@link #unmap} first. */
    @Override
    void close();
}
