package dev.openport.upnp;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;

/**
 * Which hosts a LOCATION or control URL may point at (docs/quirks.md, docs/security.md). The LAN is not trusted: an SSDP answer
 * must not make us fetch a public URL (SSRF), and real routers announce URLs on hosts we cannot reach (a floating
 * VIP, {@code [::1]}, an IPv6 link-local address without zone), which we re-point at the address that answered.
 */
final class LanAddresses {
    private LanAddresses() {
    }

    /** Private, link-local, loopback or unique-local: an address that can only be on our side of the NAT. */
    static boolean isLan(InetAddress a) {
        if (a.isLoopbackAddress() || a.isLinkLocalAddress() || a.isSiteLocalAddress()) {
            return true;
        }
        if (a instanceof Inet6Address) {
            int first = a.getAddress()[0] & 0xff;
            return (first & 0xfe) == 0xfc; // fc00::/7 unique local, RFC 4193
        }
        return false;
    }

    /** Whether we could connect to {@code a} as given: not loopback-from-elsewhere, not link-local without zone. */
    private static boolean reachable(InetAddress a, InetAddress answeredFrom) {
        if (a.isAnyLocalAddress() || a.isMulticastAddress()) {
            return false;
        }
        if (a.isLoopbackAddress() && !answeredFrom.isLoopbackAddress()) {
            return false;
        }
        if (a instanceof Inet6Address v6 && a.isLinkLocalAddress() && v6.getScopeId() == 0
                && v6.getScopedInterface() == null) {
            return false;
        }
        return true;
    }

    /**
     * The URLs to try for a URL a device announced, in order; empty when it must be ignored.
     *
     * @param url          the announced URL (LOCATION, or a control URL from a description)
     * @param answeredFrom the address the announcement came from (SSDP source, or the description's host)
     * @param gateway      the default gateway
     */
    static List<URI> candidates(URI url, InetAddress answeredFrom, InetAddress gateway) {
        if (url == null || url.getScheme() == null || !"http".equalsIgnoreCase(url.getScheme())) {
            return List.of();
        }
        InetAddress host = MiniHttp.literalHost(url);
        if (host == null) {
            // a host name: we never resolve names the LAN gives us; the device that answered is the best guess
            return answeredFromUsable(answeredFrom, gateway) ? listOf(repoint(url, answeredFrom)) : List.of();
        }
        if (host.equals(answeredFrom) || host.equals(gateway)) {
            return List.of(url);
        }
        if (!isLan(host) && !host.isAnyLocalAddress()) {
            return List.of(); // a public (or multicast) host: never fetch it
        }
        if (!reachable(host, answeredFrom)) {
            return answeredFromUsable(answeredFrom, gateway) ? listOf(repoint(url, answeredFrom)) : List.of();
        }
        // another LAN address, maybe a floating VIP: try it, then the address that answered
        URI fallback = answeredFromUsable(answeredFrom, gateway) ? repoint(url, answeredFrom) : null;
        return fallback == null ? List.of(url) : List.of(url, fallback);
    }

    private static boolean answeredFromUsable(InetAddress answeredFrom, InetAddress gateway) {
        return answeredFrom != null && (answeredFrom.equals(gateway) || isLan(answeredFrom));
    }

    private static List<URI> listOf(URI u) {
        return u == null ? List.of() : List.of(u);
    }

    /**
     * An address as text for a router: IPv4 dotted, IPv6 in the RFC 5952 canonical form ({@code 2001:db8::2},
     * not Java's {@code 2001:db8:0:0:0:0:0:2}), no zone.
     */
    static String text(InetAddress a) {
        if (!(a instanceof Inet6Address)) {
            return a.getHostAddress();
        }
        byte[] b = a.getAddress();
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) {
            g[i] = (b[2 * i] & 0xff) << 8 | b[2 * i + 1] & 0xff;
        }
        int bestStart = -1;
        int bestLen = 1;
        for (int i = 0; i < 8;) {
            if (g[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && g[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        StringBuilder sb = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(g[i]));
        }
        return sb.toString();
    }

    /** {@code url} with its host replaced by {@code host}; {@code null} if that cannot be built. */
    static URI repoint(URI url, InetAddress host) {
        String h = host.getHostAddress();
        int pct = h.indexOf('%');
        if (host instanceof Inet6Address) {
            // keep a numeric zone (scope id) so a link-local address stays usable; URI wants %25
            h = "[" + (pct < 0 ? h : h.substring(0, pct) + "%25" + h.substring(pct + 1)) + "]";
        }
        try {
            return new URI(url.getScheme() + "://" + h + (url.getPort() < 0 ? "" : ":" + url.getPort())
                    + (url.getRawPath() == null ? "" : url.getRawPath())
                    + (url.getRawQuery() == null ? "" : "?" + url.getRawQuery()));
        } catch (URISyntaxException e) {
            return null;
        }
    }
}
