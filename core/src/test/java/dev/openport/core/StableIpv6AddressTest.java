package dev.openport.core;

import static dev.openport.core.DefaultGatewayTest.sample;
import static org.assertj.core.api.Assertions.assertThat;

import dev.openport.core.Ipv6AddressTable.Entry;
import dev.openport.core.Ipv6AddressTable.State;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class StableIpv6AddressTest {

    static String chosen(List<Entry> entries, String iface) {
        return StableIpv6Address.choose(entries, iface).map(e -> e.address().getHostAddress()).orElse("none");
    }

    static Inet6Address v6(String text) throws IOException {
        return (Inet6Address) InetAddress.getByName(text);
    }

    @Test
    void procIfInet6FlagsAreRead() throws IOException {
        List<Entry> all = Ipv6AddressTable.parseProcIfInet6(sample("linux-proc-if-inet6.txt"));
        assertThat(all).hasSize(14);
        Entry temporary = all.get(1);
        assertThat(temporary.iface()).isEqualTo("enp0s31f6");
        assertThat(temporary.prefixLength()).isEqualTo(64);
        assertThat(temporary.states()).containsExactly(State.TEMPORARY);
        assertThat(all.get(3).states()).containsExactlyInAnyOrder(State.TEMPORARY, State.DEPRECATED);
        assertThat(all.get(10).states()).containsExactlyInAnyOrder(State.DUPLICATE, State.TENTATIVE);
        assertThat(all.get(0).states()).containsExactly(State.PERMANENT);
    }

    @Test
    void procIfInet6SkipsTemporaryDeprecatedUlaAndLinkLocal() throws IOException {
        List<Entry> all = Ipv6AddressTable.parseProcIfInet6(sample("linux-proc-if-inet6.txt"));
        // enp0s31f6: a temporary, a temporary+deprecated, a deprecated old prefix, a ULA and a link-local
        // address beside the stable SLAAC one
        assertThat(chosen(all, "enp0s31f6")).isEqualTo("2001:db8:1:0:211:2233:fe44:5566");
    }

    @Test
    void anInterfaceWithOnlyTemporaryOrUlaAddressesHasNone() throws IOException {
        List<Entry> all = Ipv6AddressTable.parseProcIfInet6(sample("linux-proc-if-inet6.txt"));
        assertThat(chosen(all, "wlp2s0")).isEqualTo("none");
        assertThat(StableIpv6Address.whyNone(all, "wlp2s0")).contains("only temporary");
        assertThat(chosen(all, "wg0")).isEqualTo("none");
        assertThat(StableIpv6Address.whyNone(all, "wg0")).contains("no global IPv6 address");
        assertThat(chosen(all, "lo")).isEqualTo("none");
        assertThat(StableIpv6Address.whyNone(all, "eth9")).isEqualTo("eth9 has no IPv6 address");
    }

    @Test
    void aHandConfiguredAddressWinsOverADynamicOneAndDadFailuresAreSkipped() throws IOException {
        List<Entry> all = Ipv6AddressTable.parseProcIfInet6(sample("linux-proc-if-inet6.txt"));
        // eth1: DAD failed, tentative, dynamic ::45, then permanent ::44
        assertThat(chosen(all, "eth1")).isEqualTo("2001:db8:2:0:0:0:0:44");
        // on no particular interface: the first stable one listed
        assertThat(chosen(all, null)).isEqualTo("2001:db8:2:0:0:0:0:44");
    }

    @Test
    void procIfInet6CapturedOnAUlaOnlyContainerHasNoUsableAddress() throws IOException {
        List<Entry> all = Ipv6AddressTable.parseProcIfInet6(sample("linux-proc-if-inet6-ula-host.txt"));
        assertThat(all).extracting(e -> e.iface()).containsExactly("eth0", "lo", "eth0");
        assertThat(chosen(all, "eth0")).isEqualTo("none");
    }

    @Test
    void procIfInet6IgnoresGarbage() {
        assertThat(Ipv6AddressTable.parseProcIfInet6(String.join("\n",
                "20010db8000100000000000000000002 02 40 00 eth0",
                "20010db80001000000000000000000zz 02 40 00 00 eth0",
                "20010db8000100000000000000000002 02 ff 00 00 eth0",
                "20010db8000100000000000000000002 02 40 00 1ffffffff eth0",
                "00000000000000000000ffffc0a80102 02 40 00 00 eth0"))).isEmpty();
        assertThat(Ipv6AddressTable.parseProcIfInet6(null)).isEmpty();
    }

    @Test
    void ipAddrWordsAndVethNames() throws IOException {
        List<Entry> all = Ipv6AddressTable.parseIpAddr(sample("linux-ip-6-addr.txt"));
        assertThat(all).extracting(Entry::iface).containsOnly("lo", "enp0s31f6", "veth3c1f2e", "wlp2s0");
        assertThat(chosen(all, "enp0s31f6")).isEqualTo("2001:db8:1:0:211:22ff:fe33:4455");
        assertThat(chosen(all, "veth3c1f2e")).isEqualTo("2001:db8:77:0:0:0:0:6"); // ::5 is tentative
        assertThat(chosen(all, "wlp2s0")).isEqualTo("none");
        Entry deprecated = all.stream().filter(e -> e.address().getHostAddress().startsWith("2001:db8:1:0:61f8"))
                .findFirst().orElseThrow();
        assertThat(deprecated.states()).containsExactlyInAnyOrder(State.TEMPORARY, State.DEPRECATED);
        // no "dynamic": configured by hand
        assertThat(all.get(all.size() - 3).states()).containsExactly(State.PERMANENT);
    }

    @Test
    void macIfconfigPrefersTheSecuredStableAddress() throws IOException {
        List<Entry> all = Ipv6AddressTable.parseIfconfig(sample("macos-ifconfig.txt"));
        assertThat(chosen(all, "en0")).isEqualTo("2001:db8:1:0:18c6:2a3b:4c5d:6e7f");
        assertThat(chosen(all, "utun3")).isEqualTo("2001:db8:99:0:0:0:0:7");
        // duplicated, tentative, detached
        assertThat(chosen(all, "en7")).isEqualTo("none");
        assertThat(chosen(all, "lo0")).isEqualTo("none");
        assertThat(all.stream().filter(e -> e.iface().equals("en0")).map(Entry::prefixLength).distinct())
                .containsExactly(64);
    }

    @Test
    void windowsNetshSkipsTemporaryDeprecatedUlaTentativeAndTeredo() throws IOException {
        List<Entry> all = Ipv6AddressTable.parseNetshShowAddresses(sample("windows-netsh-ipv6-show-addresses.txt"));
        assertThat(chosen(all, "14")).isEqualTo("2001:db8:1:0:1c2d:3e4f:5a6b:7c8d");
        assertThat(chosen(all, "19")).isEqualTo("none"); // temporary; the manual one is tentative
        assertThat(chosen(all, "21")).isEqualTo("none"); // Teredo is a tunnel past the router
        assertThat(chosen(all, "1")).isEqualTo("none");
    }

    @Test
    void windowsNetshInAnotherLanguageIsNeverGuessed() throws IOException {
        // localized kind words are unknown: choosing blindly could pick the temporary address listed first
        List<Entry> all =
                Ipv6AddressTable.parseNetshShowAddresses(sample("windows-netsh-ipv6-show-addresses-de.txt"));
        assertThat(all).hasSize(3).allMatch(e -> e.is(State.UNKNOWN) && e.iface().equals("14"));
        assertThat(chosen(all, "14")).isEqualTo("none");
    }

    @Test
    void globalUnicastExcludesTunnelsMulticastAndUla() throws IOException {
        assertThat(StableIpv6Address.isGlobalUnicast(v6("2001:db8:1::2"))).isTrue();
        assertThat(StableIpv6Address.isGlobalUnicast(v6("2a02:8108:1:2::5"))).isTrue();
        assertThat(StableIpv6Address.isGlobalUnicast(v6("fd00::2"))).isFalse();
        assertThat(StableIpv6Address.isGlobalUnicast(v6("fc00::2"))).isFalse();
        assertThat(StableIpv6Address.isGlobalUnicast(v6("fe80::2"))).isFalse();
        assertThat(StableIpv6Address.isGlobalUnicast(v6("fec0::2"))).isFalse();
        assertThat(StableIpv6Address.isGlobalUnicast(v6("ff02::1"))).isFalse();
        assertThat(StableIpv6Address.isGlobalUnicast(v6("2001:0:2851:782c::1"))).isFalse();
        assertThat(StableIpv6Address.isGlobalUnicast(v6("2002:c000:204::1"))).isFalse();
        assertThat(StableIpv6Address.isGlobalUnicast(v6("::1"))).isFalse();
        assertThat(StableIpv6Address.isGlobalUnicast(v6("::"))).isFalse();
    }

    @Test
    void uplinkTakesTheBestRouteWhoseInterfaceHasAStableAddress() throws IOException {
        List<Entry> addresses = Ipv6AddressTable.parseIpAddr(sample("linux-ip-6-addr.txt"));
        List<Ipv6DefaultGateway.Route> routes = List.of(
                new Ipv6DefaultGateway.Route(v6("2001:db8:2::1"), "wlp2s0", 10), // only a temporary address
                new Ipv6DefaultGateway.Route(v6("2001:db8:1::1"), "enp0s31f6", 100),
                new Ipv6DefaultGateway.Route(v6("2001:db8:77::1"), "veth3c1f2e", 50));
        Optional<Ipv6Uplink> up = Ipv6Uplinks.of(routes, addresses);
        assertThat(up).isPresent();
        assertThat(up.get().interfaceName()).isEqualTo("veth3c1f2e");
        assertThat(up.get().gateway().getHostAddress()).isEqualTo("2001:db8:77:0:0:0:0:1");
        assertThat(up.get().localAddress().getHostAddress()).isEqualTo("2001:db8:77:0:0:0:0:6");
        assertThat(up.get().toString()).contains("on veth3c1f2e").contains("pinholes for 2001:db8:77:0:0:0:0:6");
        assertThat(Ipv6Uplinks.of(routes.subList(0, 1), addresses)).isEmpty();
        assertThat(Ipv6Uplinks.of(List.of(), addresses)).isEmpty();
    }

    @Test
    void aLinkLocalGatewayGetsItsZone() throws IOException {
        // a Windows zone is the interface index: no interface of this host needed
        Optional<Inet6Address> scoped = Ipv6Uplinks.scoped(v6("fe80::1"), "14");
        assertThat(scoped).map(Inet6Address::getScopeId).contains(14);
        // a name must exist here; a global gateway needs no zone
        assertThat(Ipv6Uplinks.scoped(v6("fe80::1"), "nosuch0")).isEmpty();
        assertThat(Ipv6Uplinks.scoped(v6("2001:db8::1"), "nosuch0")).map(Inet6Address::getHostAddress)
                .contains("2001:db8:0:0:0:0:0:1");
        // a link-local gateway on an interface without usable scope is not an uplink
        List<Entry> addresses = List.of(new Entry(v6("2001:db8:1::2"), "nosuch0", 64, java.util.Set.of()));
        assertThat(Ipv6Uplinks.of(List.of(new Ipv6DefaultGateway.Route(v6("fe80::1"), "nosuch0", 1)), addresses))
                .isEmpty();
    }

    @Test
    void literalsNeverAskDns() {
        assertThat(Ipv6Text.parse("fe80::1%en0")).map(z -> z.zone()).contains("en0");
        assertThat(Ipv6Text.parse("2001:db8::2/64")).map(z -> z.address().getHostAddress())
                .contains("2001:db8:0:0:0:0:0:2");
        assertThat(Ipv6Text.parse("localhost")).isEmpty();
        assertThat(Ipv6Text.parse("192.168.1.1")).isEmpty();
        assertThat(Ipv6Text.parse("::ffff:192.168.1.1")).isEmpty();
        assertThat(Ipv6Text.parse("fe80::1%")).isEmpty();
        assertThat(Ipv6Text.parse("fe80::1%a b")).isEmpty();
        assertThat(Ipv6Text.parse("1:2:3:4:5:6:7:8:9")).isEmpty();
        assertThat(Ipv6Text.parse("link#17")).isEmpty();
        assertThat(Ipv6Text.parse("On-link")).isEmpty();
        assertThat(Ipv6Text.fromHex32("fe80000000000000000000000000000")).isEmpty();
        assertThat(Ipv6Text.fromHex32(null)).isEmpty();
    }
}
