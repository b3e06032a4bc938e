package dev.openport.natpmp;

import dev.openport.core.MappingProtocol;
import dev.openport.core.PortMappingException;
import dev.openport.core.PortMappingException.Reason;
import dev.openport.core.spi.NetworkGuard;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends one NAT-PMP request and waits for its answer, retransmitting as RFC 6886 §3.1 says: first after 250 ms,
 * then doubling the interval, at most 9 sends — all cut short by the caller's total deadline.
 *
 * <p>Each exchange uses a socket of its own (a fresh ephemeral port), so concurrent calls never see each
 * other's answers and the class is thread-safe without locks. An answer is accepted only if it comes from
 * exactly the address and port the request went to, decodes cleanly, and has the expected opcode (and, for a
 * mapping, an internal port that fits: see {@link #answersInternalPort}); anything else is dropped without touching the retransmission schedule, so
 * a flood of junk cannot push the real answer past the deadline. Honours {@link Thread#interrupt()}.
 */
final class NatPmpClient {
    private static final Logger LOG = LoggerFactory.getLogger(NatPmpClient.class);

    /** First retransmission after 250 ms (RFC 6886 §3.1). */
    static final Duration INITIAL_INTERVAL = Duration.ofMillis(250);
    /** At most nine sends, the interval doubling each time (RFC 6886 §3.1). */
    static final int MAX_SENDS = 9;
    /**
     * Receive buffer: far larger than any NAT-PMP message (16 bytes), so an oversized datagram is seen as
     * oversized (and dropped) instead of silently truncated into something valid-looking.
     */
    static final int RECEIVE_BUFFER = 1100;
    /** Kernel receive buffer: room for a burst of junk without losing the real answer behind it. */
    private static final int SOCKET_BUFFER = 256 * 1024;

    private final InetSocketAddress server;
    private final Duration timeout;
    private final Consumer<NatPmpResponse> observer;
    private final long initialIntervalNanos;
    /** Whether this gateway ever answered: from then on, ICMP "port unreachable" means "restarting". */
    private volatile boolean answeredBefore;
    /** ICMP port-unreachable errors seen, over all exchanges (diagnostics and tests). */
    private final AtomicInteger unreachableSeen = new AtomicInteger();

    /**
     * @param server   the gateway's NAT-PMP address and port
     * @param timeout  the total deadline of one exchange
     * @param observer told of every answer accepted from the gateway, also error answers (epoch tracking)
     */
    NatPmpClient(InetSocketAddress server, Duration timeout, Consumer<NatPmpResponse> observer) {
        this(server, timeout, observer, INITIAL_INTERVAL);
    }

    /** As above with another first interval (tests of the nine-send limit). */
    NatPmpClient(InetSocketAddress server, Duration timeout, Consumer<NatPmpResponse> observer,
            Duration initialInterval) {
        this.initialIntervalNanos = initialInterval.toNanos();
        this.server = Objects.requireNonNull(server, "server");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.observer = Objects.requireNonNull(observer, "observer");
        if (server.isUnresolved()) {
            throw new IllegalArgumentException("unresolved server address " + server);
        }
    }

    InetSocketAddress server() {
        return server;
    }

    /** How many ICMP port-unreachable errors this client has seen. */
    int unreachableSeen() {
        return unreachableSeen.get();
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
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        try (DatagramChannel channel = DatagramChannel.open(); Selector selector = Selector.open()) {
            channel.setOption(StandardSocketOptions.SO_RCVBUF, SOCKET_BUFFER);
            channel.configureBlocking(false);
            // connect(): the kernel already drops datagrams from other sources and reports ICMP unreachable
            NetworkGuard.check(server);
            channel.connect(server);
            channel.register(selector, SelectionKey.OP_READ);
            ByteBuffer buffer = ByteBuffer.allocate(RECEIVE_BUFFER);
            Exchange state = new Exchange(request);
            long interval = initialIntervalNanos;
            long nextSend = start;
            int sends = 0;
            while (true) {
                long now = System.nanoTime();
                if (now - nextSend >= 0) {
                    if (sends == MAX_SENDS) {
                        // RFC 6886 §3.1: after the ninth send and its (64 s) wait, the gateway does not speak NAT-PMP
                        throw state.timeout(sends, start);
                    }
                    send(channel, payload, state);
                    sends++;
                    LOG.trace("NAT-PMP {} to {} (send {})", request, server, sends);
                    nextSend = now + interval;
                    interval *= 2;
                }
                if (deadline - System.nanoTime() <= 0) {
                    throw state.timeout(sends, start);
                }
                long waitNanos = (nextSend - deadline < 0 ? nextSend : deadline) - System.nanoTime();
                if (waitNanos > 0) {
                    selector.select(Math.max(1, (waitNanos + 999_999) / 1_000_000));
                    selector.selectedKeys().clear();
                }
                if (Thread.currentThread().isInterrupted()) {
                    throw new PortMappingException(Reason.TIMEOUT, "interrupted while waiting for the NAT-PMP answer",
                            MappingProtocol.NAT_PMP, server.getAddress(), null, null);
                }
                NatPmpResponse answer = drain(channel, buffer, state);
                if (answer != null) {
                    NatPmpCodec.check(answer, server.getAddress());
                    return answer;
                }
            }
        } catch (IOException e) {
            if (e instanceof PortMappingException pme) {
                throw pme;
            }
            throw new PortMappingException(Reason.TIMEOUT, "NAT-PMP exchange with " + hostPort() + " failed: " + e,
                    MappingProtocol.NAT_PMP, server.getAddress(), null, e);
        }
    }

    private void send(DatagramChannel channel, byte[] payload, Exchange state) throws IOException {
        NetworkGuard.check(server);
        try {
            channel.write(ByteBuffer.wrap(payload));
        } catch (PortUnreachableException e) {
            // the ICMP error of an earlier send surfaced here, and this datagram was not sent: note it, send again
            state.unreachable(e);
            try {
                channel.write(ByteBuffer.wrap(payload));
            } catch (PortUnreachableException again) {
                state.unreachable(again);
            }
        }
    }

    /** Reads every datagram waiting; returns the first acceptable answer, or null. */
    private NatPmpResponse drain(DatagramChannel channel, ByteBuffer buffer, Exchange state)
            throws IOException {
        while (true) {
            buffer.clear();
            SocketAddress from;
            try {
                from = channel.receive(buffer);
            } catch (PortUnreachableException e) {
                state.unreachable(e);
                continue;
            }
            if (from == null) {
                return null;
            }
            NatPmpResponse answer = state.accept(from, buffer.array(), buffer.position());
            if (answer != null) {
                answeredBefore = true;
                observer.accept(answer);
                return answer;
            }
        }
    }

    /**
     * Whether a MAP answer's internal-port field fits the request: our port echoed (RFC 6886 §3.3), or — as VPN
     * gateways that forward the granted port to the same port answer (ProtonVPN-style; docs/quirks.md) — 0 or
     * the granted external port. Source, size, opcode (hence transport), result and epoch are checked apart.
     */
    static boolean answersInternalPort(NatPmpResponse.Map answer, NatPmpRequest.Map request) {
        int field = answer.internalPort();
        return field == request.internalPort() || field == 0 || field == answer.externalPort();
    }

    private String hostPort() {
        return server.getAddress().getHostAddress() + ":" + server.getPort();
    }

    /** The acceptance rules and what was dropped, for one request. */
    private final class Exchange {
        private final NatPmpRequest request;
        private int dropped;
        private int unreachable;
        private PortMappingException lastMalformed;

        Exchange(NatPmpRequest request) {
            this.request = request;
        }

        /** The answer in {@code data}, or null when it must be ignored. Throws only for "PCP only" answers. */
        NatPmpResponse accept(SocketAddress from, byte[] data, int length) throws PortMappingException {
            if (!server.equals(from)) {
                return drop("from " + from + ", not " + server);
            }
            NatPmpResponse r;
            try {
                r = NatPmpCodec.decodeResponse(data, length);
            } catch (PortMappingException e) {
                if (e.reason() == Reason.UNSUPPORTED && (data[1] & 0xFF) == request.responseOpcode()) {
                    // a PCP-only gateway: an answer, just not one in our protocol
                    throw new PortMappingException(Reason.UNSUPPORTED, e.getMessage(), MappingProtocol.NAT_PMP,
                            server.getAddress(), e.protocolCode().isPresent() ? e.protocolCode().getAsInt() : null, e);
                }
                lastMalformed = e;
                return drop(e.getMessage());
            }
            if (r.opcode() != request.responseOpcode()) {
                return drop("opcode " + r.opcode() + ", expected " + request.responseOpcode());
            }
            if (r instanceof NatPmpResponse.Map m && request instanceof NatPmpRequest.Map q
                    && !answersInternalPort(m, q)) {
                return drop("internal port " + m.internalPort() + ", expected " + q.internalPort());
            }
            return r;
        }

        /**
         * ICMP port unreachable: a gateway that never answered does not run NAT-PMP (fail fast, so probing a
         * UPnP-only router costs one round trip); one that answered before is probably restarting, so the
         * retransmission schedule goes on (router quirk 4: a reboot must not look like "unsupported").
         */
        void unreachable(PortUnreachableException e) throws PortMappingException {
            unreachable++;
            unreachableSeen.incrementAndGet();
            if (!answeredBefore) {
                throw new PortMappingException(Reason.UNSUPPORTED, "nothing listens on " + hostPort()
                        + " (ICMP port unreachable): the gateway does not run NAT-PMP", MappingProtocol.NAT_PMP,
                        server.getAddress(), null, e);
            }
            LOG.debug("{} is unreachable (ICMP); the gateway answered before, so retrying", hostPort());
        }

        private NatPmpResponse drop(String why) {
            dropped++;
            if (dropped <= 3 || LOG.isTraceEnabled()) {
                LOG.debug("ignoring a datagram while waiting for the NAT-PMP answer from {}: {}", server, why);
            }
            return null;
        }

        PortMappingException timeout(int sends, long start) {
            long ms = (System.nanoTime() - start) / 1_000_000;
            if (lastMalformed != null) {
                return new PortMappingException(Reason.PROTOCOL_ERROR, "no valid NAT-PMP answer from " + hostPort()
                        + " in " + ms + " ms, only malformed ones (" + dropped + " datagrams ignored; last: "
                        + lastMalformed.getMessage() + ")", MappingProtocol.NAT_PMP, server.getAddress(), null,
                        lastMalformed);
            }
            return new PortMappingException(Reason.TIMEOUT, "no NAT-PMP answer from " + hostPort() + " after "
                    + sends + (sends == 1 ? " try" : " tries") + " in " + ms + " ms"
                    + (dropped > 0 ? " (" + dropped + " unrelated datagrams ignored)" : "")
                    + (unreachable > 0 ? " (ICMP port unreachable " + unreachable + " times: is the gateway"
                            + " restarting?)" : ""),
                    MappingProtocol.NAT_PMP, server.getAddress(), null, null);
        }
    }
}
