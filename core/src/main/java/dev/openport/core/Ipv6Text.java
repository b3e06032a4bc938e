package dev.openport.core;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * IPv6 addresses as routing tools print them, parsed without ever asking DNS: the 32-hex-digit form of Linux's
 * {@code /proc/net} files, and literals with an optional zone ({@code fe80::1%en0}, {@code fe80::1%12}).
 * The zone is kept apart as text: it names an interface of the host that printed it, which need not exist
 * where a captured table is parsed.
 */
final class Ipv6Text {
    /** Hex digits, colons and dots (for an embedded IPv4 tail); the longest text form is 45 characters. */
    private static final Pattern LITERAL = Pattern.compile("[0-9a-fA-F:.]{2,45}");
    private static final Pattern HEX32 = Pattern.compile("[0-9a-fA-F]{32}");
    /** Interface names (Linux IFNAMSIZ is 16, Windows zones are an index); generous but bounded. */
    private static final Pattern ZONE = Pattern.compile("[A-Za-z0-9_.:@-]{1,64}");

    /** A literal split into the address and its zone ({@code null} when none was written). */
    record Zoned(Inet6Address address, String zone) {
    }

    private Ipv6Text() {
    }

    /** {@code 20010db8000000000000000000000001} as {@code /proc/net/if_inet6} and {@code ipv6_route} print it. */
    static Optional<Inet6Address> fromHex32(String hex) {
        if (hex == null || !HEX32.matcher(hex).matches()) {
            return Optional.empty();
        }
        byte[] b = new byte[16];
        for (int i = 0; i < 16; i++) {
            b[i] = (byte) Integer.parseInt(hex.substring(2 * i, 2 * i + 2), 16);
        }
        return of(b);
    }

    /** An IPv6 literal, optionally with {@code %zone}; IPv4 and IPv4-mapped addresses and names are refused. */
    static Optional<Zoned> parse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        String t = text.trim();
        String zone = null;
        int pct = t.indexOf('%');
        if (pct >= 0) {
            zone = t.substring(pct + 1);
            t = t.substring(0, pct);
            if (!ZONE.matcher(zone).matches()) {
                return Optional.empty();
            }
        }
        int slash = t.indexOf('/'); // a prefix written on an address ("2001:db8::2/64")
        if (slash >= 0) {
            t = t.substring(0, slash);
        }
        if (!t.contains(":") || !LITERAL.matcher(t).matches()) {
            return Optional.empty();
        }
        try {
            // the text holds only hex digits, colons and dots: getByName parses it as a literal, no lookup
            InetAddress a = InetAddress.getByName(t);
            String z = zone;
            return a instanceof Inet6Address v6 ? Optional.of(new Zoned(v6, z)) : Optional.empty();
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }

    /** The address alone, zone dropped. */
    static Optional<Inet6Address> address(String text) {
        return parse(text).map(Zoned::address);
    }

    private static Optional<Inet6Address> of(byte[] sixteen) {
        try {
            // IPv4-mapped bytes come back as an Inet4Address: not an IPv6 address for our purposes
            InetAddress a = InetAddress.getByAddress(sixteen);
            return a instanceof Inet6Address v6 ? Optional.of(v6) : Optional.empty();
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }
}
