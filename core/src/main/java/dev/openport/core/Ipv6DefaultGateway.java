package dev.openport.core;

import java.io.IOException;
import java.net.Inet6Address;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the system's default IPv6 router by reading the routing table the way each OS prints it; the IPv6
 * counterpart of {@link DefaultGateway}, with the same rules: one pure parser per format (tested on captured
 * output), the lowest metric wins, ties go to the first route listed, routes without a next hop are skipped.
 *
 * <p>IPv6 default routers are usually link-local ({@code fe80::1}): such an address means nothing without the
 * interface it lives on, so every route carries its interface ("zone"): the name on Linux and macOS/BSD, the
 * interface index on Windows. {@link Ipv6Uplinks} turns it into a scoped address on this host.
 */
final class Ipv6DefaultGateway {
    private static final Logger LOG = LoggerFactory.getLogger(Ipv6DefaultGateway.class);
    /** RTF_UP and RTF_GATEWAY (linux/ipv6_route.h, shared with route.h): a usable route via a next hop. */
    private static final int RTF_UP_GATEWAY = 0x0003;
    /** RTF_REJECT: an unreachable/prohibit route ("default" on lo when there is no IPv6 uplink). */
    private static final int RTF_REJECT = 0x0200;

    /** One default route: the next hop, the interface it leaves by (its zone), the metric. */
    record Route(Inet6Address gateway, String iface, long metric) {
        boolean isLinkLocal() {
            return gateway.isLinkLocalAddress();
        }
    }

    private Ipv6DefaultGateway() {
    }

    /** The preferred default IPv6 route of this host, or empty when it has none (an IPv4-only network). */
    static Optional<Route> find() {
        return best(routes(), null);
    }

