package dev.openport.core;

import java.net.InetAddress;
import java.time.Duration;

/**
 * How core's tests reach their in-memory {@link FakeGateway}: the gateway named explicitly (no default-gateway
 * lookup), this host as loopback, no multicast (nothing leaves loopback, so Surefire's {@code openport.loopbackOnly}
 * guard holds), a short deadline and a short wait for a preferred protocol.
 */
final class Loopback {
    /** The deadline most tests use: long enough for a loaded machine, short enough for tests that time out. */
    static final Duration TIMEOUT = Duration.ofSeconds(1);
    /** The wait for a preferred protocol after the first answer. */
    static final Duration GRACE = Duration.ofMillis(200);

    private Loopback() {
    }

    /** Discovery of {@code gateway} from loopback, with {@link #TIMEOUT}. */
    static DiscoveryOptions discovery(InetAddress gateway) {
        return discovery(gateway, TIMEOUT);
    }

    /** Discovery of {@code gateway} from loopback with another deadline. */
    static DiscoveryOptions discovery(InetAddress gateway, Duration timeout) {
        return DiscoveryOptions.builder().gateway(gateway).localAddress(InetAddress.getLoopbackAddress())
                .multicast(false).timeout(timeout).graceWindow(GRACE).build();
    }
}
