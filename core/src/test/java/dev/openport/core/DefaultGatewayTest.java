package dev.openport.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

class DefaultGatewayTest {

    static String sample(String name) throws IOException {
        try (InputStream in = DefaultGatewayTest.class.getResourceAsStream("/routes/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static InetAddress ip(String s) throws IOException {
        return InetAddress.getByName(s);
    }

    static String best(List<DefaultGateway.Route> routes) {
        return DefaultGateway.best(routes, null).map(r -> r.gateway().getHostAddress() + " " + r.iface())
                .orElse("none");
    }

    @Test
    void procNetRouteOfTheLabClient() throws IOException {
        assertThat(DefaultGateway.parseProcNetRoute(sample("linux-proc-net-route-lab.txt")))
                .contains(ip("198.18.0.1"));
    }

    @Test
    void procNetRouteLowestMetricWinsAndRoutesWithoutNextHopAreSkipped() throws IOException {
        List<DefaultGateway.Route> routes = DefaultGateway.parseProcNetRouteAll(sample("linux-proc-net-route-vpn.txt"));
        // enp0s31f6 lacks the GATEWAY flag, wg0 has no next hop, the rest are not default routes
        assertThat(routes).extracting(r -> r.gateway().getHostAddress() + "/" + r.iface() + "/" + r.metric())
                .containsExactly("192.168.0.1/wlp2s0/600", "10.8.0.1/tun0/50");
        assertThat(best(routes)).isEqualTo("10.8.0.1 tun0");
        assertThat(DefaultGateway.best(routes, "wlp2s0")).map(r -> r.gateway().getHostAddress())
                .contains("192.168.0.1");
        assertThat(DefaultGateway.best(routes, "eth9")).isEmpty();
    }

    @Test
    void procNetRouteIgnoresGarbage() {
        assertThat(DefaultGateway.parseProcNetRoute("")).isEmpty();
        assertThat(DefaultGateway.parseProcNetRoute("eth0 00000000 ZZZZ 0003 0 0 0 00000000")).isEmpty();
        assertThat(DefaultGateway.parseProcNetRoute("eth0 00000000 1FFFFFFFF 0003 0 0 0 00000000")).isEmpty();
        assertThat(DefaultGateway.parseProcNetRoute("\n\n\t\n")).isEmpty();
    }

    @Test
    void ipRouteLowestMetricSkipsDevOnlyAndIpv6() throws IOException {
        List<DefaultGateway.Route> routes = DefaultGateway.parseIpRoute(sample("linux-ip-route-default.txt"));
        assertThat(routes).extracting(r -> r.gateway().getHostAddress() + "/" + r.iface() + "/" + r.metric())
                .containsExactly("192.168.1.1/wlp2s0/600", "10.8.0.1/tun0/50", "172.17.0.1/docker0/1000");
        assertThat(best(routes)).isEqualTo("10.8.0.1 tun0");
        assertThat(best(DefaultGateway.parseIpRoute(sample("linux-ip-route-nometric.txt"))))
                .isEqualTo("198.18.0.1 eth0");
    }

    @Test
    void macRouteGet() throws IOException {
        assertThat(best(DefaultGateway.parseRouteGet(sample("macos-route-get-default.txt"))))
                .isEqualTo("192.168.1.1 en0");
    }

    @Test
    void macRouteGetWhileAVpnOwnsTheDefaultRouteHasNoNextHop() throws IOException {
        assertThat(DefaultGateway.parseRouteGet(sample("macos-route-get-default-vpn.txt"))).isEmpty();
    }

    @Test
    void macNetstatPrefersUnscopedDefaultAndIgnoresIpv6AndLinkRoutes() throws IOException {
        List<DefaultGateway.Route> routes = DefaultGateway.parseNetstatRn(sample("macos-netstat-rn.txt"));
        assertThat(routes).extracting(r -> r.gateway().getHostAddress() + "/" + r.iface())
                .containsExactly("192.168.1.1/en0", "10.0.0.1/en7");
        assertThat(best(routes)).isEqualTo("10.0.0.1 en7");
    }

    @Test
    void freeBsdNetstat() throws IOException {
        assertThat(best(DefaultGateway.parseNetstatRn(sample("freebsd-netstat-rn.txt"))))
                .isEqualTo("192.168.56.1 em0");
    }

    @Test
    void windowsRoutePrintLowestMetricSkipsSplitTunnelOnLinkAndPersistentRoutes() throws IOException {
        List<DefaultGateway.Route> routes = DefaultGateway.parseWindowsRoutePrint(sample("windows-route-print.txt"));
        assertThat(routes).extracting(r -> r.gateway().getHostAddress() + "/" + r.iface() + "/" + r.metric())
                .containsExactly("192.168.1.1/192.168.1.23/25", "10.8.0.1/10.8.0.6/281");
        assertThat(best(routes)).isEqualTo("192.168.1.1 192.168.1.23");
    }

    @Test
    void windowsRoutePrintLocalizedTieGoesToFirst() throws IOException {
        List<DefaultGateway.Route> routes = DefaultGateway.parseWindowsRoutePrint(sample("windows-route-print-de.txt"));
        assertThat(routes).hasSize(2);
        assertThat(best(routes)).isEqualTo("192.168.178.1 192.168.178.44");
    }

    @Test
    void parsersSurviveEachOthersFormatsAndNull() throws IOException {
        for (String f : List.of("linux-proc-net-route-vpn.txt", "linux-ip-route-default.txt",
                "macos-route-get-default.txt", "macos-netstat-rn.txt", "windows-route-print.txt")) {
            String s = sample(f);
            DefaultGateway.parseIpRoute(s);
            DefaultGateway.parseRouteGet(s);
            DefaultGateway.parseNetstatRn(s);
            DefaultGateway.parseWindowsRoutePrint(s);
            DefaultGateway.parseProcNetRouteAll(s);
        }
        assertThat(DefaultGateway.parseIpRoute(null)).isEmpty();
        assertThat(DefaultGateway.parseWindowsRoutePrint(null)).isEmpty();
    }

    @Test
    void ipv4LiteralsOnlyNeverDns() {
        assertThat(DefaultGateway.ipv4("192.168.1.1")).isPresent();
        assertThat(DefaultGateway.ipv4("0.0.0.0")).isEmpty();
        assertThat(DefaultGateway.ipv4("link#17")).isEmpty();
        assertThat(DefaultGateway.ipv4("On-link")).isEmpty();
        assertThat(DefaultGateway.ipv4("localhost")).isEmpty();
        assertThat(DefaultGateway.ipv4("1.2.3")).isEmpty();
        assertThat(DefaultGateway.ipv4("fe80::1")).isEmpty();
        assertThat(DefaultGateway.ipv4("999.1.1.1")).isEmpty();
    }

    @Test
    @EnabledOnOs({OS.LINUX, OS.MAC})
    void commandOutputIsReturned() {
        assertThat(DefaultGateway.run(Duration.ofSeconds(2), "sh", "-c", "echo default via 10.0.0.1 dev x"))
                .contains("default via 10.0.0.1");
    }

    @Test
    @EnabledOnOs({OS.LINUX, OS.MAC})
    void aHungCommandIsKilledAtTheDeadline() {
        long t0 = System.nanoTime();
        assertThat(DefaultGateway.run(Duration.ofMillis(300), "sh", "-c", "echo partial; sleep 30")).isEmpty();
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(2));
        // the killed command's children are gone too, so the pipe closes and the reader thread ends
        assertThat(Threads.await(Duration.ofSeconds(5), () -> Threads.named("openport-route-reader").isEmpty()))
                .isTrue();
    }

    @Test
    void aMissingCommandGivesNothing() {
        assertThat(DefaultGateway.run("openport-no-such-command-" + System.nanoTime())).isEmpty();
    }

    @Test
    void interfaceOverrideOfLoopback() throws Exception {
        Optional<java.net.NetworkInterface> lo = java.util.Collections.list(
                java.net.NetworkInterface.getNetworkInterfaces()).stream().filter(n -> {
                    try {
                        return n.isLoopback() && n.isUp();
                    } catch (java.net.SocketException e) {
                        return false;
                    }
                }).findFirst();
        org.junit.jupiter.api.Assumptions.assumeTrue(lo.isPresent());
        assertThat(LocalNetwork.interfaceAddress(lo.get().getName()).getHostAddress()).startsWith("127.");
    }

    @Test
    void interfaceOverrideOfAnUnknownNameSaysWhatExists() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> LocalNetwork.interfaceAddress("nosuch0"))
                .isInstanceOf(PortMappingException.class)
                .hasMessageContaining("no network interface named 'nosuch0'")
                .hasMessageContaining("interfaces with IPv4")
                .extracting(e -> ((PortMappingException) e).reason())
                .isEqualTo(PortMappingException.Reason.GATEWAY_NOT_FOUND);
    }

    @Test
    void localAddressTowardsLoopback() throws Exception {
        assertThat(LocalNetwork.localAddressTowards(ip("127.0.0.1")).isLoopbackAddress()).isTrue();
    }
}
