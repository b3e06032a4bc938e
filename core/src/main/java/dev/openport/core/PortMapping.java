package dev.openport.core;

import dev.openport.core.spi.ProtocolState;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * A mapping a gateway granted: where the outside reaches it, for how long, and through which protocol.
 *
 * <pre>{@code
 * PortMapping m = mapper.map(MappingRequest.of(Transport.TCP, 25565));
 * System.out.println("players connect to " + m.external());   // e.g. 203.0.113.1:25565
 * if (m.isPermanent()) {
 *     // the router only grants permanent leases: it must be removed explicitly
 * }
 * mapper.unmap(m);
 * }</pre>
 *
 * @param request         what was asked
 * @param internalAddress the LAN address the gateway forwards to
 * @param externalAddress the gateway's external address (may be private or CGNAT: see
 *                        {@code AddressClass}); {@code null} when the protocol did not say
 * @param externalPort    the external port granted, which may differ from the one suggested
 * @param lifetime        the lease granted; {@link Duration#ZERO} for a permanent lease
 * @param expiresAt       when the lease ends if not renewed; {@link Instant#MAX} for a permanent lease
 * @param protocol        the protocol that made it
 * @param gateway         the gateway that made it
 * @param protocolState   what the protocol module needs to renew or delete this mapping later, possibly from
 *                        another process (the PCP nonce, the UPnP control URL): an SPI type, written and read by
 *                        the module only; keep it as it is
 */
public record PortMapping(MappingRequest request, InetAddress internalAddress, InetAddress externalAddress,
        int externalPort, Duration lifetime, Instant expiresAt, MappingProtocol protocol, InetAddress gateway,
        ProtocolState protocolState) {

    /**
     * Checks a mapping as a protocol module (or a caller restoring a saved mapping) builds it.
     *
     * @param request         what was asked, not {@code null}
     * @param internalAddress where the gateway forwards to, not {@code null}
     * @param externalAddress the gateway's external address, or {@code null} when unknown
     * @param externalPort    1-65535
     * @param lifetime        the lease, not {@code null}
     * @param expiresAt       the lease end, not {@code null}
     * @param protocol        the protocol that made it, not {@code null}
     * @param gateway         the gateway that made it, not {@code null}
     * @param protocolState   the state the protocol module wrote; {@code null} = {@link ProtocolState#NONE}
     * @throws NullPointerException     when a required component is {@code null}
     * @throws IllegalArgumentException when the external port is out of range
     */
    public PortMapping {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(internalAddress, "internalAddress");
        if (externalPort < 1 || externalPort > 65535) {
            throw new IllegalArgumentException("external port must be 1-65535, was " + externalPort);
        }
        Objects.requireNonNull(lifetime, "lifetime");
        Objects.requireNonNull(expiresAt, "expiresAt");
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(gateway, "gateway");
        protocolState = protocolState == null ? ProtocolState.NONE : protocolState;
    }

    /**
     * The transport mapped.
     *
     * @return the request's transport
     */
    public Transport transport() {
        return request.transport();
    }

    /**
     * The internal port mapped: the requested one, or for a request that {@linkplain
     * MappingRequest#followsExternalPort() follows the external port} the granted external port.
     *
     * @return the port on this host (or {@code internalAddress}) that the gateway forwards to
     */
    public int internalPort() {
        return request.followsExternalPort() ? externalPort : request.internalPort();
    }

    /**
     * Where the outside reaches the service, printable as {@code 203.0.113.1:25565}.
     *
     * @return the external address (possibly unknown) and port
     */
    public Endpoint external() {
        return new Endpoint(externalAddress, externalPort);
    }

    /**
     * Whether the gateway granted a lease that never expires (some UPnP routers only do that): such an entry
     * stays on the router until deleted, so it must be deleted explicitly.
     *
     * @return {@code true} for a permanent lease
     */
    public boolean isPermanent() {
        return lifetime.isZero();
    }

    /**
     * A copy with new lease times, as a renewal returns.
     *
     * @param newLifetime the lease granted by the renewal
     * @param newExpiry   when it ends
     * @return this mapping with the new lease
     */
    public PortMapping withLease(Duration newLifetime, Instant newExpiry) {
        return new PortMapping(request, internalAddress, externalAddress, externalPort, newLifetime, newExpiry,
                protocol, gateway, protocolState);
    }
}
