package dev.openport.core;

import static dev.openport.core.DefaultGatewayTest.sample;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

class Ipv6DefaultGatewayTest {

    static List<String> rows(List<Ipv6DefaultGateway.Route> routes) {
        return routes.stream().map(r -> r.gateway().getHostAddress() + "/" + r.iface() + "/" + r.metric()).toList();
    }

    static String best(List<Ipv6DefaultGateway.Route> routes) {
        return Ipv6DefaultGateway.best(routes, null).map(r -> r.gateway().getHostAddress() + " " + r.iface())
                .orElse("none");
    }

    @Test
    void procIpv6RouteOfAHomeLaptopTakesTheLowestMetricRouterAdvertisement() throws IOException {
        List<Ipv6DefaultGateway.Route> routes =
                Ipv6DefaultGateway.parseProcIpv6Route(sample("linux-proc-ipv6-route-ra.txt"));
        // wg0 has no next hop, the source-specific default (from 2001:db8:1::/64) is not for every source,
        // the "default" on lo is the kernel's unreachable route
        assertThat(rows(routes)).containsExactly("fe80:0:0:0:a62b:b0ff:fec1:d2e3/enp0s31f6/100",
                "fe80:0:0:0:0:0:0:1/wlp2s0/600");
        assertThat(best(routes)).isEqualTo("fe80:0:0:0:a62b:b0ff:fec1:d2e3 enp0s31f6");
        assertThat(routes.get(0).isLinkLocal()).isTrue();
        assertThat(Ipv6DefaultGateway.best(routes, "wlp2s0")).map(r -> r.gateway().getHostAddress())
                .contains("fe80:0:0:0:0:0:0:1");
    }

    @Test
    void procIpv6RouteCapturedOnAUlaOnlyContainer() throws IOException {
        // captured on the build machine: a ULA network whose router is fd00::1 (metric 0x400 = 1024)
        assertThat(rows(Ipv6DefaultGateway.parseProcIpv6Route(sample("linux-proc-ipv6-route-ula-host.txt"))))
                .containsExactly("fd00:0:0:0:0:0:0:1/eth0/1024");
    }

    @Test
    void procIpv6RouteOfAnIpv4OnlyHostHasNoDefaultRoute() throws IOException {
        assertThat(Ipv6DefaultGateway.parseProcIpv6Route(sample("linux-proc-ipv6-route-ipv4-only.txt"))).isEmpty();
    }

    @Test
    void procIpv6RouteIgnoresGarbage() {
        assertThat(Ipv6DefaultGateway.parseProcIpv6Route("")).isEmpty();
        assertThat(Ipv6DefaultGateway.parseProcIpv6Route(null)).isEmpty();
        String zeros = "00000000000000000000000000000000";
        // bad next hop, bad metric, a next hop that is IPv4-mapped, flags without GATEWAY
        assertThat(Ipv6DefaultGateway.parseProcIpv6Route(String.join("\n",
                zeros + " 00 " + zeros + " 00 fe8000000000000000000000000000zz 00000064 1 0 00450003 eth0",
                zeros + " 00 " + zeros + " 00 fe800000000000000000000000000001 xyz 1 0 00450003 eth0",
                zeros + " 00 " + zeros + " 00 00000000000000000000ffffc0a80101 00000064 1 0 00000003 eth0",
                zeros + " 00 " + zeros + " 00 fe800000000000000000000000000001 00000064 1 0 00000001 eth0"))).isEmpty();
    }

    @Test
    void ipRouteWithMultipathNextHopsSharingTheirMetric() throws IOException {
        List<Ipv6DefaultGateway.Route> routes = Ipv6DefaultGateway.parseIpRoute(sample("linux-ip-6-route-default.txt"));
        // "default dev wg0" has no next hop; the IPv4 next hop is not an IPv6 gateway
        assertThat(rows(routes)).containsExactly("fe80:0:0:0:a62b:b0ff:fec1:d2e3/enp0s31f6/100",
                "fe80:0:0:0:0:0:0:1/wlp2s0/600", "2001:db8:ff:0:0:0:0:1/eth1/50", "fe80:0:0:0:0:0:0:2/bond0/20",
                "fe80:0:0:0:0:0:0:3/bond1/20");
        assertThat(best(routes)).isEqualTo("fe80:0:0:0:0:0:0:2 bond0");
    }

    @Test
    void nexthopLinesCountOnlyAfterAMultipathDefault() {
        assertThat(Ipv6DefaultGateway.parseIpRoute(String.join("\n",
                "2001:db8:5::/64 proto static metric 1024 pref medium",
                "\tnexthop via fe80::9 dev eth0 weight 1"))).isEmpty();
    }

