package dev.openport.pcp;

import static dev.openport.pcp.PcpMaps.mapMatcher;
import static dev.openport.pcp.PcpMaps.newNonce;
import static dev.openport.pcp.PcpMaps.nonceOf;
import static dev.openport.pcp.PcpMaps.state;
import static dev.openport.pcp.PcpMaps.wireInternalPort;

import dev.openport.core.MappingProtocol;
import dev.openport.core.MappingRequest;
import dev.openport.core.PortMapper;
import dev.openport.core.PortMapping;
import dev.openport.core.PortMappingException;
import dev.openport.core.PortMappingException.Reason;
import dev.openport.core.spi.AnyPorts;
import dev.openport.core.spi.GatewayListener;
import dev.openport.core.spi.ProbeContext;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A PCP client (RFC 6887) for one server: MAP over IPv4 or IPv6, renewal with the mapping's nonce, deletion and
 * the external address; the epoch check of §8.5 and ANNOUNCE reception are {@link PcpStateWatch}'s. Thread-safe:
 * every operation uses a socket of its own, so concurrent calls never take each other's answers.
 */
final class PcpPortMapper implements PortMapper {
    private static final Logger LOG = LoggerFactory.getLogger(PcpPortMapper.class);
    /** The standard server port, §19.1. */
    static final int SERVER_PORT = 5351;
    /** Lease of the throw-away mapping that learns the external address (deleted right after). */
    static final long EXTERNAL_ADDRESS_PROBE_LIFETIME = 120;

    private final ProbeContext context;
    private final InetSocketAddress server;
    private final InetAddress clientAddress;
    /** Epoch and ANNOUNCE: tells the listeners when the server lost our mappings. */
    private final PcpStateWatch stateWatch;
    private volatile boolean closed;

    PcpPortMapper(ProbeContext context) {
        this(context, AnnounceListener.Config.standard(context.gateway(), context.multicast()));
    }

    /** With another ANNOUNCE listen address; a loopback test delivers an ANNOUNCE by unicast. */
    PcpPortMapper(ProbeContext context, AnnounceListener.Config announceConfig) {
        this.context = context;
        this.server = new InetSocketAddress(context.gateway(), context.serverPortOr(SERVER_PORT));
        this.clientAddress = context.localAddress();
        this.stateWatch = new PcpStateWatch(context.gateway(), server, clientAddress, announceConfig);
    }

    @Override
    public MappingProtocol protocol() {
        return MappingProtocol.PCP;
    }

    @Override
    public InetAddress gateway() {
        return context.gateway();
    }

    /**
     * Sends an ANNOUNCE request (§14.1), the cheapest message that proves the server speaks PCP and tells us
     * its epoch. Any version-2 answer proves PCP, even an error such as UNSUPP_OPCODE.
     */
    void announce() throws PortMappingException {
        PcpMessage request = PcpMessage.request(PcpMessage.OPCODE_ANNOUNCE, 0, clientAddress, null, List.of());
        try (PcpChannel ch = PcpChannel.open(server, clientAddress)) {
            PcpMessage answer = exchange(ch, request, deadline(), "PCP ANNOUNCE", m -> null);
            LOG.debug("PCP server {} answered ANNOUNCE: {}, epoch {}", server,
                    PcpResultCode.describe(answer.resultCode()), answer.epoch());
        }
    }

