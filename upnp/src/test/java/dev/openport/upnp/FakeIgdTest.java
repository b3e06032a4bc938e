package dev.openport.upnp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.openport.core.MappingProtocol;
import dev.openport.core.MappingRequest;
import dev.openport.core.PortMapper;
import dev.openport.core.PortMapping;
import dev.openport.core.PortMappingException;
import dev.openport.core.PortMappingException.Reason;
import dev.openport.core.Transport;
import dev.openport.core.spi.PortMapperProvider;
import dev.openport.core.spi.ProbeContext;
import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.ServiceLoader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The whole client against an in-process IGD on loopback: real UDP and HTTP bytes, quirks switched on. */
class FakeIgdTest {
    private static final InetAddress LO = FakeIgd.LOOPBACK;
    private FakeIgd igd;

    @BeforeEach
    void start() throws Exception {
        Discovery.forget(LO);
        igd = new FakeIgd();
    }

    @AfterEach
    void stop() {
        igd.close();
        Discovery.forget(LO);
    }

    private ProbeContext ctx() {
        return new ProbeContext(LO, LO, Duration.ofSeconds(2), igd.ssdpPort(), null, false);
    }

    private UpnpPortMapper probe() throws PortMappingException {
        return (UpnpPortMapper) new UpnpProvider().probe(ctx());
    }

    @Test
    void providerIsFoundByServiceLoader() {
        assertThat(ServiceLoader.load(PortMapperProvider.class).stream().map(p -> p.get().protocol()))
                .contains(MappingProtocol.UPNP);
    }

