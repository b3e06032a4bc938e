package dev.openport.pcp;

import dev.openport.core.MappingProtocol;
import dev.openport.core.PortMappingException;
import dev.openport.core.PortMappingException.Reason;
import dev.openport.core.spi.RetransmissionPolicy;
import dev.openport.core.spi.UdpExchange;
import dev.openport.core.spi.UdpExchange.Verdict;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * One UDP socket talking to one PCP server, over core's {@link UdpExchange}: sends a request, retransmits it
 * ({@link #POLICY}) and returns the first answer the caller's matcher accepts, ignoring everything else.
 * Datagrams longer than 1100 octets (§7) are malformed; a NAT-PMP version-0 reply ends the exchange (§9).
 */
final class PcpChannel implements AutoCloseable {
    /**
     * RFC 6887 §8.1.1 with one deviation: the first wait is 250 ms (NAT-PMP's first retry, RFC 6886 §3.1), not
     * IRT 3 s. A healthy gateway answers within one RTT anyway, and a lost first datagram on a busy Wi-Fi would
     * otherwise cost 3 s of a caller's (typically 3 s) deadline — the whole operation. Doubling, MRT 1024 s and
     * RAND ±0.1 are kept, so a crowd of clients still spreads out and backs off; the caller's deadline plays MRD.
     */
    static final RetransmissionPolicy POLICY = RetransmissionPolicy.pcp().withInitial(Duration.ofMillis(250));

    /** Decides whether a decoded datagram is the answer; returns {@code null} to accept, else why not. */
    @FunctionalInterface
    interface Matcher {
        String mismatch(PcpMessage message);
    }

    /** An accepted answer and when it arrived (monotonic milliseconds, for the epoch check). */
    record Answer(PcpMessage message, long receivedAtMillis) {
    }

    private final UdpExchange udp;
    private final InetSocketAddress server;

    private PcpChannel(UdpExchange udp, InetSocketAddress server) {
        this.udp = udp;
        this.server = server;
    }

    /** A socket bound to {@code localAddress} (when given) and connected to {@code server}. */
    static PcpChannel open(InetSocketAddress server, InetAddress localAddress) throws PortMappingException {
        return new PcpChannel(UdpExchange.open(MappingProtocol.PCP, server, localAddress, PcpCodec.MAX_MESSAGE),
                server);
    }

    /** The local UDP port, which is ours as long as this channel is open. */
    int localPort() {
        return udp.localPort();
    }

    /**
     * Sends {@code request} until an answer is accepted or {@code deadlineNanos} (a {@link System#nanoTime()}
     * value) passes.
     *
     * @param answeredBefore whether the server answered this client before (ICMP unreachable then means
     *                       "restarting", not "no PCP here")
     * @throws PortMappingException as {@code UdpOutcomes} classifies; UNSUPPORTED when the server answered with
     *                              NAT-PMP
     */
    Answer exchange(byte[] request, Matcher matcher, long deadlineNanos, boolean answeredBefore, String what)
            throws PortMappingException {
        UdpExchange.Answer<PcpMessage> a = udp.exchange(request, POLICY, deadlineNanos, answeredBefore, what,
                (data, length) -> examine(matcher, data, length));
        return new Answer(a.answer(), a.receivedAtNanos() / 1_000_000);
    }

    private Verdict<PcpMessage> examine(Matcher matcher, byte[] data, int length) throws PortMappingException {
        if (length >= 4 && data[0] == 0) {
            // version 0: a NAT-PMP gateway telling us it does not speak this version (RFC 6887 §9)
            int code = PcpCodec.getShort(data, 2);
            throw new PortMappingException(Reason.UNSUPPORTED, "the gateway speaks NAT-PMP only "
                    + "(it answered PCP with a NAT-PMP version-0 reply, result " + code + ")",
                    MappingProtocol.PCP, server.getAddress(), code, null);
        }
        PcpMessage message;
        try {
            message = PcpCodec.decode(data, length);
        } catch (PcpFormatException e) {
            return Verdict.malformed(e.getMessage());
        }
        String mismatch = matcher.mismatch(message);
        return mismatch == null ? Verdict.accept(message) : Verdict.ignore(mismatch);
    }

    @Override
    public void close() {
        udp.close();
    }
}