    @Override
    public InetAddress externalAddress() throws PortMappingException {
        // PCP has no "get external address" opcode: a short MAP of the UDP port of the very socket we ask
        // from (a port nobody else can hold) reveals it (§11.4), and is deleted right after.
        long deadline = deadline();
        try (PcpChannel ch = PcpChannel.open(server, clientAddress)) {
            int port = ch.localPort();
            Octets nonce = newNonce();
            PcpPayload.Map asked = new PcpPayload.Map(nonce, 17, port, 0, PcpAddresses.unspecifiedLike(clientAddress));
            PcpMessage answer = exchange(ch, PcpMessage.request(PcpMessage.OPCODE_MAP,
                    EXTERNAL_ADDRESS_PROBE_LIFETIME, clientAddress, asked, List.of()), deadline,
                    "PCP MAP (external address)", mapMatcher(asked));
            if (answer.resultCode() != 0) {
                throw error(answer, "PCP MAP for the external address", false);
            }
            InetAddress external = answer.map().externalAddress();
            try {
                PcpPayload.Map delete = new PcpPayload.Map(nonce, 17, port, 0, PcpAddresses.unspecifiedLike(
                        clientAddress));
                PcpChannel.Matcher deleteMatcher = mapMatcher(delete);
                // same socket, nonce and port as the map: a late duplicate of its answer would match too, but a
                // delete is answered with lifetime 0 (§15; miniupnpd echoes the request's 0), so a success with a
                // lifetime is the answer to the map
                exchange(ch, PcpMessage.request(PcpMessage.OPCODE_MAP, 0, clientAddress, delete, List.of()),
                        deadline, "PCP MAP delete (external address)", m -> m.resultCode() == 0 && m.lifetime() > 0
                                ? "late answer to the map (lifetime " + m.lifetime() + ")"
                                : deleteMatcher.mismatch(m));
            } catch (PortMappingException e) {
                LOG.debug("could not delete the external-address probe mapping (it expires in {} s): {}",
                        EXTERNAL_ADDRESS_PROBE_LIFETIME, e.getMessage());
            }
            return external;
        }
    }

    @Override
    public PortMapping map(MappingRequest request) throws PortMappingException {
        if (request.followsExternalPort()) {
            // ask P -> P for a port we pick (or the suggested one); the server may still grant another
            int port = request.externalPort() != 0 ? request.externalPort() : AnyPorts.pick();
            return followExternalPort(send(request, newNonce(), port, null, port), 1);
        }
        return send(request, newNonce(), request.externalPort(), null, request.internalPort());
    }

    @Override
    public PortMapping renew(PortMapping mapping) throws PortMappingException {
        // same nonce (§11.2.1), and suggest what we hold so the server keeps it or gives it back after a reboot
        Octets nonce = nonceOf(mapping);
        PortMapping renewed = send(mapping.request(), nonce == null ? newNonce() : nonce, mapping.externalPort(),
                mapping.externalAddress(), wireInternalPort(mapping));
        return mapping.request().followsExternalPort() ? followExternalPort(renewed, 1) : renewed;
    }

    /**
     * For a request that follows the external port: a grant of P for internal port W != P forwards P to W, which
     * the service does not listen on. Delete it and ask for P -> P, at most {@link AnyPorts#MAX_ROUNDS} times.
     */
    private PortMapping followExternalPort(PortMapping granted, int round) throws PortMappingException {
        int wire = wireInternalPort(granted);
        if (granted.externalPort() == wire) {
            return granted;
        }
        int port = granted.externalPort();
        try {
            unmap(granted);
        } catch (PortMappingException e) {
            LOG.debug("could not delete the mapping of port {} to {}: {}", port, wire, e.getMessage());
        }
        if (round >= AnyPorts.MAX_ROUNDS) {
            throw new PortMappingException(Reason.CONFLICT, "PCP MAP " + granted.transport() + ": the gateway maps"
                    + " external port " + port + " to internal port " + wire + ", never to the same port (" + round
                    + " tries)", MappingProtocol.PCP, gateway(), null, null);
        }
        return followExternalPort(send(granted.request(), newNonce(), port, granted.externalAddress(), port),
                round + 1);
    }

    @Override
    public void unmap(PortMapping mapping) throws PortMappingException {
        // §15: lifetime 0 with the nonce the mapping was made with; an unknown mapping is a success
        Octets nonce = nonceOf(mapping);
        MappingRequest request = mapping.request();
        InetAddress internal = request.internalAddressIfSet().orElse(clientAddress);
        int wire = wireInternalPort(mapping);
        PcpPayload.Map asked = new PcpPayload.Map(nonce == null ? newNonce() : nonce,
                request.transport().ianaNumber(), wire, mapping.externalPort(), suggestion(mapping.externalAddress()));
        String what = "PCP MAP delete " + request.transport() + " " + wire;
        try (PcpChannel ch = PcpChannel.open(server, clientAddress)) {
            PcpMessage answer = exchange(ch, PcpMessage.request(PcpMessage.OPCODE_MAP, 0, clientAddress, asked,
                    options(internal, false)), deadline(), what, mapMatcher(asked));
            if (answer.resultCode() == PcpResultCode.NO_RESOURCES.code()) {
                // miniupnpd (2.3.1, DeletePCPMap) answers a delete that matches nothing with NO_RESOURCES
                // instead of SUCCESS (§15); a delete needs no resources, so this can only mean "already gone"
                LOG.debug("{}: NO_RESOURCES for a delete, taken as already gone", what);
                return;
            }
            if (answer.resultCode() == PcpResultCode.NOT_AUTHORIZED.code() && nonce != null
                    && !(clientAddress instanceof Inet4Address)) {
                throw refusedDelete(ch, request, asked, what, answer);
            }
            if (answer.resultCode() != 0) {
                throw error(answer, what, false);
            }
        }
    }

