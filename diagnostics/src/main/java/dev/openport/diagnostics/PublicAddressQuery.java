package dev.openport.diagnostics;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A DNS "what is my IP" question: a resolver that answers a special name with the address the query came
 * from, as the internet sees it. Used by {@link Diagnostics} to check the gateway's external address.
 *
 * <pre>{@code
 * PublicAddressQuery q = PublicAddressQuery.parse("192.0.2.53:5353");        // A myip.opendns.com there
 * PublicAddressResult r = PublicAddress.lookup(q, Duration.ofSeconds(2));
 * System.out.println("the internet sees " + r.address().getHostAddress());
 * }</pre>
 *
 * @param resolver the DNS server to ask (UDP)
 * @param name     the name to ask for, e.g. {@code myip.opendns.com}
 * @param type     which record carries the answer
 */
public record PublicAddressQuery(InetSocketAddress resolver, String name, RecordType type) {
    /** DNS port (RFC 1035 §4.2). */
    public static final int DNS_PORT = 53;

    /** OpenDNS: {@code myip.opendns.com} A at resolver1.opendns.com answers with the querier's address. */
    public static final String OPENDNS_NAME = "myip.opendns.com";

    /** Google: {@code o-o.myaddr.l.google.com} TXT at ns1.google.com answers with the querier's address. */
    public static final String GOOGLE_NAME = "o-o.myaddr.l.google.com";

    /** The record type that carries the answer. */
    public enum RecordType {
        /** The answer is an A record (IPv4). */
        A,
        /** The answer is an AAAA record (IPv6). */
        AAAA,
        /** The answer is a TXT record holding an address literal. */
        TXT
    }

    /**
     * Checks the parts: a resolved resolver address and a DNS name of 1-253 characters.
     *
     * @param resolver the DNS server to ask (UDP)
     * @param name     the name to ask for
     * @param type     which record carries the answer
     */
    public PublicAddressQuery {
        Objects.requireNonNull(resolver, "resolver");
        Objects.requireNonNull(type, "type");
        if (resolver.isUnresolved()) {
            throw new IllegalArgumentException("resolver must be an address, was " + resolver);
        }
        name = Objects.requireNonNull(name, "name").trim();
        if (name.isEmpty() || name.length() > 253) {
            throw new IllegalArgumentException("invalid DNS name '" + name + "'");
        }
    }

    /**
     * OpenDNS (resolver1.opendns.com, 208.67.222.222): A {@code myip.opendns.com}.
     *
     * @return the query
     */
    public static PublicAddressQuery openDns() {
        return new PublicAddressQuery(new InetSocketAddress(literal("208.67.222.222"), DNS_PORT), OPENDNS_NAME,
                RecordType.A);
    }

    /**
     * Google (ns1.google.com, 216.239.32.10): TXT {@code o-o.myaddr.l.google.com}.
     *
     * @return the query
     */
    public static PublicAddressQuery google() {
        return new PublicAddressQuery(new InetSocketAddress(literal("216.239.32.10"), DNS_PORT), GOOGLE_NAME,
                RecordType.TXT);
    }

    /**
     * The well-known public resolvers that offer the service, asked in this order.
     *
     * @return OpenDNS, then Google
     */
    public static List<PublicAddressQuery> defaults() {
        return List.of(openDns(), google());
    }

    /**
     * {@code host[:port]} ({@code [v6]:port} for IPv6), asked the OpenDNS-style A question
     * {@code myip.opendns.com}. A host name is resolved here, with the system resolver.
     *
     * @param hostPort e.g. {@code 192.0.2.53}, {@code 192.0.2.53:5353}, {@code [2001:db8::53]:53}
     * @return the query
     *
     * @throws IllegalArgumentException when the text is not a host with an optional port 1-65535
     */
    public static PublicAddressQuery parse(String hostPort) {
        return parse(hostPort, OPENDNS_NAME, RecordType.A);
    }

    /**
     * {@link #parse(String)} with another name and record type.
     *
     * @param hostPort the resolver, as for {@link #parse(String)}
     * @param name     the name to ask for
     * @param type     the record type that carries the answer
     * @return the query
     */
    public static PublicAddressQuery parse(String hostPort, String name, RecordType type) {
        String t = Objects.requireNonNull(hostPort, "hostPort").trim();
        String host = t;
        int port = DNS_PORT;
        if (t.startsWith("[")) {
            int close = t.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("invalid resolver '" + hostPort + "': missing ']'");
            }
            host = t.substring(1, close);
            String rest = t.substring(close + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) {
                    throw new IllegalArgumentException("invalid resolver '" + hostPort + "': use [v6]:port");
                }
                port = port(rest.substring(1), hostPort);
            }
        } else if (t.indexOf(':') >= 0 && t.indexOf(':') == t.lastIndexOf(':')) {
            host = t.substring(0, t.indexOf(':'));
            port = port(t.substring(t.indexOf(':') + 1), hostPort);
        }
        if (host.isEmpty()) {
            throw new IllegalArgumentException("invalid resolver '" + hostPort + "': use host[:port]");
        }
        try {
            return new PublicAddressQuery(new InetSocketAddress(InetAddress.getByName(host), port), name, type);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("unknown resolver host '" + host + "'", e);
        }
    }

    /**
     * Parses a record type name.
     *
     * @param text {@code a}, {@code aaaa} or {@code txt}, in any case
     * @return the record type
     */
    public static RecordType type(String text) {
        try {
            return RecordType.valueOf(Objects.requireNonNull(text, "text").trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown record type '" + text + "': use A, AAAA or TXT", e);
        }
    }

    /**
     * The resolver as people write it.
     *
     * @return e.g. {@code 208.67.222.222:53}, {@code [2001:db8::1]:53}
     */
    public String resolverText() {
        InetAddress a = resolver.getAddress();
        String h = a instanceof java.net.Inet6Address ? "[" + a.getHostAddress() + "]" : a.getHostAddress();
        return h + ":" + resolver.getPort();
    }

    private static int port(String text, String whole) {
        if (!text.matches("\\d{1,5}") || Integer.parseInt(text) < 1 || Integer.parseInt(text) > 65535) {
            throw new IllegalArgumentException("invalid port in resolver '" + whole + "': use 1-65535");
        }
        return Integer.parseInt(text);
    }

    private static InetAddress literal(String ip) {
        try {
            return InetAddress.getByName(ip); // a literal: no lookup
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
