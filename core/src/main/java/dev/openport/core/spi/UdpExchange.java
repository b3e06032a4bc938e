package dev.openport.core.spi;

import dev.openport.core.MappingProtocol;
import dev.openport.core.PortMappingException;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.time.Duration;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One UDP socket to one NAT-PMP or PCP server, for request/answer exchanges: sends a request, retransmits it on
 * a {@link RetransmissionPolicy} and returns the first datagram the caller's {@link AnswerFilter} accepts. Every
 * I/O outcome is turned into an exception by {@link UdpOutcomes}, so both protocols say the same for the same
 * event.
 *
 * <p>The socket is bound to the local address that routes to the gateway (in VPN setups source-policy routing
 * depends on the source address) and <em>connected</em> to the server, so the kernel drops datagrams from other
 * sources and reports ICMP errors; the source is checked again here in case it does not. Datagrams that the
 * filter ignores, malformed ones included, never touch the retransmission schedule, so a flood of junk cannot
 * push the real answer past the deadline. A wait is a {@link Selector#select(long)}, so an interrupt ends it at
 * once. Use a socket for one operation (a few exchanges at most) and close it: a fresh ephemeral port keeps
 * concurrent operations from seeing each other's answers.
 *
 * <pre>{@code
 * try (UdpExchange udp = UdpExchange.open(MappingProtocol.NAT_PMP, server, localAddress, 1100)) {
 *     UdpExchange.Answer<MyAnswer> a = udp.exchange(request, RetransmissionPolicy.natPmp(), deadline, false,
 *             "NAT-PMP MAP", (data, length) -> UdpExchange.Verdict.accept(decode(data, length)));
 * }
 * }</pre>
 */
public final class UdpExchange implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(UdpExchange.class);
    /** Kernel receive buffer: room for a burst of junk without losing the real answer behind it. */
    private static final int SOCKET_BUFFER = 256 * 1024;

    /**
     * Decides about one datagram from the server; throwing ends the exchange with that exception.
     *
     * @param <T> the decoded answer
     */
    @FunctionalInterface
    public interface AnswerFilter<T> {
        /**
         * Decodes and judges one datagram.
         *
         * @param data   the receive buffer; only the first {@code length} bytes are the datagram
         * @param length the datagram's length, at most the exchange's {@code maxDatagram}
         * @return accept (the answer), ignore (not for this request) or malformed
         * @throws PortMappingException to end the exchange, e.g. with the gateway's refusal
         */
        Verdict<T> examine(byte[] data, int length) throws PortMappingException;
    }

    /**
     * What a filter decided about one datagram.
     *
     * @param <T> the decoded answer
     */
    public sealed interface Verdict<T> permits Verdict.Accept, Verdict.Ignore, Verdict.Malformed {
        /** The answer to the request. */
        record Accept<T>(T answer) implements Verdict<T> {
        }

        /** Well-formed but not the answer to this request (another opcode, port, nonce; a late duplicate). */
        record Ignore<T>(String why) implements Verdict<T> {
        }

        /** Not a valid message; remembered so that an exchange seeing only these ends in PROTOCOL_ERROR. */
        record Malformed<T>(String why) implements Verdict<T> {
        }

        /**
         * The datagram is the answer.
         *
         * @param <T>    the decoded answer
         * @param answer what the filter decoded
         * @return an {@link Accept}
         */
        static <T> Verdict<T> accept(T answer) {
            return new Accept<>(answer);
        }

        /**
         * The datagram is well-formed but not the answer to this request.
         *
         * @param <T> the decoded answer
         * @param why what did not match, for the log and the TIMEOUT message
         * @return an {@link Ignore}
         */
        static <T> Verdict<T> ignore(String why) {
            return new Ignore<>(why);
        }

        /**
         * The datagram is not a valid message.
         *
         * @param <T> the decoded answer
         * @param why what was wrong, for the PROTOCOL_ERROR message
         * @return a {@link Malformed}
         */
        static <T> Verdict<T> malformed(String why) {
            return new Malformed<>(why);
        }
    }

    /**
     * An accepted answer.
     *
     * @param answer          what the filter made of it
     * @param receivedAtNanos when it arrived ({@link System#nanoTime()}), for epoch checks
     * @param sends           how many times the request was sent
     */
    public record Answer<T>(T answer, long receivedAtNanos, int sends) {
    }

    private final MappingProtocol protocol;
    private final InetSocketAddress server;
    private final DatagramChannel channel;
    private final Selector selector;
    private final ByteBuffer buffer;
    private final int maxDatagram;

    private UdpExchange(MappingProtocol protocol, InetSocketAddress server, DatagramChannel channel,
            Selector selector, int maxDatagram) {
        this.protocol = protocol;
        this.server = server;
        this.channel = channel;
        this.selector = selector;
        this.maxDatagram = maxDatagram;
        // one spare word reveals an oversized datagram without reading more than the bound
        this.buffer = ByteBuffer.allocate(maxDatagram + 4);
    }

    /**
     * Opens a socket to {@code server}, bound to {@code localAddress} when it is given (and of the server's
     * family), else to the wildcard address.
     *
     * @param protocol     the protocol speaking, for messages and failures
     * @param server       the gateway's server address and port
     * @param localAddress the local address to bind to, or {@code null} for the wildcard
     * @param maxDatagram the largest valid message; longer datagrams are malformed
     * @return an open exchange; the caller closes it
     * @throws PortMappingException {@code GATEWAY_NOT_FOUND} with a {@code SocketError} when the socket cannot be
     *                              opened, bound or connected
     */
    public static UdpExchange open(MappingProtocol protocol, InetSocketAddress server, InetAddress localAddress,
            int maxDatagram) throws PortMappingException {
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(server, "server");
        if (server.isUnresolved()) {
            throw new IllegalArgumentException("unresolved server address " + server);
        }
        if (maxDatagram < 1 || maxDatagram > 65_507) {
            throw new IllegalArgumentException("maxDatagram must be 1-65507, was " + maxDatagram);
        }
        boolean v4 = server.getAddress() instanceof Inet4Address;
        DatagramChannel ch = null;
        Selector sel = null;
        try {
            ch = DatagramChannel.open(v4 ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6);
            ch.setOption(StandardSocketOptions.SO_RCVBUF, SOCKET_BUFFER);
            if (localAddress != null && !localAddress.isAnyLocalAddress()
                    && (localAddress instanceof Inet4Address) == v4) {
                ch.bind(new InetSocketAddress(localAddress, 0));
            }
            NetworkGuard.check(server);
            // connect() only sets the peer; no packet is sent. It makes the kernel filter foreign sources.
            ch.connect(server);
            ch.configureBlocking(false);
            sel = Selector.open();
            ch.register(sel, SelectionKey.OP_READ);
            return new UdpExchange(protocol, server, ch, sel, maxDatagram);
        } catch (IOException e) {
            closeQuietly(ch, sel);
            throw UdpOutcomes.socketError(protocol, server, protocol.displayName(), e);
        } catch (RuntimeException e) {
            closeQuietly(ch, sel);
            throw e;
        }
    }

    /**
     * The local UDP port, which is ours as long as this socket is open (PCP and NAT-PMP mappings may name it).
     *
     * @return the port, or 0 when the socket cannot say
     */
    public int localPort() {
        try {
            return ((InetSocketAddress) channel.getLocalAddress()).getPort();
        } catch (IOException e) {
            return 0;
        }
    }

    /**
     * The local address the socket is bound to (the wildcard until it is connected on some systems).
     *
     * @return the address, or {@code null} when the socket cannot say
     */
    public InetAddress localAddress() {
        try {
            return ((InetSocketAddress) channel.getLocalAddress()).getAddress();
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * Sends {@code request} until {@code filter} accepts an answer, the policy allows no more sends (after the
     * last one's wait) or {@code deadlineNanos} ({@link System#nanoTime()}) passes.
     *
     * @param <T>            the decoded answer
     * @param request        the request's bytes, sent as they are at every retransmission
     * @param policy         when to send again
     * @param deadlineNanos  when to give up, on the {@link System#nanoTime()} clock
     * @param answeredBefore whether this gateway ever answered in this protocol: then ICMP port unreachable
     *                       means "restarting" and the exchange goes on; else it ends at once (UNSUPPORTED)
     * @param what           the operation, for messages (e.g. "NAT-PMP map TCP 25565")
     * @param filter         decides about each datagram from the server
     * @return the accepted answer, when it came and after how many sends
     * @throws PortMappingException as {@link UdpOutcomes} classifies, or what {@code filter} threw
     */
    public <T> Answer<T> exchange(byte[] request, RetransmissionPolicy policy, long deadlineNanos,
            boolean answeredBefore, String what, AnswerFilter<T> filter) throws PortMappingException {
        RetransmissionPolicy.Schedule schedule = policy.start();
        long start = System.nanoTime();
        long nextSend = start;
        String lastMalformed = null;
        String lastIgnored = null;
        int ignored = 0;
        int unreachable = 0;
        try {
            while (true) {
                long now = System.nanoTime();
                if (Thread.currentThread().isInterrupted()) {
                    throw UdpOutcomes.interrupted(protocol, server, what, schedule.sends(), since(start));
                }
                if (now - nextSend >= 0) {
                    if (!schedule.maySend()) {
                        break;   // the last send's wait is over
                    }
                    unreachable += send(request, answeredBefore, what);
                    nextSend = now + schedule.sent().toNanos();
                }
                if (deadlineNanos - System.nanoTime() <= 0) {
                    break;
                }
                long waitNanos = Math.min(nextSend, deadlineNanos) - System.nanoTime();
                if (waitNanos > 0) {
                    // returns early on a datagram or an interrupt, which the loop then handles
                    selector.select(Math.max(1, (waitNanos + 999_999) / 1_000_000));
                    selector.selectedKeys().clear();
                }
                while (true) {
                    buffer.clear();
                    SocketAddress from;
                    try {
                        from = channel.receive(buffer);
                    } catch (PortUnreachableException e) {
                        unreachable += unreachable(e, answeredBefore, what);
                        continue;
                    }
                    if (from == null) {
                        break;
                    }
                    long receivedAt = System.nanoTime();
                    Verdict<T> verdict;
                    if (!server.equals(from)) {
                        verdict = Verdict.ignore("datagram from " + from);   // only if the kernel did not filter it
                    } else if (buffer.position() > maxDatagram) {
                        verdict = Verdict.malformed("datagram longer than " + maxDatagram + " octets");
                    } else {
                        verdict = filter.examine(buffer.array(), buffer.position());
                    }
                    if (verdict instanceof Verdict.Accept<T> a) {
                        return new Answer<>(a.answer(), receivedAt, schedule.sends());
                    }
                    ignored++;
                    String why;
                    if (verdict instanceof Verdict.Malformed<T> m) {
                        why = m.why();
                        lastMalformed = why;
                    } else {
                        why = ((Verdict.Ignore<T>) verdict).why();
                        lastIgnored = why;
                    }
                    if (ignored <= 3 || LOG.isTraceEnabled()) {
                        LOG.debug("{}: ignoring a datagram from {}: {}", what, from, why);
                    }
                }
            }
        } catch (ClosedByInterruptException e) {
            Thread.currentThread().interrupt();
            throw UdpOutcomes.interrupted(protocol, server, what, schedule.sends(), since(start));
        } catch (PortMappingException e) {
            throw e;
        } catch (IOException e) {
            throw UdpOutcomes.socketError(protocol, server, what, e);
        }
        if (lastMalformed != null) {
            throw UdpOutcomes.malformed(protocol, server, what, lastMalformed);
        }
        String detail = (ignored > 0 ? ignored + " unrelated datagrams ignored" + (lastIgnored == null ? ""
                : ", last: " + lastIgnored) : "")
                + (unreachable > 0 ? (ignored > 0 ? "; " : "") + "ICMP port unreachable " + unreachable
                        + " times: is the gateway restarting?" : "");
        throw UdpOutcomes.noAnswer(protocol, server, what, schedule.sends(), since(start), detail);
    }

    /** Sends once; returns how many ICMP errors surfaced (0 or more). */
    private int send(byte[] request, boolean answeredBefore, String what) throws IOException {
        NetworkGuard.check(server);
        try {
            channel.write(ByteBuffer.wrap(request));
            return 0;
        } catch (PortUnreachableException e) {
            // the ICMP error of an earlier send surfaced here, and this datagram was not sent: note it, send again
            int n = unreachable(e, answeredBefore, what);
            try {
                channel.write(ByteBuffer.wrap(request));
            } catch (PortUnreachableException again) {
                n += unreachable(again, answeredBefore, what);
            }
            return n;
        }
    }

    /**
     * ICMP port unreachable: a gateway that never answered does not run the protocol (fail fast, so probing a
     * UPnP-only router costs one round trip); one that answered before is probably restarting, so the
     * retransmission schedule goes on (a reboot must not look like "unsupported").
     */
    private int unreachable(PortUnreachableException e, boolean answeredBefore, String what)
            throws PortMappingException {
        if (!answeredBefore) {
            throw UdpOutcomes.unreachable(protocol, server, what, e);
        }
        LOG.debug("{}: {} is unreachable (ICMP); the gateway answered before, so retrying", what,
                UdpOutcomes.hostPort(server));
        return 1;
    }

    private static Duration since(long startNanos) {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }

    @Override
    public void close() {
        closeQuietly(channel, selector);
    }

    private static void closeQuietly(DatagramChannel ch, Selector sel) {
        try {
            if (sel != null) {
                sel.close();
            }
        } catch (IOException e) {
            // nothing left to release
        }
        try {
            if (ch != null) {
                ch.close();
            }
        } catch (IOException e) {
            // nothing left to release
        }
    }
}
