package dev.openport.core;

import dev.openport.core.Ipv6AddressTable.Entry;
import dev.openport.core.Ipv6AddressTable.State;
import java.net.Inet6Address;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Chooses the address an IPv6 pinhole is opened for: a stable global address on the interface that routes to
 * the IPv6 gateway. Routers open the pinhole for the internal client named in the request and (UPnP
 * WANIPv6FirewallControl, PCP) check it against the request's source, so the address must be one the host
 * keeps: a temporary privacy address (RFC 8981) is replaced within a day and the router answers 606 for it
 * when the request came from another (miniupnp issues #600, #731).
 *
 * <p>Not usable: temporary, deprecated, tentative or duplicate addresses; unique local (fc00::/7, RFC 4193)
 * and site-local ones, which the internet cannot reach; link-local, loopback, multicast; Teredo (2001::/32,
 * RFC 4380) and 6to4 (2002::/16, RFC 3056), which are tunnels past the router, not through it. Among the
 * usable ones an address configured by hand comes first (it has no lifetime), then the order the OS lists.
 */
final class StableIpv6Address {
    private StableIpv6Address() {
    }

    /** The stable global address on {@code iface} (any interface when {@code null}), or empty. */
    static Optional<Entry> choose(List<Entry> entries, String iface) {
        return entries.stream()
                .filter(e -> iface == null || iface.equals(e.iface()))
                .filter(StableIpv6Address::usable)
                .min(Comparator.comparingInt(e -> e.is(State.PERMANENT) ? 0 : 1)); // min() keeps list order on ties
    }

    /** Whether {@code e} may be the internal client of a pinhole. */
    static boolean usable(Entry e) {
        boolean unstable = e.is(State.TEMPORARY) || e.is(State.DEPRECATED) || e.is(State.TENTATIVE)
                || e.is(State.DUPLICATE) || e.is(State.UNKNOWN);
        return !unstable && isGlobalUnicast(e.address());
    }

    /** A global unicast address the internet routes to this host through its router. */
    static boolean isGlobalUnicast(Inet6Address a) {
        if (a.isMulticastAddress() || AddressClass.of(a) != AddressClass.PUBLIC) {
            return false;
        }
        byte[] b = a.getAddress();
        boolean teredo = b[0] == 0x20 && b[1] == 0x01 && b[2] == 0 && b[3] == 0; // RFC 4380 §2.6: 2001::/32
        boolean sixToFour = b[0] == 0x20 && b[1] == 0x02; // RFC 3056 §2: 2002::/16
        boolean ipv4Compatible = a.isIPv4CompatibleAddress(); // ::a.b.c.d, deprecated by RFC 4291 §2.5.5.1
        return !teredo && !sixToFour && !ipv4Compatible;
    }

    /**
     * Why no address of {@code entries} on {@code iface} is usable, for a debug log and for the advice after a
     * 606: e.g. "eth0 has only temporary, unique-local or link-local IPv6 addresses".
     */
    static String whyNone(List<Entry> entries, String iface) {
        List<Entry> on = entries.stream().filter(e -> iface == null || iface.equals(e.iface())).toList();
        String where = iface == null ? "this host" : iface;
        if (on.isEmpty()) {
            return where + " has no IPv6 address";
        }
        boolean global = on.stream().anyMatch(e -> isGlobalUnicast(e.address()));
        if (!global) {
            return where + " has no global IPv6 address (only unique-local, link-local or tunnel addresses)";
        }
        return where + " has only temporary (privacy), deprecated, tentative or duplicate global IPv6 addresses";
    }
}
