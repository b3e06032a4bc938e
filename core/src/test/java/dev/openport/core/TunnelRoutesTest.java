package dev.openport.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Default routes without a gateway address (VPN tunnels) and the error that asks for a named gateway. */
class TunnelRoutesTest {

    @Test
    void procNetRouteFindsTheGatewaylessDefaultOfWg0() throws IOException {
        // wg0: gateway 00000000, flags 0001; enp0s31f6: a gateway but no GATEWAY flag (0001) -> no next hop either
        assertThat(TunnelRoutes.parseProcNetRoute(DefaultGatewayTest.sample("linux-proc-net-route-vpn.txt")))
                .containsExactly("enp0s31f6", "wg0");
        assertThat(TunnelRoutes.parseProcNetRoute(DefaultGatewayTest.sample("linux-proc-net-route-lab.txt")))
                .isEmpty();
    }

    @Test
    void procNetRouteOfAWireGuardOnlyHost() {
        String table = "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
                + "wg0\t00000000\t00000000\t0001\t0\t0\t0\t00000000\t0\t0\t0\n"
                + "wg0\t0000020A\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n";
        assertThat(DefaultGateway.parseProcNetRouteAll(table)).isEmpty();
        assertThat(TunnelRoutes.parseProcNetRoute(table)).containsExactly("wg0");
    }

    @Test
    void ipRouteDevOnlyDefault() throws IOException {
        assertThat(TunnelRoutes.parseIpRoute(DefaultGatewayTest.sample("linux-ip-route-default.txt")))
                .containsExactly("wg0");
        assertThat(TunnelRoutes.parseIpRoute("default dev tun0 proto static scope link metric 50\n"))
                .containsExactly("tun0");
        assertThat(TunnelRoutes.parseIpRoute("default via 10.0.0.1 dev eth0\n")).isEmpty();
    }

    @Test
    void macRouteGetWithAnInterfaceOnlyGateway() throws IOException {
        assertThat(TunnelRoutes.parseRouteGet(DefaultGatewayTest.sample("macos-route-get-default-vpn.txt")))
                .containsExactly("utun3");
        assertThat(TunnelRoutes.parseRouteGet(DefaultGatewayTest.sample("macos-route-get-default.txt"))).isEmpty();
    }

    @Test
    void theErrorNamesTheTunnelAndCarriesAStructuredReasonWithoutCliFlags() {
        PortMappingException e = TunnelRoutes.gatewayNeeded(null, List.of("wg0"));
        assertThat(e.reason()).isEqualTo(PortMappingException.Reason.GATEWAY_NOT_FOUND);
        assertThat(e.failure()).contains(new PortMappingException.GatewayNeeded("wg0"));
        assertThat(e.getMessage()).contains("wg0", "without a gateway address", "DiscoveryOptions").doesNotContain("--");
        PortMappingException none = TunnelRoutes.gatewayNeeded("eth1", List.of());
        assertThat(none.failure()).contains(new PortMappingException.GatewayNeeded(null));
        assertThat(none.getMessage()).contains("no default gateway", "eth1").doesNotContain("--");
    }
}
