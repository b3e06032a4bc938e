package dev.openport.diagnostics;

import dev.openport.core.PortMappingException;
import dev.openport.core.spi.NetworkGuard;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.Message;

/**
 * Asks a DNS resolver which address the internet sees this host at (a "what is my IP" name such as OpenDNS's
 * {@code myip.opendns.com}). Comparing it with the gateway's external address tells whether another NAT sits
 * upstream. One UDP exchange, resent once a second until the timeout; answers are accepted only from the
 * resolver's address and port and only with the query's id.
 *
 * <pre>{@code
 * PublicAddressResult r = PublicAddress.lookup(PublicAddressQuery.defaults(), Duration.ofSeconds(3));
 * System.out.println("the internet sees " + r.address().getHostAddress());
 * }</pre>
 */
public final class PublicAddress {
    private static final Logger LOG = LoggerFactory.getLogger(PublicAddress.class);
    /** Resend interval: DNS stub resolvers commonly retry after about a second (RFC 1536 §1). */
    private static final Duration RESEND = Duration.ofSeconds(1);

    private PublicAddress() {
    }

    /**
     * Asks one resolver.
     *
     * @param query   the resolver and the question
     * @param timeout how long to wait for its answer
     * @return the address the resolver saw the query come from
     *
     * @throws PortMappingException {@code TIMEOUT} when it did not answer in time, {@code PROTOCOL_ERROR} for an
     *                              answer without an address (an error code, malformed bytes), or
     *                              {@code NETWORK_FAILURE} when the query could not be sent
     */
    public static PublicAddressResult lookup(PublicAddressQuery query, Duration timeout)
            throws PortMappingException {
        Objects.requireNonNull(query, "query");
        Objects.requireNonNull(timeout, "timeout");
        NetworkGuard.check(query.resolver());
        Message q = MyIpCodec.query(query);
        byte[] wire = q.toWire();
        long start = System.nanoTime();
        long deadline = start + Math.max(1, timeout.toNanos());
        try (DatagramSocket s = new DatagramSocket()) {
            long nextSend = start;
            byte[] buf = new byte[MyIpCodec.MAX_ANSWER];
            while (true) {
                long now = System.nanoTime();
                if (now >= deadline) {
                    throw new PortMappingException(PortMappingException.Reason.TIMEOUT, "no DNS answer from "
                            + query.resolverText() + " within " + timeout.toMillis() + " ms");
                }
                if (now >= nextSend) {
                    s.send(new DatagramPacket(wire, wire.length, query.resolver()));
                    nextSend = now + RESEND.toNanos();
                }
                long waitNanos = Math.min(deadline, nextSend) - now;
                s.setSoTimeout((int) Math.max(1, waitNanos / 1_000_000));
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                try {
                    s.receive(p);
                } catch (SocketTimeoutException e) {
                    continue;
                }
                if (!query.resolver().equals(p.getSocketAddress())) {
                    LOG.debug("ignoring a datagram from {} (asked {})", p.getSocketAddress(), query.resolverText());
                    continue;
                }
                InetAddress a = MyIpCodec.answer(q, query, p.getData(), p.getLength());
                if (a != null) {
                    Duration rtt = Duration.ofNanos(System.nanoTime() - start);
                    LOG.debug("{} says we are {} ({} ms)", query.resolverText(), a.getHostAddress(), rtt.toMillis());
                    return new PublicAddressResult(a, query, rtt);
                }
            }
        } catch (IOException e) {
            if (e instanceof PortMappingException pme) {
                throw pme;
            }
            throw new PortMappingException(PortMappingException.Reason.NETWORK_FAILURE,
                    "cannot ask " + query.resolverText() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Asks the resolvers in order and returns the first answer.
     *
     * @param queries the resolvers and their questions, in order; not empty
     * @param timeout how long to wait for each
     * @return the first answer
     *
     * @throws PortMappingException the last resolver's failure (each failure is in its message)
     */
    public static PublicAddressResult lookup(List<PublicAddressQuery> queries, Duration timeout)
            throws PortMappingException {
        if (queries.isEmpty()) {
            throw new IllegalArgumentException("no resolver to ask");
        }
        List<String> failures = new ArrayList<>();
        PortMappingException last = null;
        for (PublicAddressQuery query : queries) {
            try {
                return lookup(query, timeout);
            } catch (PortMappingException e) {
                failures.add(e.getMessage());
                last = e;
            }
        }
        throw new PortMappingException(last.reason(), String.join("; ", failures), last);
    }
}
