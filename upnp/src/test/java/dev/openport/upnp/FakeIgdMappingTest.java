package dev.openport.upnp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.openport.core.MappingRequest;
import dev.openport.core.PortMapping;
import dev.openport.core.PortMappingException;
import dev.openport.core.PortMappingException.Reason;
import dev.openport.core.Transport;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Mapping, listing, deleting and IPv6 pinholes against an in-process IGD on loopback, real UDP and HTTP bytes. */
class FakeIgdMappingTest extends LoopbackIgdTest {
    @Test
    void unicastSsdpProbeMapsTcpAndUdpListsAndUnmaps() throws Exception {
        try (UpnpPortMapper m = probeKeepingRequests()) {
            assertThat(m.externalAddress().getHostAddress()).isEqualTo("203.0.113.1");
            PortMapping tcp = m.map(MappingRequest.of(Transport.TCP, 5000).withDescription("game <&> \"x\""));
            PortMapping udp = m.map(MappingRequest.of(Transport.UDP, 5000));
            assertThat(tcp.externalPort()).isEqualTo(5000);
            assertThat(tcp.lifetime()).isEqualTo(Duration.ofHours(2));
            assertThat(tcp.externalAddress().getHostAddress()).isEqualTo("203.0.113.1");
            assertThat(tcp.protocolState().text()).contains("ctl=http://127.0.0.1:" + igd.httpPort() + "/ctl/IPConn");
            assertThat(igd.table).containsKeys("5000/TCP", "5000/UDP");
            assertThat(igd.table.get("5000/TCP").client()).isEqualTo("127.0.0.1");
            assertThat(igd.table.get("5000/TCP").description()).isEqualTo("game <&> \"x\"");
            assertThat(igd.rawSoap).anyMatch(b -> b.contains("game &lt;&amp;&gt; &quot;x&quot;"));
            assertThat(igd.requests("AddPortMapping")).allMatch(r -> r.args().get("NewProtocol").equals("TCP")
                    || r.args().get("NewProtocol").equals("UDP"));

            List<PortMapping> list = m.list();
            assertThat(list).extracting(PortMapping::externalPort, PortMapping::transport)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(5000, Transport.TCP),
                            org.assertj.core.groups.Tuple.tuple(5000, Transport.UDP));

            m.unmap(tcp);
            m.unmap(udp);
            assertThat(igd.table).isEmpty();
            m.unmap(tcp); // 714 NoSuchEntry on delete = success
            assertThat(m.list()).isEmpty();
        }
    }

    @Test
    void deleteOfAnAlreadyGoneMappingSucceeds() throws Exception {
        try (UpnpPortMapper m = probeKeepingRequests()) {
            PortMapping a = m.map(MappingRequest.of(Transport.TCP, 5017));
            igd.table.clear();
            m.unmap(a);
        }
    }

    @Test
    void explicitInternalAddressIsTheInternalClient() throws Exception {
        try (UpnpPortMapper m = probeKeepingRequests()) {
            PortMapping a = m.map(MappingRequest.of(Transport.TCP, 5018)
                    .withInternalAddress(InetAddress.getByAddress(new byte[] {10, 1, 2, 3})));
            assertThat(igd.table.get("5018/TCP").client()).isEqualTo("10.1.2.3");
            assertThat(a.internalAddress().getHostAddress()).isEqualTo("10.1.2.3");
        }
    }

    @Test
    void ipv6RequestWithoutFirewallServiceIsUnsupported() throws Exception {
        try (UpnpPortMapper m = probeKeepingRequests()) {
            assertThatThrownBy(() -> m.map(MappingRequest.of(Transport.TCP, 5019)
                    .withInternalAddress(InetAddress.getByName("::1"))))
                    .isInstanceOfSatisfying(PortMappingException.class,
                            e -> assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED));
        }
    }

    @Test
    void ipv6RequestBecomesAPinholeThatRenewsAndDeletes() throws Exception {
        igd.ipv6Firewall = true;
        InetAddress v6 = InetAddress.getByName("2001:db8:1::2");
        try (UpnpPortMapper m = probeKeepingRequests()) {
            PortMapping p = m.map(MappingRequest.of(Transport.UDP, 5021).withInternalAddress(v6)
                    .withLifetime(Duration.ofDays(2)));
            assertThat(igd.pinholes).hasSize(1);
            java.util.Map<String, String> args = igd.pinholes.values().iterator().next();
            assertThat(args).containsEntry("InternalClient", "2001:db8:1::2").containsEntry("InternalPort", "5021")
                    .containsEntry("Protocol", "17").containsEntry("LeaseTime", "86400");
            assertThat(p.externalAddress()).isEqualTo(v6);
            assertThat(p.externalPort()).isEqualTo(5021);
            assertThat(p.lifetime()).isEqualTo(Duration.ofDays(1));
            assertThat(p.protocolState().text()).startsWith("upnp-pinhole;id=1;");
            assertThat(igd.table).as("no IPv4 port mapping").isEmpty();

            PortMapping r = m.renew(p);
            assertThat(igd.requests("UpdatePinhole")).hasSize(1);
            assertThat(r.protocolState().text()).isEqualTo(p.protocolState().text());

            igd.pinholes.clear(); // the router rebooted: renew re-adds
            PortMapping again = m.renew(r);
            assertThat(igd.pinholes).hasSize(1);
            m.unmap(again);
            assertThat(igd.pinholes).isEmpty();
            m.unmap(again); // 704: already gone
        }
    }

    @Test
    void repairOfAPinholeDeletesItAndOpensANewOneForTheSamePort() throws Exception {
        // a reachability signal failed: UpdatePinhole would only extend a pinhole that may not forward
        igd.ipv6Firewall = true;
        InetAddress v6 = InetAddress.getByName("2001:db8:1::2");
        try (UpnpPortMapper m = probeKeepingRequests()) {
            PortMapping p = m.map(MappingRequest.of(Transport.TCP, 5022).withInternalAddress(v6));
            String before = p.protocolState().text();

            PortMapping r = m.repair(p);
            assertThat(igd.requests("DeletePinhole")).hasSize(1);
            assertThat(igd.requests("UpdatePinhole")).isEmpty();
            assertThat(igd.pinholes).hasSize(1);
            assertThat(igd.pinholes.values().iterator().next()).containsEntry("InternalPort", "5022")
                    .containsEntry("InternalClient", "2001:db8:1::2");
            assertThat(r.externalPort()).isEqualTo(5022);
            assertThat(r.protocolState().text()).startsWith("upnp-pinhole;id=").isNotEqualTo(before);

            igd.pinholes.clear(); // gone meanwhile: the delete's 704 is no failure, the add opens it
            PortMapping again = m.repair(r);
            assertThat(igd.pinholes).hasSize(1);
            assertThat(again.externalPort()).isEqualTo(5022);
            m.unmap(again);
        }
    }
}
