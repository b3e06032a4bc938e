package dev.openport.core;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts the IPv6 default route and the stable address on its interface together into an {@link Ipv6Uplink}.
 * Empty, with a debug line saying why, when the host has no IPv6 default route or no stable global address
 * on that route's interface: then there is nothing to open a pinhole for, and callers stay IPv4-only without
 * a warning (most networks without IPv6 look exactly like that).
 */
final class Ipv6Uplinks {
    private static final Logger LOG = LoggerFactory.getLogger(Ipv6Uplinks.class);

    private Ipv6Uplinks() {
    }

    static Optional<Ipv6Uplink> find() {
        List<Ipv6DefaultGateway.Route> routes = Ipv6DefaultGateway.routes();
        if (routes.isEmpty()) {
            LOG.debug("no IPv6 default route: IPv4 only");
            return Optional.empty();
        }
        return of(routes, Ipv6AddressTable.read());
    }

    /**
     * The uplink through the best route whose interface has a stable global address (a host with IPv6 on a
     * VPN and on its LAN may have it on only one of them).
     */
    static Optional<Ipv6Uplink> of(List<Ipv6DefaultGateway.Route> routes, List<Ipv6AddressTable.Entry> addresses) {
        List<Ipv6DefaultGateway.Route> byMetric = routes.stream()
                .sorted(java.util.Comparator.comparingLong(Ipv6DefaultGateway.Route::metric)).toList();
        for (Ipv6DefaultGateway.Route r : byMetric) {
            Optional<Ipv6AddressTable.Entry> local = StableIpv6Address.choose(addresses, r.iface());
            if (local.isEmpty()) {
                LOG.debug("IPv6 default route via {} on {} not used: {}", r.gateway().getHostAddress(), r.iface(),
                        StableIpv6Address.whyNone(addresses, r.iface()));
                continue;
            }
            Optional<Inet6Address> gw = scoped(r.gateway(), r.iface());
            if (gw.isEmpty()) {
                LOG.debug("IPv6 gateway {} on {}: no such interface here", r.gateway().getHostAddress(), r.iface());
                continue;
            }
            return Optional.of(new Ipv6Uplink(gw.get(), r.iface(), local.get().address()));
        }
        return Optional.empty();
    }

    /**
     * A link-local gateway with its zone, so that packets to it leave by the right interface: {@code zone} is an
     * interface name, or a numeric index (Windows). A global gateway needs no zone and is returned as is.
     */
    static Optional<Inet6Address> scoped(Inet6Address gateway, String zone) {
        if (!gateway.isLinkLocalAddress()) {
            return Optional.of(gateway);
        }
        try {
            if (zone.chars().allMatch(Character::isDigit) && !zone.isEmpty() && zone.length() <= 9) {
                return Optional.of(Inet6Address.getByAddress(null, gateway.getAddress(), Integer.parseInt(zone)));
            }
            NetworkInterface nif = NetworkInterface.getByName(zone);
            if (nif == null) {
                return Optional.empty();
            }
            InetAddress a = Inet6Address.getByAddress(null, gateway.getAddress(), nif);
            return Optional.of((Inet6Address) a);
        } catch (UnknownHostException | SocketException e) {
            return Optional.empty();
        }
    }
}