    @Test
    void macRouteGetNamesTheZoneByTheInterfaceLine() throws IOException {
        assertThat(rows(Ipv6DefaultGateway.parseRouteGet(sample("macos-route-get-inet6-default.txt"))))
                .containsExactly("fe80:0:0:0:4a5d:36ff:fe12:3456/en0/0");
    }

    @Test
    void macRouteGetWhileAVpnOwnsTheDefaultRouteHasNoNextHop() throws IOException {
        assertThat(Ipv6DefaultGateway.parseRouteGet(sample("macos-route-get-inet6-default-vpn.txt"))).isEmpty();
        // the IPv4 answer has no IPv6 gateway either
        assertThat(Ipv6DefaultGateway.parseRouteGet(sample("macos-route-get-default.txt"))).isEmpty();
    }

    @Test
    void macNetstatTakesTheInternet6SectionAndRanksInterfaceScopedRoutesLast() throws IOException {
        List<Ipv6DefaultGateway.Route> routes = Ipv6DefaultGateway.parseNetstatRn(sample("macos-netstat-rn.txt"));
        assertThat(rows(routes)).containsExactly("fe80:0:0:0:0:0:0:0/utun0/1", "fe80:0:0:0:0:0:0:1/en0/0");
        assertThat(best(routes)).isEqualTo("fe80:0:0:0:0:0:0:1 en0");
    }

    @Test
    void freeBsdNetstatWithAndWithoutRefsColumns() throws IOException {
        assertThat(best(Ipv6DefaultGateway.parseNetstatRn(sample("freebsd-netstat-rn.txt"))))
                .isEqualTo("fe80:0:0:0:0:0:0:1 em0");
        // Netif is the sixth column here: found by its heading
        assertThat(rows(Ipv6DefaultGateway.parseNetstatRn(sample("freebsd-netstat-rn-inet6-refs.txt"))))
                .containsExactly("2001:db8:56:0:0:0:0:1/em1/0");
    }

    @Test
    void windowsRoutePrintZoneIsTheInterfaceIndex() throws IOException {
        assertThat(rows(Ipv6DefaultGateway.parseWindowsRoutePrint(sample("windows-route-print.txt"))))
                .containsExactly("fe80:0:0:0:0:0:0:1/12/281");
    }

    @Test
    void windowsRoutePrintSixSkipsWrappedRowsAndPersistentRoutes() throws IOException {
        List<Ipv6DefaultGateway.Route> routes =
                Ipv6DefaultGateway.parseWindowsRoutePrint(sample("windows-route-print-6.txt"));
        assertThat(rows(routes)).containsExactly("fe80:0:0:0:0:0:0:1/19/55",
                "fe80:0:0:0:a62b:b0ff:fec1:d2e3/14/25");
        assertThat(best(routes)).isEqualTo("fe80:0:0:0:a62b:b0ff:fec1:d2e3 14");
    }

    @Test
    void windowsRoutePrintWithoutIpv6DefaultRoute() throws IOException {
        assertThat(Ipv6DefaultGateway.parseWindowsRoutePrint(sample("windows-route-print-de.txt"))).isEmpty();
    }

    @Test
    void windowsNetshShowRoute() throws IOException {
        assertThat(rows(Ipv6DefaultGateway.parseNetshShowRoute(sample("windows-netsh-ipv6-show-route.txt"))))
                .containsExactly("fe80:0:0:0:a62b:b0ff:fec1:d2e3/14/256");
    }

    @Test
    void parsersSurviveEachOthersFormats() throws IOException {
        for (String f : List.of("linux-proc-ipv6-route-ra.txt", "linux-ip-6-route-default.txt",
                "macos-route-get-inet6-default.txt", "macos-netstat-rn.txt", "windows-route-print-6.txt",
                "windows-netsh-ipv6-show-route.txt", "linux-proc-net-route-vpn.txt", "windows-route-print-de.txt")) {
            String s = sample(f);
            Ipv6DefaultGateway.parseProcIpv6Route(s);
            Ipv6DefaultGateway.parseIpRoute(s);
            Ipv6DefaultGateway.parseRouteGet(s);
            Ipv6DefaultGateway.parseWindowsRoutePrint(s);
            Ipv6DefaultGateway.parseNetshShowRoute(s);
        }
        // the IPv4 parsers do not take IPv6 routes for theirs either
        assertThat(DefaultGateway.parseNetstatRn(sample("freebsd-netstat-rn-inet6-refs.txt"))).isEmpty();
        assertThat(Ipv6DefaultGateway.parseNetstatRn(null)).isEmpty();
        assertThat(Ipv6DefaultGateway.parseWindowsRoutePrint(null)).isEmpty();
    }
}
