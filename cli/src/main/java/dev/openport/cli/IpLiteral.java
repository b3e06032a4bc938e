package dev.openport.cli;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/** Parses an IP address literal without ever asking DNS (a typo must not become a lookup that hangs). */
final class IpLiteral {
    private static final Pattern V4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern V6 = Pattern.compile("[0-9a-fA-F:.]{2,45}");

    private IpLiteral() {
    }

    /**
     * Parses an IPv4 or IPv6 literal.
     *
     * @throws IllegalArgumentException for anything else (host names included)
     */
    static InetAddress parse(String text) {
        String t = text == null ? "" : text.trim();
        if (t.startsWith("[") && t.endsWith("]")) {
            t = t.substring(1, t.length() - 1);
        }
        boolean v4 = V4.matcher(t).matches();
        boolean v6 = !v4 && t.contains(":") && V6.matcher(t).matches();
        if (v4) {
            for (String octet : t.split("\\.")) {
                if (Integer.parseInt(octet) > 255) {
                    v4 = false;
                }
            }
        }
        if (v4 || v6) {
            try {
                // a literal: InetAddress parses it without a lookup
                return InetAddress.getByName(t);
            } catch (UnknownHostException e) {
                // fall through to the error below
            }
        }
        throw new IllegalArgumentException("invalid IP address '" + text + "': use a literal like 192.168.1.1"
                + " (host names are not looked up)");
    }
}
