package dev.openport.core;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * What to map: an internal port (on this host, or on {@link #internalAddress()}) and how the caller wants it
 * exposed. Immutable; change fields with the {@code with…} methods.
 *
 * <pre>{@code
 * MappingRequest req = MappingRequest.of(Transport.TCP, 25565)   // external port 25565 suggested, 2 h lease
 *         .withLifetime(Duration.ofHours(1))
 *         .withDescription("minecraft");
 * MappingRequest exact = req.withExternalPort(443).requireExactExternalPort();
 * MappingRequest vpn = MappingRequest.anyPort(Transport.UDP)          // the gateway picks port P and forwards
 *         .withLifetime(Duration.ofSeconds(60));                       // P to this host's port P
 * }</pre>
 *
 * <p><b>Any port.</b> An internal port of {@link #FOLLOW_EXTERNAL_PORT} (0) means "the service listens on whatever
 * external port the gateway grants": the gateway chooses the external port P (or takes {@link #externalPort()} as
 * a suggestion) and forwards P to this host's port P. VPN gateways that forward one port (ProtonVPN-style NAT-PMP)
 * work only this way. The granted mapping reports the granted port as its {@link PortMapping#internalPort()}; the
 * service must then listen on that port, and follow it when a renewal reports another one.
 *
 * @param transport         TCP or UDP
 * @param internalPort      the port the service listens on, 1–65535, or {@link #FOLLOW_EXTERNAL_PORT} (0) to
 *                          listen on the external port the gateway grants
 * @param internalAddress   the LAN address to forward to, or {@code null} for the local address that routes to
 *                          the gateway (the usual case)
 * @param externalPort      the external port to ask for, 0 to let the gateway choose
 * @param exactExternalPort {@code true} to fail rather than accept another external port than
 *                          {@code externalPort}
 * @param lifetime          the lease to ask for; the gateway may grant less (or, on some UPnP routers, a
 *                          permanent lease); {@link Duration#ZERO} asks for a permanent lease, which only UPnP
 *                          has (lease 0): NAT-PMP and PCP refuse it with {@code UNSUPPORTED}, because a
 *                          lifetime of 0 deletes a mapping there
 * @param description       a label shown in the router's table (UPnP only); printable ASCII is safest
 */
public record MappingRequest(Transport transport, int internalPort, InetAddress internalAddress, int externalPort,
        boolean exactExternalPort, Duration lifetime, String description) {

    /** The lease asked for by default: RFC 6886 §3.3 recommends two hours. */
    public static final Duration DEFAULT_LIFETIME = Duration.ofHours(2);
    /** The label used when none is given. */
    public static final String DEFAULT_DESCRIPTION = "openport";
    /** The longest lease asked for: a UPnP IGD:2 ceiling (604800 s) and far below NAT-PMP's 32-bit field. */
    public static final Duration MAX_LIFETIME = Duration.ofDays(7);
    /** The internal port meaning "the same port as the granted external port" (see {@link #anyPort}). */
    public static final int FOLLOW_EXTERNAL_PORT = 0;

    /**
     * Checks a request; prefer {@link #of} and the {@code with…} methods.
     *
     * @param transport         TCP or UDP, not {@code null}
     * @param internalPort      1-65535, or {@link #FOLLOW_EXTERNAL_PORT}
     * @param internalAddress   where to forward, or {@code null} for this host
     * @param externalPort      0-65535, 0 = the gateway chooses
     * @param exactExternalPort refuse another external port; needs an external port
     * @param lifetime          the lease: zero (permanent), or 1 s up to {@link #MAX_LIFETIME}
     * @param description       the router's label
     * @throws IllegalArgumentException when a value is out of range
     */
    public MappingRequest {
        Objects.requireNonNull(transport, "transport");
        checkPort(internalPort, "internal port", true);
        checkPort(externalPort, "external port", true);
        if (exactExternalPort && externalPort == 0) {
            throw new IllegalArgumentException("an exact external port needs an external port");
        }
        Objects.requireNonNull(lifetime, "lifetime");
        if (lifetime.isNegative() || (!lifetime.isZero() && lifetime.compareTo(Duration.ofSeconds(1)) < 0)) {
            throw new IllegalArgumentException("lifetime must be 0 (permanent) or at least 1 second, was "
                    + lifetime);
        }
        if (lifetime.compareTo(MAX_LIFETIME) > 0) {
            throw new IllegalArgumentException("lifetime must be at most 7 days, was " + lifetime);
        }
        description = description == null ? DEFAULT_DESCRIPTION : description;
        if (description.length() > 256) {
            throw new IllegalArgumentException("description is longer than 256 characters");
        }
    }

    private static void checkPort(int port, String what, boolean zeroAllowed) {
        if (port < (zeroAllowed ? 0 : 1) || port > 65535) {
            throw new IllegalArgumentException(what + " must be " + (zeroAllowed ? "0" : "1") + "-65535, was " + port);
        }
    }

    /**
     * Maps {@code internalPort} of this host, suggesting the same external port, with a 2-hour lease.
     *
     * @param transport    TCP or UDP
     * @param internalPort the port on this host, 1-65535
     * @return the request
     */
    public static MappingRequest of(Transport transport, int internalPort) {
        return new MappingRequest(transport, internalPort, null, internalPort, false, DEFAULT_LIFETIME,
                DEFAULT_DESCRIPTION);
    }

    /**
     * Maps whatever port the gateway chooses, forwarded to the same port on this host, with a 2-hour lease:
     * internal port {@link #FOLLOW_EXTERNAL_PORT}, external port 0. Suggest a port with
     * {@link #withExternalPort(int)}.
     *
     * @param transport TCP or UDP
     * @return the request
     */
    public static MappingRequest anyPort(Transport transport) {
        return new MappingRequest(transport, FOLLOW_EXTERNAL_PORT, null, 0, false, DEFAULT_LIFETIME,
                DEFAULT_DESCRIPTION);
    }

    /**
     * Whether the service listens on the granted external port (internal port 0, see {@link #anyPort}).
     *
     * @return {@code true} for an any-port request
     */
    public boolean followsExternalPort() {
        return internalPort == FOLLOW_EXTERNAL_PORT;
    }

    /**
     * Whether this asks for a permanent lease (lifetime 0; UPnP only).
     *
     * @return {@code true} when the lifetime is zero
     */
    public boolean isPermanent() {
        return lifetime.isZero();
    }

    /**
     * The internal address, when one was given.
     *
     * @return the address, or empty for this host
     */
    public Optional<InetAddress> internalAddressIfSet() {
        return Optional.ofNullable(internalAddress);
    }

    /**
     * This request with another suggested external port.
     *
     * @param port the external port, 0 = the gateway chooses
     * @return the new request
     */
    public MappingRequest withExternalPort(int port) {
        return new MappingRequest(transport, internalPort, internalAddress, port, exactExternalPort && port != 0,
                lifetime, description);
    }

    /**
     * This request, failing with {@code CONFLICT} rather than accepting another external port.
     *
     * @return the new request
     */
    public MappingRequest requireExactExternalPort() {
        return new MappingRequest(transport, internalPort, internalAddress, externalPort, true, lifetime,
                description);
    }

    /**
     * This request with another lease.
     *
     * @param newLifetime the lease to ask for ({@link Duration#ZERO} = permanent)
     * @return the new request
     */
    public MappingRequest withLifetime(Duration newLifetime) {
        return new MappingRequest(transport, internalPort, internalAddress, externalPort, exactExternalPort,
                newLifetime, description);
    }

    /**
     * This request with another label.
     *
     * @param newDescription the label the gateway shows
     * @return the new request
     */
    public MappingRequest withDescription(String newDescription) {
        return new MappingRequest(transport, internalPort, internalAddress, externalPort, exactExternalPort,
                lifetime, newDescription);
    }

    /**
     * This request forwarding to another LAN address.
     *
     * @param address the LAN address, or {@code null} for this host
     * @return the new request
     */
    public MappingRequest withInternalAddress(InetAddress address) {
        return new MappingRequest(transport, internalPort, address, externalPort, exactExternalPort, lifetime,
                description);
    }
}
