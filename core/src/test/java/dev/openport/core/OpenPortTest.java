package dev.openport.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.time.Duration;
import java.util.EnumSet;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** The public entry points as an application meets them (core alone: no protocol module on the class path). */
class OpenPortTest {
    private static final DiscoveryOptions LOOPBACK = Loopback.discovery(InetAddress.getLoopbackAddress(),
            Duration.ofMillis(300));

    @Test
    void withoutAProtocolModuleMapSaysSoAndLeavesNoThread() {
        assertThatThrownBy(() -> OpenPort.map(EnumSet.of(Transport.TCP, Transport.UDP), 25565,
                MapOptions.builder().discovery(LOOPBACK).build()))
                .isInstanceOf(PortMappingException.class)
                .hasMessageContaining("no protocol module is installed")
                .extracting(e -> ((PortMappingException) e).reason())
                .isEqualTo(PortMappingException.Reason.GATEWAY_NOT_FOUND);
        assertThat(Threads.await(Duration.ofSeconds(5), () -> Threads.named("openport-lease").isEmpty()
                && Threads.named("openport-probe").isEmpty())).isTrue();
        assertThat(LeaseManager.shared().liveCount()).isZero();
    }

    @Test
    void gatewaysConnectWithoutAProtocolModule() {
        assertThatThrownBy(() -> Gateways.connect(LOOPBACK)).hasMessageContaining("no protocol module");
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void noDefaultRouteLeavesByLoopback() throws Exception {
        Assumptions.assumeTrue(NetworkInterface.getByName("lo") != null);
        assertThatThrownBy(() -> LocalNetwork.defaultGateway("lo"))
                .isInstanceOfSatisfying(PortMappingException.class, e -> assertThat(e.failure())
                        .contains(new PortMappingException.GatewayNeeded(null)))
                .hasMessageContaining("no default gateway in the routing table on interface lo")
                .hasMessageNotContaining("--");
    }
}