    /**
     * miniupnpd 2.3.1 refuses (NOT_AUTHORIZED) to delete an IPv6 pinhole once it was renewed, whatever the nonce,
     * yet still accepts renewals with the right nonce. Cutting the lease to the shortest the gateway grants bounds
     * how long the pinhole stays open; the caller still learns that the delete was refused. Only for IPv6 and a
     * nonce from the mapping's own state: miniupnpd lets a MAP with <em>any</em> nonce take over an IPv4 mapping
     * (contrary to §11.3), so there this would hijack a mapping that really belongs to someone else.
     */
    private PortMappingException refusedDelete(PcpChannel ch, MappingRequest request, PcpPayload.Map asked,
            String what, PcpMessage refusal) {
        PortMappingException refused = error(refusal, what, false);
        try {
            InetAddress internal = request.internalAddressIfSet().orElse(clientAddress);
            PcpMessage cut = exchange(ch, PcpMessage.request(PcpMessage.OPCODE_MAP, 1, clientAddress, asked,
                    options(internal, false)), deadline(), what + " (shortening the lease)", mapMatcher(asked));
            if (cut.resultCode() == 0) {
                return new PortMappingException(Reason.NOT_AUTHORIZED, what + " refused: "
                        + PcpResultCode.describe(refusal.resultCode()) + ", although the gateway accepts this "
                        + "mapping's nonce (miniupnpd does this for a renewed IPv6 pinhole); its lease was cut to "
                        + cut.lifetime() + " s instead, after which it closes", MappingProtocol.PCP, gateway(),
                        refusal.resultCode(), null);
            }
        } catch (PortMappingException e) {
            LOG.debug("{}: could not shorten the lease either: {}", what, e.getMessage());
        }
        return refused;
    }

    private PortMapping send(MappingRequest request, Octets nonce, int suggestedPort, InetAddress suggestedAddress,
            int wireInternal) throws PortMappingException {
        if (request.isPermanent()) {
            // lifetime 0 deletes on the wire (§15): never send a "permanent" request
            throw new PortMappingException(Reason.UNSUPPORTED, "PCP has no permanent mappings (lifetime 0 deletes)",
                    MappingProtocol.PCP, gateway(), null, null);
        }
        InetAddress internal = request.internalAddressIfSet().orElse(clientAddress);
        long lifetime = request.lifetime().getSeconds();
        PcpPayload.Map asked = new PcpPayload.Map(nonce, request.transport().ianaNumber(), wireInternal,
                suggestedPort, suggestion(suggestedAddress));
        String what = "PCP MAP " + request.transport() + " " + wireInternal;
        PcpMessage answer;
        try (PcpChannel ch = PcpChannel.open(server, clientAddress)) {
            answer = exchange(ch, PcpMessage.request(PcpMessage.OPCODE_MAP, lifetime, clientAddress, asked,
                    options(internal, request.exactExternalPort())), deadline(), what, mapMatcher(asked));
        }
        if (answer.resultCode() != 0) {
            throw error(answer, what, request.exactExternalPort());
        }
        PcpPayload.Map granted = answer.map();
        if (granted.externalPort() == 0 && !(clientAddress instanceof Inet4Address)) {
            // an IPv6 pinhole opens the internal port itself; miniupnpd 2.3.1 answers a renewal that suggested
            // no external port with port 0
            granted = new PcpPayload.Map(granted.nonce(), granted.protocol(), granted.internalPort(),
                    granted.internalPort(), granted.externalAddress());
        }
        if (answer.lifetime() == 0 || granted.externalPort() == 0) {
            throw new PortMappingException(Reason.PROTOCOL_ERROR, what + ": the gateway reported success but "
                    + "granted lifetime " + answer.lifetime() + " and external port " + granted.externalPort(),
                    MappingProtocol.PCP, gateway(), 0, null);
        }
        PortMapping mapping = new PortMapping(request, internal, granted.externalAddress(), granted.externalPort(),
                Duration.ofSeconds(answer.lifetime()), Instant.now().plusSeconds(answer.lifetime()),
                MappingProtocol.PCP, gateway(), state(nonce, request, wireInternal));
        if (request.exactExternalPort() && granted.externalPort() != request.externalPort()) {
            // a server that ignored PREFER_FAILURE: give the port back rather than leak a mapping we refuse
            try {
                unmap(mapping);
            } catch (PortMappingException e) {
                LOG.debug("could not delete the unwanted mapping of port {}: {}", granted.externalPort(),
                        e.getMessage());
            }
            throw new PortMappingException(Reason.CONFLICT, what + ": external port " + request.externalPort()
                    + " was asked exactly but the gateway granted " + granted.externalPort(), MappingProtocol.PCP,
                    gateway(), null, null);
        }
        return mapping;
    }

