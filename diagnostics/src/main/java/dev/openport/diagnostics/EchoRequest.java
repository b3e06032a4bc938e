package dev.openport.diagnostics;

import dev.openport.core.Transport;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.regex.Pattern;

/**
 * One parsed echo request line, {@code OPENPORT-ECHO 1 <TCP|UDP> <ip> <port> <token>} (docs/diagnostics.md item
 * 6), and the rule that makes {@link EchoServer} no reflector: it only reaches the address that asked. Pure: no
 * socket, no DNS (the address must be a literal, so a line can never make the service resolve a name).
 *
 * @param transport TCP connects, UDP sends datagrams
 * @param target    the address and port to send the token to
 * @param token     letters, digits and '-', at most {@link #MAX_TOKEN} characters
 */
record EchoRequest(Transport transport, InetSocketAddress target, String token) {
    /** Longer than any token a probe sends (16 hex digits), short enough to keep the line small. */
    static final int MAX_TOKEN = 64;

    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9-]{1," + MAX_TOKEN + "}");
    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
    /** Hex digits and colons, optionally a dotted IPv4 tail; no zone id (a scope is no address on the internet). */
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:]{2,39}|[0-9A-Fa-f:]{2,29}[0-9.]{7,15}");
    private static final Pattern PORT = Pattern.compile("\\d{1,5}");

    /**
     * The request in {@code line} (without its newline), or {@code null} when it is not one.
     *
     * @param line one request line
     * @return the request, or {@code null} for anything malformed
     */
    static EchoRequest parse(String line) {
        String[] f = line.split(" ", -1);
        if (f.length != 6 || !f[0].equals("OPENPORT-ECHO") || !f[1].equals("1")) {
            return null;
        }
        Transport t = f[2].equals("TCP") ? Transport.TCP : f[2].equals("UDP") ? Transport.UDP : null;
        InetAddress ip = literal(f[3]);
        if (t == null || ip == null || !PORT.matcher(f[4]).matches() || !TOKEN.matcher(f[5]).matches()) {
            return null;
        }
        int port = Integer.parseInt(f[4]);
        if (port < 1 || port > 65535) {
            return null;
        }
        return new EchoRequest(t, new InetSocketAddress(ip, port), f[5]);
    }

    /**
     * Whether the host at {@code peer} (the TCP peer of the request) may ask for this target: the same IPv4
     * address (IPv4-mapped IPv6 forms count as IPv4), or for IPv6 an address in the peer's /64 (a host's stable
     * global address and the temporary address it connects from share their /64, RFC 8981 section 3).
     *
     * @param peer the address the request came from
     * @return whether the token may be sent to {@link #target()}
     */
    boolean allowedFrom(InetAddress peer) {
        byte[] p = canonical(peer).getAddress();
        byte[] t = canonical(target.getAddress()).getAddress();
        if (p.length != t.length) {
            return false;
        }
        return p.length == 4 ? Arrays.equals(p, t) : Arrays.equals(p, 0, 8, t, 0, 8);
    }

    /** {@code TCP 203.0.113.1:25565}, for the log and the CLI. */
    String describe() {
        InetAddress a = target.getAddress();
        String host = a instanceof Inet6Address ? "[" + a.getHostAddress() + "]" : a.getHostAddress();
        return transport.name() + " " + host + ":" + target.getPort();
    }

    /** An IPv4-mapped IPv6 address ({@code ::ffff:a.b.c.d}) as the IPv4 address it is; others unchanged. */
    static InetAddress canonical(InetAddress a) {
        byte[] b = a.getAddress();
        if (b.length != 16) {
            return a;
        }
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return a;
            }
        }
        if (b[10] != (byte) 0xff || b[11] != (byte) 0xff) {
            return a;
        }
        try {
            return InetAddress.getByAddress(Arrays.copyOfRange(b, 12, 16));
        } catch (UnknownHostException e) {
            throw new IllegalStateException("4 bytes are always an address", e);
        }
    }

    /** An IP literal, never a name (no DNS), or {@code null}. */
    private static InetAddress literal(String s) {
        try {
            var v4 = IPV4.matcher(s);
            if (v4.matches()) {
                byte[] b = new byte[4];
                for (int i = 0; i < 4; i++) {
                    int octet = Integer.parseInt(v4.group(i + 1));
                    if (octet > 255) {
                        return null;
                    }
                    b[i] = (byte) octet;
                }
                return Inet4Address.getByAddress(b);
            }
            // only hex, ':' and '.' reach getByName, which parses such a literal without any lookup
            return s.indexOf(':') >= 0 && IPV6.matcher(s).matches() ? InetAddress.getByName(s) : null;
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