    @Test
    void unicastSsdpProbeMapsTcpAndUdpListsAndUnmaps() throws Exception {
        try (UpnpPortMapper m = probe()) {
            assertThat(m.externalAddress().getHostAddress()).isEqualTo("203.0.113.1");
            PortMapping tcp = m.map(MappingRequest.of(Transport.TCP, 5000).withDescription("game <&> \"x\""));
            PortMapping udp = m.map(MappingRequest.of(Transport.UDP, 5000));
            assertThat(tcp.externalPort()).isEqualTo(5000);
            assertThat(tcp.lifetime()).isEqualTo(Duration.ofHours(2));
            assertThat(tcp.externalAddress().getHostAddress()).isEqualTo("203.0.113.1");
            assertThat(tcp.protocolState()).contains("ctl=http://127.0.0.1:" + igd.httpPort() + "/ctl/IPConn");
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
    void secondProbeUsesTheRememberedLocationWithoutSsdp() throws Exception {
        probe().close();
        int queries = igd.ssdpQueries.get();
        probe().close();
        assertThat(igd.ssdpQueries.get()).isEqualTo(queries);
        assertThat(igd.descriptionFetches.get()).isEqualTo(2);
    }

    @Test
    void locationSeededFromAnEarlierProcessSkipsSsdp() throws Exception {
        UpnpLocations.seed(LO, igd.ssdpPort(), igd.location());
        probe().close();
        assertThat(igd.ssdpQueries.get()).isZero();
        assertThat(UpnpLocations.remembered(LO, igd.ssdpPort())).isEqualTo(igd.location());
    }

    @Test
    void staleSeededLocationFallsBackToSsdpAndRemembersTheNewOne() throws Exception {
        UpnpLocations.seed(LO, igd.ssdpPort(), URI.create("http://127.0.0.1:9/rootDesc.xml"));
        probe().close();
        assertThat(igd.ssdpQueries.get()).isPositive();
        assertThat(UpnpLocations.remembered(LO, igd.ssdpPort())).isEqualTo(igd.location());
    }

    @Test
    void knownLocationSkipsSsdp() throws Exception {
        ProbeContext c = new ProbeContext(LO, LO, Duration.ofSeconds(2), 9, igd.location(), false);
        try (PortMapper m = new UpnpProvider().probe(c)) {
            assertThat(m.map(MappingRequest.of(Transport.TCP, 5100)).externalPort()).isEqualTo(5100);
        }
        assertThat(igd.ssdpQueries.get()).isZero();
    }

    @Test
    void routerAnsweringOnlyUnicastIsFound() throws Exception {
        igd.answerMulticast = false;
        Discovery.Found f = SsdpSearch.search(ctx(), deadline(2000), igd.multicastStandIn());
        assertThat(f.connection().controlUrl().getPort()).isEqualTo(igd.httpPort());
    }

    @Test
    void routerAnsweringOnlyMulticastIsFound() throws Exception {
        igd.answerUnicast = false;
        Discovery.Found f = SsdpSearch.search(ctx(), deadline(2000), igd.multicastStandIn());
        assertThat(f.connection().controlUrl().getPort()).isEqualTo(igd.httpPort());
    }

    @Test
    void gatewayAnsweringOnlySsdpAllWithItsRootDeviceIsFound() throws Exception {
        igd.onlyRootDeviceToSsdpAll = true;
        try (PortMapper m = probe()) {
            assertThat(m.map(MappingRequest.of(Transport.UDP, 5024)).externalPort()).isEqualTo(5024);
        }
    }

    @Test
    void ssdpAnswerFromAnotherSourcePortIsAccepted() throws Exception {
        igd.answerFromOtherPort = true;
        try (PortMapper m = probe()) {
            assertThat(m.externalAddress()).isNotNull();
        }
    }

    @Test
    void searchReturnsOnTheFirstAnswerInsteadOfWaitingOutMx() throws Exception {
        long t0 = System.nanoTime();
        probe().close();
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofMillis(900));
    }

    @Test
    void ssdpAnswerWithLocationOnAPublicAddressIsIgnored() {
        // were it fetched, NetworkGuard (loopback only) would throw IllegalStateException instead
        igd.locationOverride = "http://8.8.8.8:80/rootDesc.xml";
        ProbeContext c = new ProbeContext(LO, LO, Duration.ofMillis(700), igd.ssdpPort(), null, false);
        assertThatThrownBy(() -> new UpnpProvider().probe(c)).isInstanceOf(PortMappingException.class)
                .extracting(e -> ((PortMappingException) e).reason()).isEqualTo(Reason.TIMEOUT);
        assertThat(igd.ssdpQueries.get()).isPositive();
        assertThat(igd.descriptionFetches.get()).isZero();
    }

    @Test
    void ssdpAnswerFromAnotherHostThanTheGatewayIsIgnored() throws Exception {
        // the gateway is 127.0.0.2 and stays silent; an IGD at 127.0.0.1 answers the "multicast" search. It is
        // not the NAT we leave through: mapping there would not make us reachable (and was once reported
        // under the wrong gateway), so it must not be used
        InetAddress gateway = InetAddress.getByAddress(new byte[] {127, 0, 0, 2});
        ProbeContext c = new ProbeContext(gateway, LO, Duration.ofMillis(600), igd.ssdpPort(), null, false);
        assertThatThrownBy(() -> SsdpSearch.search(c, deadline(600), igd.multicastStandIn()))
                .isInstanceOf(PortMappingException.class)
                .extracting(e -> ((PortMappingException) e).reason()).isEqualTo(Reason.TIMEOUT);
        assertThat(igd.ssdpQueries.get()).as("the other IGD did answer").isPositive();
        assertThat(igd.descriptionFetches.get()).isZero();
    }

    @Test
    void nothingAnsweringEndsInTimeoutWithinTheDeadline() throws Exception {
        igd.answerUnicast = false;
        ProbeContext c = new ProbeContext(LO, LO, Duration.ofMillis(600), igd.ssdpPort(), null, false);
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> new UpnpProvider().probe(c)).isInstanceOf(PortMappingException.class)
                .extracting(e -> ((PortMappingException) e).reason()).isEqualTo(Reason.TIMEOUT);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofMillis(1500));
        assertThat(igd.ssdpQueries.get()).as("resends for loss").isGreaterThan(Ssdp.SEARCH_TARGETS.size());
    }

    @Test
    void twoWanConnectionDevicesWithOneDownPicksTheConnectedOne() throws Exception {
        igd.twoConnectionDevicesFirstDown = true;
        assertThat(igd.description()).contains("/ctl/Down");
        try (UpnpPortMapper m = probe()) {
            assertThat(m.service().controlUrl().getPath()).isEqualTo("/ctl/IPConn");
            assertThat(m.map(MappingRequest.of(Transport.TCP, 5020)).externalAddress().getHostAddress())
                    .isEqualTo("203.0.113.1");
        }
        assertThat(igd.requests("GetStatusInfo")).isNotEmpty();
    }

    @Test
    void quirk725OnlyPermanentLeasesRetriesWithZeroAndRemembersIt() throws Exception {
        igd.only725Permanent = true;
        try (UpnpPortMapper m = probe()) {
            PortMapping a = m.map(MappingRequest.of(Transport.TCP, 5001));
            assertThat(a.isPermanent()).isTrue();
            assertThat(a.lifetime()).isEqualTo(Duration.ZERO);
            assertThat(igd.table.get("5001/TCP").lease()).isZero();
            PortMapping b = m.map(MappingRequest.of(Transport.UDP, 5001));
            assertThat(b.isPermanent()).isTrue();
            // the second map went straight to lease 0: one 725 in total
            assertThat(igd.requests("AddPortMapping")).hasSize(3);
            PortMapping renewed = m.renew(a);
            assertThat(renewed.isPermanent()).isTrue();
            assertThat(renewed.externalPort()).isEqualTo(5001);
            assertThat(igd.table).hasSize(2);
        }
    }

    @Test
    void quirk402InvalidArgsOnFiniteLeaseRetriesPermanent() throws Exception {
        igd.invalidArgsOnLease = true;
        try (UpnpPortMapper m = probe()) {
            PortMapping a = m.map(MappingRequest.of(Transport.UDP, 5002));
            assertThat(a.isPermanent()).isTrue();
            assertThat(m.permanentOnly()).isTrue();
            assertThat(igd.table.get("5002/UDP").lease()).isZero();
        }
    }

    @Test
    void quirk402LeaseAboveScpdAllowedValueRangeIsClamped() throws Exception {
        igd.leaseMax = 3600;
        try (UpnpPortMapper m = probe()) {
            PortMapping a = m.map(MappingRequest.of(Transport.TCP, 5003).withLifetime(Duration.ofDays(1)));
            assertThat(a.lifetime()).isEqualTo(Duration.ofHours(1));
            assertThat(a.isPermanent()).isFalse();
            assertThat(igd.table.get("5003/TCP").lease()).isEqualTo(3600);
        }
    }

    @Test
    void quirk718OnOurOwnEntryIsSuccess() throws Exception {
        igd.conflictOnReAdd = true;
        try (UpnpPortMapper m = probe()) {
            m.map(MappingRequest.of(Transport.TCP, 5004));
            PortMapping again = m.map(MappingRequest.of(Transport.TCP, 5004));
            assertThat(again.externalPort()).isEqualTo(5004);
            assertThat(igd.table).hasSize(1);
        }
    }

    @Test
    void quirk718OtherHostMovesToAnotherPortOnIgd1() throws Exception {
        igd.preload(5005, "TCP", 5005, "192.168.1.77", 0);
        try (UpnpPortMapper m = probe()) {
            PortMapping a = m.map(MappingRequest.of(Transport.TCP, 5005));
            assertThat(a.externalPort()).isNotEqualTo(5005);
            assertThat(igd.table.get(a.externalPort() + "/TCP").client()).isEqualTo("127.0.0.1");
            assertThat(igd.table.get("5005/TCP").client()).isEqualTo("192.168.1.77");
        }
    }

    @Test
    void quirk718OtherHostWithExactPortIsConflict() throws Exception {
        igd.preload(5006, "UDP", 5006, "192.168.1.77", 0);
        try (UpnpPortMapper m = probe()) {
            assertThatThrownBy(() -> m.map(MappingRequest.of(Transport.UDP, 5006).requireExactExternalPort()))
                    .isInstanceOfSatisfying(PortMappingException.class, e -> {
                        assertThat(e.reason()).isEqualTo(Reason.CONFLICT);
                        assertThat(e.protocolCode()).hasValue(718);
                    });
            assertThat(igd.requests("AddPortMapping")).hasSize(1);
        }
    }

    @Test
    void quirk718OtherHostUsesAddAnyPortMappingOnIgd2() throws Exception {
        igd.igd2 = true;
        igd.preload(5007, "TCP", 5007, "192.168.1.77", 0);
        try (UpnpPortMapper m = probe()) {
            PortMapping a = m.map(MappingRequest.of(Transport.TCP, 5007));
            assertThat(a.externalPort()).isEqualTo(5008);
            assertThat(igd.requests("AddAnyPortMapping")).hasSize(1);
        }
    }

    @Test
    void igd2GatewayChosenPortUsesAddAnyPortMapping() throws Exception {
        igd.igd2 = true;
        try (UpnpPortMapper m = probe()) {
            PortMapping a = m.map(MappingRequest.of(Transport.UDP, 5009).withExternalPort(0));
            assertThat(a.externalPort()).isEqualTo(5009);
            assertThat(igd.requests("AddAnyPortMapping")).hasSize(1);
            assertThat(igd.requests("AddAnyPortMapping").get(0).serviceType()).endsWith("WANIPConnection:2");
        }
    }

    @Test
    void quirk724SamePortValuesRequired() throws Exception {
        igd.samePortRequired = true;
        try (UpnpPortMapper m = probe()) {
            PortMapping a = m.map(MappingRequest.of(Transport.TCP, 5010).withExternalPort(6010));
            assertThat(a.externalPort()).isEqualTo(5010);
            assertThat(igd.table).containsKey("5010/TCP");
            assertThatThrownBy(() -> m.map(MappingRequest.of(Transport.TCP, 5011).withExternalPort(6011)
                    .requireExactExternalPort())).isInstanceOfSatisfying(PortMappingException.class,
                            e -> assertThat(e.protocolCode()).hasValue(724));
        }
    }

    @Test
    void quirk718OnRenewOfOurOwnEntryDeletesThenAdds() throws Exception {
        try (UpnpPortMapper m = probe()) {
            PortMapping a = m.map(MappingRequest.of(Transport.UDP, 5012));
            igd.conflictOnReAdd = true;
            igd.requests.clear();
            PortMapping r = m.renew(a);
            assertThat(r.externalPort()).isEqualTo(5012);
            assertThat(igd.requests).extracting(FakeIgd.Request::action).containsSubsequence(
                    "AddPortMapping", "GetSpecificPortMappingEntry", "DeletePortMapping", "AddPortMapping");
            assertThat(igd.table).containsKey("5012/UDP");
        }
    }

    @Test
    void quirkListedButNotForwardingRenewDeletesThenAdds() throws Exception {
        try (UpnpPortMapper m = probe()) {
            PortMapping a = m.map(MappingRequest.of(Transport.TCP, 5013));
            // the router keeps a broken entry (disabled) and ignores re-adds of it
            FakeIgd.Entry e = igd.table.get("5013/TCP");
            igd.table.put("5013/TCP", new FakeIgd.Entry(e.externalPort(), e.protocol(), e.internalPort(), e.client(),
                    e.description(), e.lease(), false));
            igd.ignoreReAdd = true;
            m.renew(a);
            assertThat(igd.table.get("5013/TCP").enabled()).isTrue();
            assertThat(igd.requests("DeletePortMapping")).hasSize(1);
        }
    }

    @Test
    void quirkBrokenLeaseClockRenewReAddsAVanishedEntry() throws Exception {
        try (UpnpPortMapper m = probe()) {
            PortMapping a = m.map(MappingRequest.of(Transport.UDP, 5014));
            igd.table.clear(); // the router dropped it early
            PortMapping r = m.renew(a);
            assertThat(r.externalPort()).isEqualTo(5014);
            assertThat(igd.table).containsKey("5014/UDP");
        }
    }

    @Test
    void routerRebootOntoANewHttpPortIsRediscovered() throws Exception {
        try (UpnpPortMapper m = probe()) {
            int oldPort = igd.httpPort();
            m.map(MappingRequest.of(Transport.TCP, 5015));
            igd.restartOnNewHttpPort();
            assertThat(igd.httpPort()).isNotEqualTo(oldPort);
            PortMapping a = m.map(MappingRequest.of(Transport.TCP, 5016));
            assertThat(a.externalPort()).isEqualTo(5016);
            assertThat(m.service().controlUrl().getPort()).isEqualTo(igd.httpPort());
            assertThat(Discovery.remembered(ctx()).getPort()).isEqualTo(igd.httpPort());
        }
    }

    @Test
    void routerRebootWithNewControlPathsAnswering404IsRediscovered() throws Exception {
        try (UpnpPortMapper m = probe()) {
            m.map(MappingRequest.of(Transport.UDP, 5022));
            igd.controlPath = "/69692b70/ctl/IPConn";
            PortMapping a = m.map(MappingRequest.of(Transport.UDP, 5023));
            assertThat(a.externalPort()).isEqualTo(5023);
            assertThat(m.service().controlUrl().getPath()).isEqualTo("/69692b70/ctl/IPConn");
        }
    }

    @Test
    void staleRememberedLocationFallsBackToSsdp() throws Exception {
        probe().close();
        igd.restartOnNewHttpPort();
        try (UpnpPortMapper m = probe()) {
            assertThat(m.location().getPort()).isEqualTo(igd.httpPort());
        }
    }

    @Test
    void deleteOfAnAlreadyGoneMappingSucceeds() throws Exception {
        try (UpnpPortMapper m = probe()) {
            PortMapping a = m.map(MappingRequest.of(Transport.TCP, 5017));
            igd.table.clear();
            m.unmap(a);
        }
    }

    @Test
    void explicitInternalAddressIsTheInternalClient() throws Exception {
        try (UpnpPortMapper m = probe()) {
            PortMapping a = m.map(MappingRequest.of(Transport.TCP, 5018)
                    .withInternalAddress(InetAddress.getByAddress(new byte[] {10, 1, 2, 3})));
            assertThat(igd.table.get("5018/TCP").client()).isEqualTo("10.1.2.3");
            assertThat(a.internalAddress().getHostAddress()).isEqualTo("10.1.2.3");
        }
    }

    @Test
    void ipv6RequestWithoutFirewallServiceIsUnsupported() throws Exception {
        try (UpnpPortMapper m = probe()) {
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
        try (UpnpPortMapper m = probe()) {
            PortMapping p = m.map(MappingRequest.of(Transport.UDP, 5021).withInternalAddress(v6)
                    .withLifetime(Duration.ofDays(2)));
            assertThat(igd.pinholes).hasSize(1);
            java.util.Map<String, String> args = igd.pinholes.values().iterator().next();
            assertThat(args).containsEntry("InternalClient", "2001:db8:1::2").containsEntry("InternalPort", "5021")
                    .containsEntry("Protocol", "17").containsEntry("LeaseTime", "86400");
            assertThat(p.externalAddress()).isEqualTo(v6);
            assertThat(p.externalPort()).isEqualTo(5021);
            assertThat(p.lifetime()).isEqualTo(Duration.ofDays(1));
            assertThat(p.protocolState()).startsWith("upnp-pinhole;id=1;");
            assertThat(igd.table).as("no IPv4 port mapping").isEmpty();

            PortMapping r = m.renew(p);
            assertThat(igd.requests("UpdatePinhole")).hasSize(1);
            assertThat(r.protocolState()).isEqualTo(p.protocolState());

            igd.pinholes.clear(); // the router rebooted: renew re-adds
            PortMapping again = m.renew(r);
            assertThat(igd.pinholes).hasSize(1);
            m.unmap(again);
            assertThat(igd.pinholes).isEmpty();
            m.unmap(again); // 704: already gone
        }
    }

    private static long deadline(long ms) {
        return System.nanoTime() + ms * 1_000_000L;
    }
}