    private List<PcpOption> options(InetAddress internal, boolean exact) {
        List<PcpOption> options = new ArrayList<>(2);
        if (!internal.equals(clientAddress)) {
            options.add(PcpOption.thirdParty(internal));   // §13.1: mapping for another host
        }
        if (exact) {
            options.add(PcpOption.preferFailure());        // §13.2: fail rather than move the port
        }
        return options;
    }

    /** A suggested external address of the client's family, or "no suggestion" (§11.1). */
    private InetAddress suggestion(InetAddress address) {
        if (address != null && (address instanceof Inet4Address) == (clientAddress instanceof Inet4Address)) {
            return address;
        }
        return PcpAddresses.unspecifiedLike(clientAddress);
    }

    /**
     * One request/response: accepts only a response (R bit) to our opcode, then runs the version check (§9)
     * and the epoch check (§8.5) on it.
     */
    private PcpMessage exchange(PcpChannel ch, PcpMessage request, long deadline, String what,
            PcpChannel.Matcher matcher) throws PortMappingException {
        if (closed) {
            throw new IllegalStateException("this PCP mapper is closed");
        }
        PcpChannel.Answer answer = ch.exchange(PcpCodec.encode(request), m -> {
            if (!m.response()) {
                return "a request, not a response";
            }
            if (m.opcode() != request.opcode()) {
                return "response to opcode " + m.opcode();
            }
            if (m.version() != PcpMessage.VERSION && m.resultCode() != PcpResultCode.UNSUPP_VERSION.code()) {
                return "version " + m.version() + " response with result " + m.resultCode();
            }
            return matcher.mismatch(m);
        }, deadline, stateWatch.epochKnown(), what);
        PcpMessage m = answer.message();
        if (m.version() != PcpMessage.VERSION) {
            // §9: the server names the version it speaks; we implement only 2
            throw new PortMappingException(Reason.UNSUPPORTED, what + ": the gateway speaks PCP version "
                    + m.version() + " only; openport implements version 2 (RFC 6887)", MappingProtocol.PCP,
                    gateway(), m.resultCode(), null);
        }
        stateWatch.answered(m.epoch(), answer.receivedAtMillis());
        return m;
    }

    private PortMappingException error(PcpMessage answer, String what, boolean exactPortAsked) {
        int rc = answer.resultCode();
        String text = what + " refused: " + PcpResultCode.describe(rc);
        if (answer.lifetime() > 0) {
            text += "; the gateway says this holds for " + answer.lifetime() + " s";
        }
        return new PortMappingException(PcpResultCode.reasonFor(rc, exactPortAsked), text, MappingProtocol.PCP,
                gateway(), rc, null);
    }

    @Override
    public void addListener(GatewayListener listener) {
        stateWatch.addListener(listener);
    }

    /** The ANNOUNCE listener's port, or -1 when none runs (tests). */
    int announcePort() throws IOException {
        return stateWatch.announcePort();
    }

    /** The last epoch the server sent, or -1. */
    long lastEpoch() {
        return stateWatch.lastEpoch();
    }

    private long deadline() {
        return System.nanoTime() + context.timeout().toNanos();
    }

    @Override
    public void close() {
        closed = true;
        stateWatch.close();
    }
}
