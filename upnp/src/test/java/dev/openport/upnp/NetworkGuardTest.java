package dev.openport.upnp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.openport.core.PortMappingException.Reason;
import dev.openport.core.spi.NetworkGuard;
import dev.openport.core.spi.ProbeContext;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Every send and connect goes through NetworkGuard, so a unit test can never reach a real router. */
class NetworkGuardTest {

    @Test
    void guardIsOnInUnitTests() {
        assertThat(NetworkGuard.loopbackOnly()).isTrue();
    }

    @Test
    void httpToANonLoopbackAddressIsRefusedBeforeConnecting() {
        assertThatThrownBy(() -> MiniHttp.get(URI.create("http://192.0.2.1:80/rootDesc.xml"),
                System.nanoTime() + 1_000_000_000L, 1024)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void ssdpToANonLoopbackGatewayIsRefusedBeforeSending() throws Exception {
        ProbeContext ctx = new ProbeContext(InetAddress.getByName("192.0.2.1"), InetAddress.getLoopbackAddress(),
                Duration.ofMillis(300), 0, null, false);
        assertThatThrownBy(() -> new UpnpProvider().probe(ctx)).isInstanceOf(IllegalStateException.class);
        ProbeContext mc = new ProbeContext(InetAddress.getLoopbackAddress(), InetAddress.getLoopbackAddress(),
                Duration.ofMillis(300), 9, null, true);
        assertThatThrownBy(() -> new UpnpProvider().probe(mc)).as("multicast is never loopback")
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void refusedConnectionIsTheStaleUrlSignal() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        assertThatThrownBy(() -> MiniHttp.get(URI.create("http://127.0.0.1:" + port + "/x"),
                System.nanoTime() + 1_000_000_000L, 1024)).isInstanceOfSatisfying(MiniHttp.Unreachable.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.GATEWAY_NOT_FOUND));
    }

    @Test
    void hostNamesAreNeverResolved() {
        assertThat(MiniHttp.literalHost(URI.create("http://localhost:80/"))).isNull();
        assertThat(MiniHttp.parseLiteral("router.lan")).isNull();
        assertThat(MiniHttp.parseLiteral("fe80::1%eth0-not-there")).isNull();
        assertThat(MiniHttp.parseLiteral("192.168.1.1")).isNotNull();
    }
}
