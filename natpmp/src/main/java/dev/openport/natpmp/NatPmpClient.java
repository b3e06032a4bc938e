package dev.openport.natpmp;

import dev.openport.core.MappingProtocol;
import dev.openport.core.PortMappingException;
import dev.openport.core.PortMappingException.Reason;
import dev.openport.core.spi.RetransmissionPolicy;
import dev.openport.core.spi.UdpExchange;
import dev.openport.core.spi.UdpExchange.Verdict;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Sends one NAT-PMP request and waits for its answer over core's {@link UdpExchange}, retransmitting as RFC 6886
 * §3.1 says ({@link RetransmissionPolicy#natPmp()}: first after 250 ms, then doubling, at most 9 sends) — all cut
 * short by the caller's total deadline.
 *
 * <p>Each exchange uses a socket of its own (a fresh ephemeral port, bound to the local address that routes to
 * the gateway), so concurrent calls never see each other's answers and the class is thread-safe without locks.
 * An answer is accepted only if it comes from exactly the address and port the request went to, decodes
 * cleanly, and has the expected opcode (and, for a mapping, an internal port that fits: see
 * {@link #answersInternalPort}); anything else is dropped without touching the retransmission schedule.
 * Honours {@link Thread#interrupt()}.
 */
final class NatPmpClient {
    /**
     * Largest datagram read: far larger than any NAT-PMP message (16 bytes), so an oversized datagram is seen as
     * oversized (and dropped) instead of silently truncated into something valid-looking.
     */
    static final int RECEIVE_BUFFER = 1100;

    private final InetSocketAddress server;
    private final InetAddress localAddress;
    private final Duration timeout;
    private final Consumer<NatPmpResponse> observer;
    private final RetransmissionPolicy policy;
    /** Whether this gateway ever answered: from then on, ICMP "port unreachable" means "restarting". */
    private volatile boolean answeredBefore;

    /**
     * @param server   the gateway's NAT-PMP address and port
     * @param timeout  the total deadline of one exchange
     * @param observer told of every answer accepted from the gateway, also error answers (epoch tracking)
     */
    NatPmpClient(InetSocketAddress server, Duration timeout, Consumer<NatPmpResponse> observer) {
        this(server, null, timeout, observer, RetransmissionPolicy.natPmp());
    }

    /**
     * @param localAddress the local address to send from (the one that routes to the gateway), or {@code null}
     * @param policy       the retransmission schedule (tests shorten it)
     */
    NatPmpClient(InetSocketAddress server, InetAddress localAddress, Duration timeout,
            Consumer<NatPmpResponse> observer, RetransmissionPolicy policy) {
        this.server = Objects.requireNonNull(server, "server");
        this.localAddress = localAddress;
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.observer = Objects.requireNonNull(observer, "observer");
        this.policy = Objects.requireNonNull(policy, "policy");
        if (server.isUnresolved()) {
            throw new IllegalArgumentException("unresolved server address " + server);
        }
    }

    InetSocketAddress server() {
        return server;
    }

    /**
     * Sends {@code request} and returns the gateway's successful answer.
     *
     * @throws PortMappingException {@code TIMEOUT} when no acceptable answer came before the deadline (or the
     *                              thread was interrupted); {@code PROTOCOL_ERROR} when only malformed answers
     *                              came; {@code UNSUPPORTED} when the gateway speaks only PCP or nothing
     *                              listens on its NAT-PMP port; the reason of the result code when the gateway
     *                              refused
     */
    NatPmpResponse exchange(NatPmpRequest request) throws PortMappingException {
        byte[] payload = NatPmpCodec.encode(request);
        long deadline = System.nanoTime() + timeout.toNanos();
        try (UdpExchange udp = UdpExchange.open(MappingProtocol.NAT_PMP, server, localAddress, RECEIVE_BUFFER)) {
            NatPmpResponse answer = udp.exchange(payload, policy, deadline, answeredBefore, "NAT-PMP " + request,
                    (data, length) -> examine(request, data, length)).answer();
            answeredBefore = true;
            observer.accept(answer);
            NatPmpCodec.check(answer, server.getAddress());
            return answer;
        }
    }

    /** The acceptance rules for one datagram from the gateway. Throws only for "PCP only" answers. */
    private Verdict<NatPmpResponse> examine(NatPmpRequest request, byte[] data, int length)
            throws PortMappingException {
        NatPmpResponse r;
        try {
            r = NatPmpCodec.decodeResponse(data, length);
        } catch (PortMappingException e) {
            if (e.reason() == Reason.UNSUPPORTED && length > 1 && (data[1] & 0xFF) == request.responseOpcode()) {
                // a PCP-only gateway: an answer, just not one in our protocol
                throw new PortMappingException(Reason.UNSUPPORTED, e.getMessage(), MappingProtocol.NAT_PMP,
                        server.getAddress(), e.protocolCode().isPresent() ? e.protocolCode().getAsInt() : null, e);
            }
            return Verdict.malformed(e.getMessage());
        }
        if (r.opcode() != request.responseOpcode()) {
            return Verdict.ignore("opcode " + r.opcode() + ", expected " + request.responseOpcode());
        }
        if (r instanceof NatPmpResponse.Map m && request instanceof NatPmpRequest.Map q
                && !answersInternalPort(m, q)) {
            return Verdict.ignore("internal port " + m.internalPort() + ", expected " + q.internalPort());
        }
        return Verdict.accept(r);
    }

    /**
     * Whether a MAP answer's internal-port field fits the request: our port echoed (RFC 6886 §3.3), or — as VPN
     * gateways that forward the granted port to the same port answer (docs/quirks.md, "VPN NAT-PMP answers") —
     * 0 or the granted external port. Source, size, opcode (hence transport), result and epoch are checked apart.
     */
    static boolean answersInternalPort(NatPmpResponse.Map answer, NatPmpRequest.Map request) {
        int field = answer.internalPort();
        return field == request.internalPort() || field == 0 || field == answer.externalPort();
    }
}