    /** Every default IPv6 route this system reports, by whatever means this OS offers. */
    static List<Route> routes() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        List<Route> routes = new ArrayList<>();
        if (os.contains("win")) {
            routes.addAll(parseWindowsRoutePrint(DefaultGateway.run("route", "print", "-6")));
            if (routes.isEmpty()) {
                routes.addAll(parseNetshShowRoute(DefaultGateway.run("netsh", "interface", "ipv6", "show", "route")));
            }
        } else if (os.contains("mac") || os.contains("darwin") || os.contains("bsd")) {
            routes.addAll(parseRouteGet(DefaultGateway.run("route", "-n", "get", "-inet6", "default")));
            if (routes.isEmpty()) {
                routes.addAll(parseNetstatRn(DefaultGateway.run("netstat", "-rn", "-f", "inet6")));
            }
        } else {
            Path proc = Path.of("/proc/net/ipv6_route");
            if (Files.isReadable(proc)) {
                try {
                    routes.addAll(parseProcIpv6Route(Files.readString(proc, StandardCharsets.US_ASCII)));
                } catch (IOException e) {
                    LOG.debug("cannot read {}: {}", proc, e.getMessage());
                }
            }
            if (routes.isEmpty()) {
                routes.addAll(parseIpRoute(DefaultGateway.run("ip", "-6", "route", "show", "default")));
            }
        }
        return routes;
    }

    /** The lowest-metric route (first listed on a tie), optionally only those leaving by {@code iface}. */
    static Optional<Route> best(List<Route> routes, String iface) {
        return routes.stream()
                .filter(r -> iface == null || iface.equals(r.iface()))
                .min(Comparator.comparingLong(Route::metric)); // min() keeps the first of equal elements
    }

    /**
     * Parses Linux's {@code /proc/net/ipv6_route}: destination, its prefix length, source, its prefix length,
     * next hop (each address 32 hex digits), metric, refcount, use, flags (hex) and device. A default route has
     * destination {@code ::/0}, no source restriction, flags UP and GATEWAY, not REJECT, and a next hop. The
     * kernel lists each next hop of a multipath route on its own line.
     */
    static List<Route> parseProcIpv6Route(String table) {
        List<Route> out = new ArrayList<>();
        for (String line : DefaultGateway.lines(table)) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 10 || !"00".equals(f[1]) || !"00".equals(f[3]) || !isZeroHex(f[0])) {
                continue;
            }
            try {
                long metric = Long.parseLong(f[5], 16);
                long flags = Long.parseLong(f[8], 16);
                if ((flags & RTF_UP_GATEWAY) != RTF_UP_GATEWAY || (flags & RTF_REJECT) != 0) {
                    continue;
                }
                Optional<Inet6Address> via = Ipv6Text.fromHex32(f[4]).filter(a -> !a.isAnyLocalAddress());
                via.ifPresent(a -> out.add(new Route(a, f[9], metric)));
            } catch (NumberFormatException e) {
                // a malformed line: keep looking
            }
        }
        return out;
    }

    /**
     * Parses {@code ip -6 route show default}: {@code default via fe80::1 dev wlp2s0 proto ra metric 600 pref
     * medium}. A multipath default prints its next hops on the lines after it ({@code nexthop via fe80::2 dev
     * eth1 weight 1}), which share its metric. Routes without {@code via} and IPv4 next hops are skipped.
     */
    static List<Route> parseIpRoute(String output) {
        List<Route> out = new ArrayList<>();
        long multipathMetric = -1; // the metric of the "default" line whose nexthop lines follow, or -1
        for (String line : DefaultGateway.lines(output)) {
            String[] f = line.trim().split("\\s+");
            boolean nexthop = f.length > 0 && "nexthop".equals(f[0]);
            if (!nexthop) {
                multipathMetric = -1;
            }
            if (f.length < 2 || !("default".equals(f[0]) || "::/0".equals(f[0]) || nexthop && multipathMetric >= 0)) {
                continue;
            }
            Inet6Address via = null;
            String dev = null;
            long metric = nexthop ? multipathMetric : 0;
            for (int i = 1; i + 1 < f.length; i++) {
                switch (f[i]) {
                    case "via" -> via = Ipv6Text.address(f[i + 1]).orElse(null);
                    case "dev" -> dev = f[i + 1];
                    case "metric" -> metric = parseLong(f[i + 1], 0);
                    default -> {
                        // proto, pref, expires, weight...: not needed
                    }
                }
            }
            if (!nexthop) {
                multipathMetric = metric;
            }
            if (via != null && dev != null) {
                out.add(new Route(via, dev, metric));
            }
        }
        return out;
    }

    /**
     * Parses macOS/BSD {@code route -n get -inet6 default}: {@code gateway: fe80::1%en0}, {@code interface:
     * en0}. The interface line names the zone when the gateway text has none.
     */
    static List<Route> parseRouteGet(String output) {
        Ipv6Text.Zoned gw = null;
        String iface = null;
        for (String line : DefaultGateway.lines(output)) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String key = line.substring(0, colon).trim();
            String value = line.substring(colon + 1).trim();
            if ("gateway".equals(key)) {
                gw = Ipv6Text.parse(value).orElse(null);
            } else if ("interface".equals(key)) {
                iface = value;
            }
        }
        if (gw == null || gw.address().isAnyLocalAddress()) {
            return List.of();
        }
        String zone = iface != null ? iface : gw.zone();
        return zone == null ? List.of() : List.of(new Route(gw.address(), zone, 0));
    }

    /**
     * Parses {@code netstat -rn -f inet6} (or the {@code Internet6:} section of {@code netstat -rn}) on macOS
     * and the BSDs: {@code default  fe80::1%en0  UGcg  en0}. The Netif column is found by its heading (FreeBSD
     * releases with Refs/Use columns move it); routes with the {@code I} flag (interface-scoped, macOS) rank
     * after the unscoped ones, as in {@link DefaultGateway#parseNetstatRn}.
     */
    static List<Route> parseNetstatRn(String output) {
        List<Route> out = new ArrayList<>();
        boolean inet6 = true; // output of "-f inet6" may lack the heading
        int netif = 3;
        for (String line : DefaultGateway.lines(output)) {
            String t = line.trim();
            if (t.startsWith("Internet6")) {
                inet6 = true;
                continue;
            }
            if (t.startsWith("Internet")) {
                inet6 = false;
                continue;
            }
            String[] f = t.split("\\s+");
            if (f.length > 0 && "Destination".equals(f[0])) {
                for (int i = 0; i < f.length; i++) {
                    netif = "Netif".equals(f[i]) ? i : netif;
                }
                continue;
            }
            if (!inet6 || f.length <= Math.max(netif, 2) || !("default".equals(f[0]) || "::/0".equals(f[0]))
                    || !f[2].contains("G")) {
                continue;
            }
            Optional<Ipv6Text.Zoned> gw = Ipv6Text.parse(f[1]).filter(z -> !z.address().isAnyLocalAddress());
            if (gw.isEmpty()) {
                continue;
            }
            long rank = f[2].contains("I") ? 1 : 0;
            out.add(new Route(gw.get().address(), f[netif], rank));
        }
        return out;
    }

    /**
     * Parses the IPv6 table of Windows {@code route print -6}: rows {@code If Metric Destination Gateway}, e.g.
     * {@code 12 281 ::/0 fe80::1}; the zone is the interface index {@code If}. Only the active routes count:
     * they are the rows before the separator line that follows them (persistent routes come after it, with the
     * same columns). Headings are localized, so rows are recognised by their shape; the IPv4 table (five
     * columns, dotted destinations) never matches. A long destination wraps the gateway onto the next line.
     */
    static List<Route> parseWindowsRoutePrint(String output) {
        List<Route> out = new ArrayList<>();
        boolean inRows = false;
        boolean done = false;
        String[] pending = null; // a row whose gateway wrapped onto the next line
        for (String line : DefaultGateway.lines(output)) {
            String t = line.trim();
            if (t.startsWith("=====")) {
                done |= inRows; // the separator after the active rows: what follows is persistent
                pending = null;
                continue;
            }
            if (done) {
                continue;
            }
            String[] f = t.split("\\s+");
            if (pending != null && f.length == 1 && !t.isEmpty()) {
                f = new String[] {pending[0], pending[1], pending[2], f[0]};
            }
            pending = null;
            if (f.length == 3 && isIndex(f[0]) && isIndex(f[1]) && f[2].contains(":")) {
                pending = f;
                inRows = true;
                continue;
            }
            if (f.length != 4 || !isIndex(f[0]) || !isIndex(f[1]) || !f[2].contains(":")) {
                continue;
            }
            inRows = true;
            if (!"::/0".equals(f[2])) {
                continue;
            }
            Optional<Inet6Address> gw = Ipv6Text.address(f[3]).filter(a -> !a.isAnyLocalAddress());
            if (gw.isPresent()) {
                out.add(new Route(gw.get(), f[0], Long.parseLong(f[1])));
            }
        }
        return out;
    }

    /**
     * Parses {@code netsh interface ipv6 show route}: {@code Publish Type Met Prefix Idx Gateway/Interface Name},
     * e.g. {@code No  Manual  256  ::/0  12  fe80::1}. An on-link route names an interface (words) instead of
     * a gateway and is skipped; the zone is the index {@code Idx}.
     */
    static List<Route> parseNetshShowRoute(String output) {
        List<Route> out = new ArrayList<>();
        for (String line : DefaultGateway.lines(output)) {
            String[] f = line.trim().split("\\s+");
            if (f.length != 6 || !"::/0".equals(f[3]) || !isIndex(f[2]) || !isIndex(f[4])) {
                continue;
            }
            Optional<Inet6Address> gw = Ipv6Text.address(f[5]).filter(a -> !a.isAnyLocalAddress());
            if (gw.isPresent()) {
                out.add(new Route(gw.get(), f[4], Long.parseLong(f[2])));
            }
        }
        return out;
    }

    private static boolean isZeroHex(String s) {
        return s.length() == 32 && s.chars().allMatch(c -> c == '0');
    }

    /** A small non-negative decimal (interface index, metric up to 4294967295). */
    private static boolean isIndex(String s) {
        return !s.isEmpty() && s.length() <= 10 && s.chars().allMatch(c -> c >= '0' && c <= '9');
    }

    private static long parseLong(String s, long fallback) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return fallback;
        }
    }
}
