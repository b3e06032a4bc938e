package dev.openport.core.spi;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * A safety catch for tests: when the system property {@code openport.loopbackOnly} is {@code true} (the build
 * sets it for unit tests), every protocol module must call {@link #check} before it sends, and anything but a
 * loopback destination is refused. This keeps a unit test from ever multicasting SSDP on a real interface or
 * sending NAT-PMP/PCP to a real router.
 *
 * <pre>{@code
 * NetworkGuard.check(target);
 * socket.send(new DatagramPacket(bytes, bytes.length, target));
 * }</pre>
 */
public final class NetworkGuard {
    /** The system property that turns the guard on. */
    public static final String PROPERTY = "openport.loopbackOnly";

    private NetworkGuard() {
    }

    /**
     * Whether only loopback destinations are allowed in this JVM (unit tests set {@link #PROPERTY}).
     *
     * @return {@code true} when the guard is on
     */
    public static boolean loopbackOnly() {
        return Boolean.getBoolean(PROPERTY);
    }

    /**
     * Refuses a non-loopback destination while the guard is on.
     *
     * @param destination where a packet or connection is about to go
     * @throws IllegalStateException when the guard is on and {@code destination} is not loopback; this is a bug
     *                               in a test, never something the network can cause
     */
    public static void check(InetAddress destination) {
        if (loopbackOnly() && (destination == null || !destination.isLoopbackAddress())) {
            throw new IllegalStateException("openport.loopbackOnly is set: refusing to send to "
                    + (destination == null ? "null" : destination.getHostAddress())
                    + " (unit tests may only talk to loopback)");
        }
    }

    /**
     * {@link #check(InetAddress)} for a socket address.
     *
     * @param destination where a packet or connection is about to go; not an {@link InetSocketAddress} is refused
     *                    while the guard is on
     * @throws IllegalStateException as {@link #check(InetAddress)}
     */
    public static void check(SocketAddress destination) {
        if (destination instanceof InetSocketAddress isa) {
            check(isa.getAddress());
        } else if (loopbackOnly()) {
            throw new IllegalStateException("openport.loopbackOnly is set: refusing " + destination);
        }
    }
}
