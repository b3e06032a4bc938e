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
 * {@code [v6]:port} or {@code name:port}, repeatable (one per family, e.g. {@code --echo 198.51.100.4:7777
 * --echo [2001:db8::4]:7777}). A name is resolved once, to all its addresses, so that an IPv4 mapping is proven
 * through the service's IPv4 address and an IPv6 pinhole through its IPv6 one: an echo service reaches our IPv6
 * address only over IPv6, so a family the service has no address in cannot be proven.
 *
 * @param text     as the user typed it (repeated ones joined by ", ")
 * @param services every address of the service(s) with its port, in the order given and resolved
 */
record EchoTarget(String text, List<InetSocketAddress> services) {

    /** {@code this} and another {@code --echo}: both are asked, each for its families. */
    EchoTarget and(EchoTarget more) {
        List<InetSocketAddress> all = new java.util.ArrayList<>(services);
        all.addAll(more.services);
        return new EchoTarget(text + ", " + more.text, List.copyOf(all));
    }

    /** Whether any address of the service is IPv6 (a pinhole can be proven). */
    boolean hasIpv6() {
        return services.stream().anyMatch(a -> a.getAddress() instanceof Inet6Address);
    }

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
            return new EchoTarget(t, java.util.Arrays.stream(InetAddress.getAllByName(host))
                    .map(a -> new InetSocketAddress(a, p)).toList());
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("unknown echo service host '" + host + "'");
        }
    }

    /** The service's address in the family of {@code mapped} (the external address to prove), if it has one. */
    Optional<InetSocketAddress> forFamilyOf(InetAddress mapped) {
        boolean six = mapped instanceof Inet6Address;
        return services.stream().filter(a -> six ? a.getAddress() instanceof Inet6Address
                : a.getAddress() instanceof Inet4Address).findFirst();
    }
}
