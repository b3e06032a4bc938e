package dev.openport.natpmp;

import dev.openport.core.MappingProtocol;
import dev.openport.core.MappingRequest;
import dev.openport.core.PortMapper;
import dev.openport.core.PortMapping;
import dev.openport.core.PortMappingException.Reason;
import dev.openport.core.PortMappingException;
import dev.openport.core.Transport;
import dev.openport.core.spi.AnyPorts;
import dev.openport.core.spi.GatewayListener;
import dev.openport.core.spi.ProbeContext;
import dev.openport.core.spi.ProtocolState;
import dev.openport.core.spi.RetransmissionPolicy;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link PortMapper} speaking NAT-PMP (RFC 6886) to one IPv4 gateway. Usually obtained through
 * {@code Gateways.connect(...)}; thread-safe (every request uses a socket of its own).
 *
 * <pre>{@code
 * try (PortMapper mapper = Gateways.connect(DiscoveryOptions.builder()
 *         .protocols(MappingProtocol.NAT_PMP).build())) {
 *     PortMapping m = mapper.map(MappingRequest.of(Transport.UDP, 27015));
 *     System.out.println("reachable at " + m.external());
 *     mapper.unmap(m);
 *     if (mapper instanceof NatPmpPortMapper natpmp) {
 *         natpmp.deleteAll(Transport.TCP);      // RFC 6886 §3.4: every TCP mapping of this host
 *     }
 * }
 * }</pre>
 *
 * NAT-PMP maps only ports of the host that sends the request: a request with another internal address fails
 * with {@code UNSUPPORTED}. The gateway may grant another external port or a shorter lease than asked;
 * {@link #renew} asks for the granted port again. When {@link ProbeContext#multicast()} is on, registering a
 * listener also starts listening for the gateway's address announcements (RFC 6886 §3.2.1).
 */
public final class NatPmpPortMapper implements PortMapper {
    private static final Logger LOG = LoggerFactory.getLogger(NatPmpPortMapper.class);
    /** The gateway's NAT-PMP port (RFC 6886 §3.1). */
    static final int SERVER_PORT = 5351;

    private final InetAddress gateway;
    private final InetAddress localAddress;
    private final NatPmpClient client;
    private final GatewayMonitor monitor;
    private final InetSocketAddress announceAddress;
    private final Clock clock;
    private final Object announceLock = new Object();
    private AnnouncementListener announcements;
    private volatile boolean closed;

    /** A mapper for the gateway in {@code context}; sends nothing yet. */
    NatPmpPortMapper(ProbeContext context) throws PortMappingException {
        this(context, context.multicast() ? AnnouncementListener.ANNOUNCE_GROUP : null, Clock.systemUTC());
    }

    /**
     * @param announceAddress where to listen for announcements once a listener is registered, or {@code null}
     *                        for never; tests pass a loopback address
     */
    NatPmpPortMapper(ProbeContext context, InetSocketAddress announceAddress, Clock clock)
            throws PortMappingException {
        Objects.requireNonNull(context, "context");
        if (!(context.gateway() instanceof Inet4Address)) {
            throw new PortMappingException(Reason.UNSUPPORTED, "NAT-PMP works over IPv4 only, not with gateway "
                    + context.gateway().getHostAddress(), MappingProtocol.NAT_PMP, context.gateway(), null, null);
        }
        this.gateway = context.gateway();
        this.localAddress = context.localAddress();
        this.clock = Objects.requireNonNull(clock, "clock");
        this.monitor = new GatewayMonitor(gateway, System::nanoTime);
        this.client = new NatPmpClient(new InetSocketAddress(gateway, context.serverPortOr(SERVER_PORT)),
                localAddress, context.timeout(), monitor::observe, RetransmissionPolicy.natPmp());
        this.announceAddress = announceAddress;
    }

    @Override
    public MappingProtocol protocol() {
        return MappingProtocol.NAT_PMP;
    }

    @Override
    public InetAddress gateway() {
        return gateway;
    }

    /** Asks the gateway for its external address (RFC 6886 §3.2); every answer refreshes the cached one. */
    @Override
    public InetAddress externalAddress() throws PortMappingException {
        ensureOpen();
        NatPmpResponse r = client.exchange(new NatPmpRequest.ExternalAddress());
        return ((NatPmpResponse.ExternalAddress) r).address();
    }

    @Override
    public PortMapping map(MappingRequest request) throws PortMappingException {
        ensureOpen();
        Objects.requireNonNull(request, "request");
        if (request.internalAddress() != null && !request.internalAddress().equals(localAddress)) {
            throw new PortMappingException(Reason.UNSUPPORTED, "NAT-PMP maps ports of the requesting host only, not "
                    + request.internalAddress().getHostAddress(), MappingProtocol.NAT_PMP, gateway, null, null);
        }
        if (request.followsExternalPort()) {
            // suggest P -> P for a port we pick: an RFC gateway grants it as asked, a VPN gateway picks its own
            int port = request.externalPort() != 0 ? request.externalPort() : AnyPorts.pick();
            return create(request, port, port);
        }
        return create(request, request.externalPort(), request.internalPort());
    }

    /**
     * Asks again for the granted external port with the internal port in the internal-port field (router quirk
     * 10: the gateway identifies the mapping by internal port). After a gateway reboot this re-creates the
     * mapping, possibly on another external port: compare the result's {@link PortMapping#externalPort()}.
     */
    @Override
    public PortMapping renew(PortMapping mapping) throws PortMappingException {
        ensureOpen();
        checkOurs(mapping);
        return create(mapping.request(), mapping.externalPort(), AnyPort.wireInternalPort(mapping));
    }

    /** Deletes a mapping: lifetime 0 (RFC 6886 §3.4). A mapping that is already gone is no error. */
    @Override
    public void unmap(PortMapping mapping) throws PortMappingException {
        ensureOpen();
        checkOurs(mapping);
        client.exchange(NatPmpRequest.Map.delete(mapping.transport(), AnyPort.wireInternalPort(mapping)));
    }

    /**
     * Deletes every mapping of {@code transport} that the gateway holds for this host: internal port 0 and
     * lifetime 0 (RFC 6886 §3.4). Useful to clean up after a crash, when the mappings' ports are unknown.
     *
     * @param transport the transport whose mappings are deleted
     * @throws PortMappingException as {@link #unmap}; {@code NOT_AUTHORIZED} from gateways that refuse it
     */
    public void deleteAll(Transport transport) throws PortMappingException {
        ensureOpen();
        client.exchange(NatPmpRequest.Map.deleteAll(Objects.requireNonNull(transport, "transport")));
    }

    @Override
    public void addListener(GatewayListener listener) {
        monitor.addListener(listener);
        synchronized (announceLock) {
            if (announceAddress == null || announcements != null || closed) {
                return;
            }
            try {
                announcements = AnnouncementListener.start(announceAddress, localAddress, gateway, monitor);
            } catch (IOException | RuntimeException e) {
                // announcements only speed up noticing a reboot; renewals still detect it through the epoch
                LOG.info("cannot listen for NAT-PMP announcements on {}: {}", announceAddress, e.toString());
            }
        }
    }

    /** The port the announcement listener bound, or -1 when it is not running (tests). */
    int announcePort() {
        synchronized (announceLock) {
            return announcements == null ? -1 : announcements.localPort();
        }
    }

    @Override
    public void close() {
        closed = true;
        synchronized (announceLock) {
            if (announcements != null) {
                announcements.close();
                announcements = null;
            }
        }
        monitor.close();
    }

    @Override
    public String toString() {
        return "NAT-PMP " + client.server();
    }

    // ---- internals -------------------------------------------------------------------------------------

    /**
     * Asks for a mapping of {@code wireInternal} and checks the grant. A request that {@linkplain
     * MappingRequest#followsExternalPort() follows the external port} needs the gateway to forward the granted
     * port P to port P: a VPN-style answer (internal field 0 or P) says so; an RFC gateway that echoes our
     * internal port W but grants P != W forwards P to W, so that mapping is deleted and P -> P asked for instead.
     */
    private PortMapping create(MappingRequest request, int suggestedExternalPort, int wireInternal)
            throws PortMappingException {
        if (request.isPermanent()) {
            // lifetime 0 deletes on the wire (RFC 6886 §3.4): never send a "permanent" request
            throw new PortMappingException(Reason.UNSUPPORTED, "NAT-PMP has no permanent mappings (lifetime 0 deletes)",
                    MappingProtocol.NAT_PMP, gateway, null, null);
        }
        long lifetime = request.lifetime().getSeconds();
        int suggested = suggestedExternalPort;
        int internal = wireInternal;
        for (int round = 1; ; round++) {
            NatPmpResponse.Map granted = (NatPmpResponse.Map) client.exchange(new NatPmpRequest.Map(
                    request.transport(), internal, suggested, lifetime));
            Instant now = clock.instant();
            if (granted.externalPort() == 0 || granted.lifetimeSeconds() == 0) {
                throw new PortMappingException(Reason.PROTOCOL_ERROR, "the gateway reported success but granted"
                        + " external port " + granted.externalPort() + " for " + granted.lifetimeSeconds() + " s",
                        MappingProtocol.NAT_PMP, gateway, null, null);
            }
            int external = granted.externalPort();
            if (request.exactExternalPort() && external != request.externalPort()) {
                undoUnwanted(request.transport(), internal, external);
                throw new PortMappingException(Reason.CONFLICT, "external port " + request.externalPort()
                        + " is taken: the gateway offered " + external, MappingProtocol.NAT_PMP, gateway,
                        null, null);
            }
            boolean samePort = AnyPort.forwardsToSamePort(granted, internal);
            if (request.followsExternalPort() && !samePort) {
                undoUnwanted(request.transport(), internal, external);
                if (round == AnyPorts.MAX_ROUNDS) {
                    throw new PortMappingException(Reason.CONFLICT, "the gateway forwards external port " + external
                            + " to internal port " + internal + ", never to the same port (" + round + " tries)",
                            MappingProtocol.NAT_PMP, gateway, null, null);
                }
                internal = external;
                suggested = external;
                continue;
            }
            if (!request.followsExternalPort() && external != internal && granted.internalPort() != internal) {
                LOG.warn("{} answered internal port {} for {} {}: it forwards external port {} to port {} of this"
                        + " host, not to {}; ask for any port (MappingRequest.anyPort) and listen on the granted"
                        + " port", gateway.getHostAddress(), granted.internalPort(), request.transport(), internal,
                        external, external, internal);
            }
            InetAddress address = currentExternalAddress();
            Duration lease = Duration.ofSeconds(granted.lifetimeSeconds());
            return new PortMapping(request, localAddress, address, external, lease, now.plus(lease),
                    MappingProtocol.NAT_PMP, gateway,
                    request.followsExternalPort() ? AnyPort.state(internal) : ProtocolState.NONE);
        }
    }

    /** Refreshes the external address; on failure the mapping still stands, with the last known address. */
    private InetAddress currentExternalAddress() {
        try {
            return externalAddress();
        } catch (PortMappingException e) {
            LOG.debug("mapped, but no external address from {}: {}", gateway.getHostAddress(), e.getMessage());
            return monitor.externalAddress().orElse(null);
        }
    }

    private void undoUnwanted(Transport transport, int internalPort, int externalPort) {
        try {
            client.exchange(NatPmpRequest.Map.delete(transport, internalPort));
        } catch (PortMappingException e) {
            LOG.warn("could not delete the unwanted mapping of external port {} on {}: {}", externalPort,
                    gateway.getHostAddress(), e.getMessage());
        }
    }

    private void checkOurs(PortMapping mapping) {
        Objects.requireNonNull(mapping, "mapping");
        if (mapping.protocol() != MappingProtocol.NAT_PMP || !mapping.gateway().equals(gateway)) {
            throw new IllegalArgumentException("not a NAT-PMP mapping of gateway " + gateway.getHostAddress() + ": "
                    + mapping);
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("this NAT-PMP mapper is closed");
        }
    }
}
