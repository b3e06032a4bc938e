package dev.openport.pcp;

import dev.openport.core.MappingProtocol;
import dev.openport.core.PortMappingException;
import dev.openport.core.PortMappingException.Reason;
import dev.openport.core.spi.NetworkGuard;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One UDP socket talking to one PCP server: sends a request, retransmits it (§8.1.1, see
 * {@link Retransmission}) and returns the first answer the caller's matcher accepts, ignoring everything else.
 *
 * <p>The channel is <em>connected</em> to the server, so the kernel already drops datagrams from any other
 * address or port; the source is still checked here in case it is not. A {@link DatagramChannel} is used so an
 * interrupt ends a wait at once (core cancels losing probes that way): the wait is a
 * {@link Selector#select(long)}, which returns on interrupt. Datagrams longer than 1100 octets (§7)
 * are discarded unread beyond that bound.
 */
final class PcpChannel implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PcpChannel.class);

    /** Decides whether a decoded datagram is the answer; returns {@code null} to accept, else why not. */
    @FunctionalInterface
    interface Matcher {
        String mismatch(PcpMessage message);
    }

    /** An accepted answer and when it arrived (monotonic milliseconds, for the epoch check). */
    record Answer(PcpMessage message, long receivedAtMillis) {
    }

    private final DatagramChannel channel;
    private final InetSocketAddress server;

    private PcpChannel(DatagramChannel channel, InetSocketAddress server) {
        this.channel = channel;
        this.server = server;
    }

    static PcpChannel open(InetSocketAddress server) throws PortMappingException {
        DatagramChannel ch = null;
        try {
            ch = DatagramChannel.open(server.getAddress() instanceof Inet4Address ? StandardProtocolFamily.INET
                    : StandardProtocolFamily.INET6);
            // connect() only sets the peer; no packet is sent. It makes the kernel filter foreign sources.
            ch.connect(server);
            ch.configureBlocking(false);
            return new PcpChannel(ch, server);
        } catch (IOException | RuntimeException e) {
            closeQuietly(ch);
            throw new PortMappingException(Reason.GATEWAY_NOT_FOUND, "cannot open a UDP socket to "
                    + server + ": " + e.getMessage(), MappingProtocol.PCP, server.getAddress(), null, e);
        }
    }

    /** The local UDP port, which is ours as long as this channel is open. */
    int localPort() {
        try {
            return ((InetSocketAddress) channel.getLocalAddress()).getPort();
        } catch (IOException e) {
            return 0;
        }
    }

    /**
     * Sends {@code request} until an answer is accepted or {@code deadlineNanos} (a {@link System#nanoTime()}
     * value) passes.
     *
     * @throws PortMappingException TIMEOUT when nothing acceptable arrived (PROTOCOL_ERROR when only malformed
     *                              answers did), UNSUPPORTED when the server answered with NAT-PMP,
     *                              GATEWAY_NOT_FOUND on ICMP port unreachable
     */
    Answer exchange(byte[] request, Matcher matcher, long deadlineNanos, String what)
            throws PortMappingException {
        Retransmission timer = new Retransmission();
        // one spare word reveals an oversized datagram without reading more than the bound
        ByteBuffer buffer = ByteBuffer.allocate(PcpCodec.MAX_MESSAGE + 4);
        String lastMalformed = null;
        String lastIgnored = null;
        int sent = 0;
        long nextSend = System.nanoTime();
        try (Selector selector = Selector.open()) {
            channel.register(selector, SelectionKey.OP_READ);
            while (true) {
                long now = System.nanoTime();
                if (Thread.currentThread().isInterrupted()) {
                    throw fail(Reason.TIMEOUT, what + ": interrupted", null);
                }
                if (now - deadlineNanos >= 0) {
                    if (lastMalformed != null) {
                        throw fail(Reason.PROTOCOL_ERROR, what + ": no valid answer in time; the gateway sent "
                                + "malformed PCP: " + lastMalformed, null);
                    }
                    throw fail(Reason.TIMEOUT, what + ": no answer after " + sent + " transmissions"
                            + (lastIgnored == null ? "" : "; last ignored answer: " + lastIgnored), null);
                }
                if (now - nextSend >= 0) {
                    NetworkGuard.check(server);
                    channel.write(ByteBuffer.wrap(request));
                    sent++;
                    nextSend = now + timer.next().toNanos();
                    continue;
                }
                buffer.clear();
                SocketAddress from = channel.receive(buffer);
                if (from == null) {
                    long waitNanos = Math.min(deadlineNanos - now, nextSend - now);
                    // select() returns early on interrupt, which the loop then reports
                    selector.select(Math.max(1, (waitNanos + 999_999) / 1_000_000));
                    selector.selectedKeys().clear();
                    continue;
                }
                long receivedAt = System.nanoTime() / 1_000_000;
                if (!server.equals(from)) {
                    lastIgnored = "datagram from " + from;   // only if the kernel did not filter it
                    continue;
                }
                int length = buffer.position();
                byte[] data = buffer.array();
                if (length > PcpCodec.MAX_MESSAGE) {
                    lastMalformed = "datagram longer than 1100 octets";
                    continue;
                }
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
                    lastMalformed = e.getMessage();
                    LOG.debug("{}: ignoring malformed datagram from {}: {}", what, server, e.getMessage());
                    continue;
                }
                String mismatch = matcher.mismatch(message);
                if (mismatch != null) {
                    lastIgnored = mismatch;
                    LOG.debug("{}: ignoring answer from {}: {}", what, server, mismatch);
                    continue;
                }
                return new Answer(message, receivedAt);
            }
        } catch (PortMappingException e) {
            throw e;   // ours, thrown above (it is an IOException too)
        } catch (PortUnreachableException e) {
            throw fail(Reason.GATEWAY_NOT_FOUND, what + ": nothing listens on " + server
                    + " (ICMP port unreachable)", e);
        } catch (ClosedByInterruptException e) {
            Thread.currentThread().interrupt();
            throw fail(Reason.TIMEOUT, what + ": interrupted", e);
        } catch (IOException e) {
            throw fail(Reason.GATEWAY_NOT_FOUND, what + ": " + e, e);
        }
    }

    private PortMappingException fail(Reason reason, String message, Throwable cause) {
        return new PortMappingException(reason, message, MappingProtocol.PCP, server.getAddress(), null, cause);
    }

    @Override
    public void close() {
        closeQuietly(channel);
    }

    private static void closeQuietly(DatagramChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException e) {
                // nothing left to release
            }
        }
    }
}
