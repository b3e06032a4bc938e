package dev.openport.core;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;

/**
 * IP addresses as text, with the JDK alone. {@link InetAddress#getHostAddress()} writes IPv6 in full
 * ({@code 2001:db8:0:0:0:0:0:2}) and with a zone ({@code %eth0}); people and routers' logs write the RFC 5952
 * canonical form ({@code 2001:db8::2}). Parsing takes literals only: a typo never becomes a DNS lookup.
 */
final class IpText {
    /** RFC 4291 §2.2: eight 16-bit groups. */
    private static final int GROUPS = 8;

    private IpText() {
    }

    /**
     * The address as RFC 5952 text: IPv4 dotted decimal; IPv6 in lower-case hex without leading zeros, the
     * longest run of two or more zero groups (the first of equal runs) shortened to {@code ::} (§4.2), and no
     * zone.
     */
    static String format(InetAddress address) {
        byte[] b = address.getAddress();
        if (address instanceof Inet4Address) {
            return (b[0] & 0xff) + "." + (b[1] & 0xff) + "." + (b[2] & 0xff) + "." + (b[3] & 0xff);
        }
        int[] groups = new int[GROUPS];
        for (int i = 0; i < GROUPS; i++) {
            groups[i] = (b[2 * i] & 0xff) << 8 | (b[2 * i + 1] & 0xff);
        }
        // RFC 5952 §4.2.2: a single zero group is not shortened; §4.2.3: the longest run wins, then the first
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < GROUPS; ) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int start = i;
            while (i < GROUPS && groups[i] == 0) {
                i++;
            }
            if (i - start > bestLength) {
                bestStart = start;
                bestLength = i - start;
            }
        }
        StringBuilder sb = new StringBuilder(39);
        for (int i = 0; i < GROUPS; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLength - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(groups[i])); // §4.1 no leading zeros, §4.3 lower case
        }
        return sb.toString();
    }

    /**
     * A strict IPv4 dotted-decimal literal: four decimal octets 0-255, no leading zeros (so {@code 010.0.0.1}
     * cannot be read as octal by one tool and as decimal by another), no DNS lookup.
     */
    static Optional<Inet4Address> parseIpv4(String text) {
        if (text == null || text.length() < 7 || text.length() > 15) {
            return Optional.empty();
        }
        byte[] out = new byte[4];
        int octet = 0;
        int start = 0;
        for (int i = 0; i <= text.length(); i++) {
            if (i < text.length() && text.charAt(i) != '.') {
                char c = text.charAt(i);
                if (c < '0' || c > '9' || i - start >= 3) {
                    return Optional.empty();
                }
                continue;
            }
            int length = i - start;
            if (octet == 4 || length == 0 || (length > 1 && text.charAt(start) == '0')) {
                return Optional.empty();
            }
            int value = Integer.parseInt(text, start, i, 10);
            if (value > 255) {
                return Optional.empty();
            }
            out[octet++] = (byte) value;
            start = i + 1;
        }
        if (octet != 4) {
            return Optional.empty();
        }
        try {
            return Optional.of((Inet4Address) InetAddress.getByAddress(out)); // bytes: no lookup
        } catch (UnknownHostException e) {
            throw new AssertionError("four bytes are always an IPv4 address", e);
        }
    }
}
