package dev.openport.core;

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

    /** The protocol this mapper speaks. */
    MappingProtocol protocol();

    /** The gateway this mapper talks to. */
    InetAddress gateway();

    /** The gateway's external address, as the gateway reports it (it may be private behind a double NAT). */
    InetAddress externalAddress() throws PortMappingException;

    /** Creates a mapping. The gateway may grant another external port or a shorter lease than asked. */
    PortMapping map(MappingRequest request) throws PortMappingException;

    /**
     * Extends a mapping's lease, keeping its external port where the gateway allows. Also re-creates a mapping
     * the gateway lost (after a reboot), so the result's external port can differ: compare it.
     */
    PortMapping renew(PortMapping mapping) throws PortMappingException;

    /** Deletes a mapping. Deleting a mapping that is already gone succeeds. */
    void unmap(PortMapping mapping) throws PortMappingException;

    /**
     * The gateway's mapping table, where the protocol can list it (UPnP can; NAT-PMP and PCP cannot).
     *
     * @throws PortMappingException with reason {@code UNSUPPORTED} when the protocol cannot list
     */
    default List<PortMapping> list() throws PortMappingException {
        throw new PortMappingException(PortMappingException.Reason.UNSUPPORTED,
                protocol().displayName() + " cannot list a gateway's mappings", protocol(), gateway(), null, null);
    }

    /**
     * Registers a listener told when the gateway lost its state (epoch went backwards, PCP ANNOUNCE, UPnP entry
     * gone) or changed its external address. Listeners run on an openport thread and must return quickly.
     */
    default void addListener(GatewayListener listener) {
        // protocols without such signals never call it
    }

    /** Releases sockets and threads. Does not delete mappings: call {@link #unmap} first. */
    @Override
    void close();
}
