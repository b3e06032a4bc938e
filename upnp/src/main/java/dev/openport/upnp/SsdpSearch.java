package dev.openport.upnp;

import dev.openport.core.MappingProtocol;
import dev.openport.core.PortMappingException;
import dev.openport.core.PortMappingException.Reason;
import dev.openport.core.spi.NetworkGuard;
import dev.openport.core.spi.ProbeContext;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SSDP search that returns on the first good answer instead of waiting out MX: M-SEARCH goes to
 * the gateway's unicast address and, when allowed, to the multicast group at once, for every target in
 * {@link Ssdp#SEARCH_TARGETS}, resent a few times for loss. Answers are taken from any source port, deduplicated
 * by LOCATION and UDN, and accepted only when their LOCATION is on the LAN.
 */
final class SsdpSearch {
    private static final Logger LOG = LoggerFactory.getLogger(SsdpSearch.class);
    /** Resend times after the first send: loss is rare on a LAN, a few resends cover it. */
    private static final long[] RESEND_MS = {250, 750, 1750};
    /** Larger than any search response seen (routers send long SERVER and OPT headers; ≥ 2 KiB needed). */
    static final int MAX_DATAGRAM = 8192;
    /** UDA 1.1 §1.1.2: multicast TTL should default to 2. */
    private static final int MULTICAST_TTL = 2;

    private SsdpSearch() {
    }

    static Discovery.Found search(ProbeContext ctx, long deadline) throws PortMappingException {
        InetSocketAddress multicast = null;
        if (ctx.multicast()) {
            multicast = new InetSocketAddress(multicastGroup(ctx), Ssdp.PORT);
        }
        return search(ctx, deadline, multicast);
    }

    /** 239.255.255.250, or for an IPv6 gateway the link-local group ff02::c (UDA 1.1 §1.1.2) on our interface. */
    private static InetAddress multicastGroup(ProbeContext ctx) throws PortMappingException {
        InetAddress a = MiniHttp.parseLiteral(Ssdp.MULTICAST_HOST);
        if (ctx.gateway() instanceof java.net.Inet6Address) {
            try {
                NetworkInterface nif = NetworkInterface.getByInetAddress(ctx.localAddress());
                byte[] group = MiniHttp.parseLiteral(Ssdp.MULTICAST_HOST_V6).getAddress();
                a = nif == null ? MiniHttp.parseLiteral(Ssdp.MULTICAST_HOST_V6)
                        : java.net.Inet6Address.getByAddress(null, group, nif);
            } catch (IOException e) {
                a = MiniHttp.parseLiteral(Ssdp.MULTICAST_HOST_V6);
            }
        }
        if (a == null) {
            throw new PortMappingException(Reason.PROTOCOL_ERROR, "cannot build the SSDP multicast address");
        }
        return a;
    }

    /**
     * @param multicastTarget where "multicast" M-SEARCHes go, or {@code null} for unicast only; tests point it at
     *                        a second loopback socket
     */
    static Discovery.Found search(ProbeContext ctx, long deadline, InetSocketAddress multicastTarget)
            throws PortMappingException {
        InetSocketAddress unicast = new InetSocketAddress(ctx.gateway(), ctx.serverPortOr(Ssdp.PORT));
        List<InetSocketAddress> targets = new ArrayList<>();
        targets.add(unicast);
        if (multicastTarget != null) {
            targets.add(multicastTarget);
        }
        for (InetSocketAddress t : targets) {
            NetworkGuard.check(t);
        }
        Set<String> seenLocations = new HashSet<>();
        Set<String> notGateways = new HashSet<>();
        PortMappingException lastFailure = null;
        int answers = 0;
        try (DatagramSocket socket = new DatagramSocket()) {
            prepareMulticast(socket, ctx);
            long start = System.nanoTime();
            int sent = 0;
            byte[] buf = new byte[MAX_DATAGRAM];
            while (true) {
                if (Thread.currentThread().isInterrupted()) {
                    throw new PortMappingException(Reason.TIMEOUT, "interrupted", MappingProtocol.UPNP,
                            ctx.gateway(), null, null);
                }
                long now = System.nanoTime();
                if (now - deadline >= 0) {
                    break;
                }
                long elapsedMs = TimeUnit.NANOSECONDS.toMillis(now - start);
                if (sent == 0 || (sent <= RESEND_MS.length && elapsedMs >= RESEND_MS[sent - 1])) {
                    sendAll(socket, targets);
                    sent++;
                }
                long nextSend = sent <= RESEND_MS.length ? RESEND_MS[sent - 1] - elapsedMs : Long.MAX_VALUE;
                long wait = Math.min(Math.min(nextSend, TimeUnit.NANOSECONDS.toMillis(deadline - now)), 100);
                socket.setSoTimeout((int) Math.max(1, wait));
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                try {
                    socket.receive(p);
                } catch (SocketTimeoutException e) {
                    continue;
                }
                answers++;
                Ssdp.Answer a;
                try {
                    a = Ssdp.parse(p.getData(), p.getOffset(), p.getLength());
                } catch (PortMappingException e) {
                    LOG.debug("SSDP datagram from {} ignored: {}", p.getAddress(), e.getMessage());
                    continue;
                }
                InetAddress from = p.getAddress();
                if (!fromTheGateway(from, ctx.gateway())) {
                    LOG.debug("SSDP answer from {} ignored: not the gateway {}", from, ctx.gateway());
                    continue;
                }
                if (!a.looksLikeGateway() && !from.equals(ctx.gateway())) {
                    continue; // media servers and printers answer ssdp:all too
                }
                if (!a.udn().isEmpty() && notGateways.contains(a.udn())) {
                    continue;
                }
                URI location;
                try {
                    location = new URI(a.location());
                } catch (URISyntaxException e) {
                    continue;
                }
                List<URI> candidates = LanAddresses.candidates(location, from, ctx.gateway());
                if (candidates.isEmpty()) {
                    LOG.debug("SSDP answer from {} ignored: LOCATION {} is not on the LAN", from, a.location());
                    continue;
                }
                for (URI candidate : candidates) {
                    if (!seenLocations.add(candidate.toString())) {
                        continue;
                    }
                    try {
                        return Discovery.fromLocation(candidate, from, ctx, deadline, false);
                    } catch (PortMappingException e) {
                        lastFailure = e;
                        LOG.debug("LOCATION {} from {} not usable: {}", candidate, from, e.getMessage());
                        if (e.reason() == Reason.UNSUPPORTED && !a.udn().isEmpty()) {
                            notGateways.add(a.udn());
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new PortMappingException(Reason.GATEWAY_NOT_FOUND, "SSDP search failed: " + e.getMessage(),
                    MappingProtocol.UPNP, ctx.gateway(), null, e);
        }
        if (lastFailure != null) {
            throw new PortMappingException(lastFailure.reason() == Reason.TIMEOUT ? Reason.TIMEOUT
                    : Reason.GATEWAY_NOT_FOUND, "no usable UPnP gateway answered SSDP (" + answers
                    + " answers; last problem: " + lastFailure.getMessage() + ")", MappingProtocol.UPNP,
                    ctx.gateway(), null, lastFailure);
        }
        throw new PortMappingException(Reason.TIMEOUT, "no UPnP gateway answered SSDP within "
                + ctx.timeout().toMillis() + " ms", MappingProtocol.UPNP, ctx.gateway(), null, null);
    }

    /**
     * Whether an answer may come from the gateway we asked (docs/security.md: answers only from the gateway). Over IPv4
     * that is its address exactly: an IGD elsewhere on the LAN (a second router, a mesh node, a hostile host)
     * is not the NAT our traffic leaves through, so a mapping there would not make us reachable, and it
     * would be reported under the wrong gateway. An IPv6 router answers from its link-local or any of its
     * global addresses alike, so for IPv6 the LAN check on LOCATION is what protects us.
     */
    static boolean fromTheGateway(InetAddress from, InetAddress gateway) {
        if (from.equals(gateway)) {
            return true;
        }
        return from instanceof java.net.Inet6Address && !(gateway instanceof java.net.Inet4Address);
    }

    private static void sendAll(DatagramSocket socket, List<InetSocketAddress> targets) throws IOException {
        for (String st : Ssdp.SEARCH_TARGETS) {
            byte[] m = Ssdp.mSearch(st);
            for (InetSocketAddress t : targets) {
                NetworkGuard.check(t);
                try {
                    socket.send(new DatagramPacket(m, m.length, t));
                } catch (IOException e) {
                    // e.g. no multicast route: the other target may still work
                    LOG.debug("M-SEARCH to {} failed: {}", t, e.getMessage());
                }
            }
        }
    }

    private static void prepareMulticast(DatagramSocket socket, ProbeContext ctx) {
        if (!ctx.multicast()) {
            return;
        }
        try {
            socket.setOption(StandardSocketOptions.IP_MULTICAST_TTL, MULTICAST_TTL);
            NetworkInterface nif = NetworkInterface.getByInetAddress(ctx.localAddress());
            if (nif != null) {
                // leave through the interface that routes to the gateway, not a Docker bridge or VPN (§5.12)
                socket.setOption(StandardSocketOptions.IP_MULTICAST_IF, nif);
            }
        } catch (IOException | UnsupportedOperationException e) {
            LOG.debug("cannot set multicast options: {}", e.getMessage());
        }
    }
}
