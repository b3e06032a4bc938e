package dev.openport.core;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Objects;

/**
 * What kind of address a gateway reports as its external address, and so whether the internet can reach it.
 * A router whose external address is private or CGNAT sits behind another NAT (double NAT): a mapping on it
 * alone does not make a port reachable.
 *
 * <pre>{@code
 * InetAddress ext = mapper.externalAddress();
 * AddressClass c = AddressClass.of(ext);
 * if (!c.isPublic()) {
 *     System.err.println("double NAT: " + ext.getHostAddress() + " is " + c.description());
 * }
 * }</pre>
 */
public enum AddressClass {
    /** A global address: reachable from the internet if nothing else filters. */
    PUBLIC("public", "a public address"),
    /** RFC 1918 (10/8, 172.16/12, 192.168/16) or an IPv6 unique local address (RFC 4193, fc00::/7). */
    PRIVATE("private", "a private address (RFC 1918 / IPv6 ULA)"),
    /** RFC 6598 shared address space 100.64.0.0/10, used by carrier-grade NAT. */
    CGNAT("cgnat", "a carrier-grade NAT address (RFC 6598, 100.64.0.0/10)"),
    /** 127.0.0.0/8 or ::1. */
    LOOPBACK("loopback", "a loopback address"),
    /** 169.254.0.0/16 (RFC 3927) or fe80::/10. */
    LINK_LOCAL("link-local", "a link-local address"),
    /** 0.0.0.0 or :: — routers report it while their WAN link has no address. */
    UNSPECIFIED("unspecified", "the unspecified address (the router's WAN link has no address)");

    private final String id;
    private final String description;

    AddressClass(String id, String description) {
        this.id = id;
        this.description = description;
    }

    /**
     * A stable lower-case name for machine-readable output.
     *
     * @return e.g. {@code public}, {@code cgnat}
     */
    public String id() {
        return id;
    }

    /**
     * A phrase for people.
     *
     * @return e.g. "a carrier-grade NAT address (RFC 6598, 100.64.0.0/10)"
     */
    public String description() {
        return description;
    }

    /**
     * Whether this is a global address the internet can route to.
     *
     * @return {@code true} for {@link #PUBLIC}
     */
    public boolean isPublic() {
        return this == PUBLIC;
    }

    /**
     * Classifies {@code address}. IPv4-mapped IPv6 addresses arrive as {@link Inet4Address} (the JDK converts
     * them), so they are classified as the IPv4 address they carry.
     *
     * @param address the address to classify
     * @return its class
     */
    public static AddressClass of(InetAddress address) {
        Objects.requireNonNull(address, "address");
        if (address.isAnyLocalAddress()) {
            return UNSPECIFIED;
        }
        if (address.isLoopbackAddress()) {
            return LOOPBACK;
        }
        if (address.isLinkLocalAddress()) {
            return LINK_LOCAL;
        }
        byte[] b = address.getAddress();
        if (address instanceof Inet4Address) {
            int o0 = b[0] & 0xff;
            int o1 = b[1] & 0xff;
            if (o0 == 100 && (o1 & 0xc0) == 64) { // RFC 6598 §7: 100.64.0.0/10
                return CGNAT;
            }
            if (o0 == 10 || (o0 == 172 && (o1 & 0xf0) == 16) || (o0 == 192 && o1 == 168)) { // RFC 1918 §3
                return PRIVATE;
            }
            return PUBLIC;
        }
        if ((b[0] & 0xfe) == 0xfc) { // RFC 4193 §3.1: fc00::/7
            return PRIVATE;
        }
        if ((b[0] & 0xff) == 0xfe && (b[1] & 0xc0) == 0xc0) { // deprecated site-local fec0::/10 (RFC 3879)
            return PRIVATE;
        }
        return PUBLIC;
    }
}
