package dev.openport.cli;

import java.net.Inet4Address;
import java.net.InetAddress;

/**
 * Whether an external address can be reached from the internet. A gateway that reports a private or CGNAT
 * address sits behind another NAT (double NAT), so a mapping on it alone does not make a port reachable.
 */
enum AddressClass {
    PUBLIC("public", null),
    PRIVATE("private", "a private address (RFC 1918)"),
    CGNAT("cgnat", "a carrier-grade NAT address (100.64.0.0/10)"),
    LOOPBACK("loopback", "a loopback address"),
    LINK_LOCAL("link-local", "a link-local address"),
    UNSPECIFIED("unspecified", "the unspecified address");

    private final String id;
    private final String explanation;

    AddressClass(String id, String explanation) {
        this.id = id;
        this.explanation = explanation;
    }

    /** The stable name used in JSON output. */
    String id() {
        return id;
    }

    /** Why it is not reachable, or {@code null} for a public address. */
    String explanation() {
        return explanation;
    }

    boolean reachable() {
        return this == PUBLIC;
    }

    static AddressClass of(InetAddress a) {
        if (a.isAnyLocalAddress()) {
            return UNSPECIFIED;
        }
        if (a.isLoopbackAddress()) {
            return LOOPBACK;
        }
        if (a.isLinkLocalAddress()) {
            return LINK_LOCAL;
        }
        if (a instanceof Inet4Address) {
            byte[] b = a.getAddress();
            int o0 = b[0] & 0xff;
            int o1 = b[1] & 0xff;
            if (o0 == 100 && o1 >= 64 && o1 <= 127) {
                return CGNAT;
            }
            if (a.isSiteLocalAddress()) {
                return PRIVATE;
            }
            return PUBLIC;
        }
        byte[] b = a.getAddress();
        if ((b[0] & 0xfe) == 0xfc || a.isSiteLocalAddress()) {
            return PRIVATE; // fc00::/7 unique local
        }
        return PUBLIC;
    }
}
