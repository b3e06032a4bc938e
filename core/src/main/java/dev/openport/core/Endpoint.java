package dev.openport.core;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * An address and port as people write them: {@code 203.0.113.1:25565}, {@code [2001:db8::2]:25565}, or
 * {@code ?:25565} when the protocol did not say the address. ({@link InetSocketAddress#toString()} would print
 * {@code /203.0.113.1:25565}.)
 *
 * <pre>{@code
 * Endpoint e = mapping.external();
 * System.out.println("players connect to " + e);        // 203.0.113.1:25565
 * socket.connect(e.toSocketAddress());
 * }</pre>
 *
 * @param address the address, or {@code null} when unknown
 * @param port    the port, 0–65535
 */
public record Endpoint(InetAddress address, int port) {

    /**
     * Checks the port.
     *
     * @param address the address, or {@code null} when unknown
     * @param port    the port, 0-65535
     * @throws IllegalArgumentException when the port is outside 0-65535
     */
    public Endpoint {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0-65535, was " + port);
        }
    }

    /**
     * As a socket address.
     *
     * @return the socket address (unresolved {@code ?} when the address is unknown)
     */
    public InetSocketAddress toSocketAddress() {
        return address == null ? InetSocketAddress.createUnresolved("?", port) : new InetSocketAddress(address, port);
    }

    /** {@code 203.0.113.1:25565}, {@code [2001:db8::2]:25565} or {@code ?:25565}. */
    @Override
    public String toString() {
        if (address == null) {
            return "?:" + port;
        }
        // RFC 5952 text (2001:db8::2, not 2001:db8:0:0:0:0:0:2), no zone
        String host = IpText.format(address);
        return address instanceof Inet6Address ? "[" + host + "]:" + port : host + ":" + port;
    }
}
