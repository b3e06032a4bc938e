package dev.openport.cli;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Optional;

/**
 * The reachability echo service of {@code check --echo} and {@code map --keep --echo}: {@code host:port},
 * {@code [v6]:port} or {@code name:port}. A name is resolved once, to all its addresses, so that an IPv4 mapping
 * is proven through the service's IPv4 address and an IPv6 pinhole through its IPv6 one: an echo service
 * reaches our IPv6 address only over IPv6, so a family the service has no address in cannot be proven.
 *
 * @param text      as the user typed it
 * @param addresses every address of the service, in resolver order
 * @param port      the service's TCP port
 */
record EchoTarget(String text, List<InetAddress> addresses, int port) {

    static EchoTarget parse(String value) {
        String t = value.trim();
        String host;
        String port;
        if (t.startsWith("[")) {
            int close = t.indexOf(']');
            if (close < 0 || !t.startsWith(":", close + 1)) {
                throw new IllegalArgumentException("invalid echo service '" + value + "': use [v6]:port");
            }
            host = t.substring(1, close);
            port = t.substring(close + 2);
        } else {
            int colon = t.lastIndexOf(':');
            if (colon <= 0 || t.indexOf(':') != colon) {
                throw new IllegalArgumentException("invalid echo service '" + value
                        + "': use host:port or [v6]:port");
            }
            host = t.substring(0, colon);
            port = t.substring(colon + 1);
        }
        int p;
        try {
            p = Converters.port(port);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid echo service '" + value + "': the port must be 1-65535");
        }
        try {
            // a literal never goes to DNS; a name is looked up once, here, before anything is mapped
            return new EchoTarget(t, List.of(InetAddress.getAllByName(host)), p);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("unknown echo service host '" + host + "'");
        }
    }

    /** The service's address in the family of {@code mapped} (the external address to prove), if it has one. */
    Optional<InetSocketAddress> forFamilyOf(InetAddress mapped) {
        boolean six = mapped instanceof Inet6Address;
        return addresses.stream().filter(a -> six ? a instanceof Inet6Address : a instanceof Inet4Address)
                .findFirst().map(a -> new InetSocketAddress(a, port));
    }

    /** The first address, for a family-less message. */
    InetSocketAddress first() {
        return new InetSocketAddress(addresses.get(0), port);
    }
}
