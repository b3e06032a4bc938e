package dev.openport.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Reading a mapping back: UPnP from the table, NAT-PMP/PCP by a renewal. */
class MappingVerifierTest {
    final FakeGateway gw = FakeGateway.loopback();

    @Test
    void upnpMappingInTheTableIsConfirmed() throws Exception {
        PortMapper upnp = new FakeGateway.FakeMapper(gw, MappingProtocol.UPNP);
        PortMapping m = upnp.map(MappingRequest.of(Transport.TCP, 25565));
        assertThat(MappingVerifier.verify(upnp, m)).isEqualTo(MappingVerifier.Result.CONFIRMED);
    }

    @Test
    void upnpRouterThatSilentlyDroppedTheMappingIsMissing() throws Exception {
        PortMapper upnp = new FakeGateway.FakeMapper(gw, MappingProtocol.UPNP);
        PortMapping m = upnp.map(MappingRequest.of(Transport.TCP, 25565));
        gw.clear(); // the router said OK, then purged its table (docs/quirks.md)
        assertThat(MappingVerifier.verify(upnp, m)).isEqualTo(MappingVerifier.Result.MISSING);
    }

    @Test
    void upnpOtherTransportOnTheSamePortDoesNotCount() throws Exception {
        PortMapper upnp = new FakeGateway.FakeMapper(gw, MappingProtocol.UPNP);
        PortMapping tcp = upnp.map(MappingRequest.of(Transport.TCP, 25565));
        upnp.map(MappingRequest.of(Transport.UDP, 25565));
        upnp.unmap(tcp);
        assertThat(MappingVerifier.verify(upnp, tcp)).isEqualTo(MappingVerifier.Result.MISSING);
    }

    @Test
    void natPmpRenewalAnswerOnTheSamePortConfirms() throws Exception {
        PortMapper pmp = new FakeGateway.FakeMapper(gw, MappingProtocol.NAT_PMP);
        PortMapping m = pmp.map(MappingRequest.of(Transport.UDP, 27015));
        assertThat(MappingVerifier.verify(pmp, m)).isEqualTo(MappingVerifier.Result.CONFIRMED);
        assertThat(gw.log).contains("NAT_PMP renew() call, state fake");
    }

    @Test
    void pcpRenewalThatLandsOnAnotherPortIsMissingAndTheStrayMappingIsDeleted() throws Exception {
        PortMapper pcp = new FakeGateway.FakeMapper(gw, MappingProtocol.PCP);
        PortMapping m = pcp.map(MappingRequest.of(Transport.TCP, 8080));
        gw.clear();
        pcp.map(MappingRequest.of(Transport.TCP, 9090).withExternalPort(8080)); // another service took 8080
        assertThat(MappingVerifier.verify(pcp, m)).isEqualTo(MappingVerifier.Result.MISSING);
        assertThat(gw.table()).extracting(PortMapping::internalPort).containsExactly(9090);
    }

    @Test
    void gatewayThatStoppedAnsweringIsATimeoutNotAVerdict() throws Exception {
        PortMapper pmp = new FakeGateway.FakeMapper(gw, MappingProtocol.NAT_PMP);
        PortMapping m = pmp.map(MappingRequest.of(Transport.UDP, 27015));
        gw.answer(MappingProtocol.NAT_PMP, false);
        assertThatThrownBy(() -> MappingVerifier.verify(pmp, m)).isInstanceOfSatisfying(
                PortMappingException.class, e -> assertThat(e.reason())
                        .isEqualTo(PortMappingException.Reason.TIMEOUT));
    }

    @Test
    void checkOfAHeldUpnpEntryReportsTheClientAndTheExternalAddressNow() throws Exception {
        PortMapper upnp = new FakeGateway.FakeMapper(gw, MappingProtocol.UPNP);
        PortMapping m = upnp.map(MappingRequest.of(Transport.TCP, 25565));
        gw.external = java.net.InetAddress.getByName("198.51.100.7"); // the WAN was renumbered
        MappingCheck c = upnp.check(m);
        assertThat(c.state()).isEqualTo(MappingCheck.State.HELD);
        assertThat(c.internalClient()).isEqualTo(m.internalAddress());
        assertThat(c.usableExternalAddress()).contains(java.net.InetAddress.getByName("198.51.100.7"));
    }

    @Test
    void checkOfAnEntryForwardingToAnotherInternalPortIsForeign() throws Exception {
        PortMapper upnp = new FakeGateway.FakeMapper(gw, MappingProtocol.UPNP);
        PortMapping m = upnp.map(MappingRequest.of(Transport.TCP, 25565));
        upnp.unmap(m);
        upnp.map(MappingRequest.of(Transport.TCP, 4000).withExternalPort(25565)); // someone else's rule now
        assertThat(upnp.check(m).state()).isEqualTo(MappingCheck.State.FOREIGN);
        assertThat(MappingVerifier.verify(upnp, m)).isEqualTo(MappingVerifier.Result.MISSING);
    }

    @Test
    void aRouterWithoutWanReportsNoUsableExternalAddress() throws Exception {
        PortMapper upnp = new FakeGateway.FakeMapper(gw, MappingProtocol.UPNP);
        PortMapping m = upnp.map(MappingRequest.of(Transport.TCP, 25565));
        gw.external = java.net.InetAddress.getByName("0.0.0.0"); // WAN down: routers say 0.0.0.0
        MappingCheck c = upnp.check(m);
        assertThat(c.externalAddress().getHostAddress()).isEqualTo("0.0.0.0");
        assertThat(c.usableExternalAddress()).isEmpty();
    }

    @Test
    void onlyAddressesTheOutsideCanUseCountAsExternal() throws Exception {
        assertThat(MappingCheck.isUsableExternal(null)).isFalse();
        for (String bogus : new String[] {"0.0.0.0", "::", "127.0.0.1", "::1", "169.254.1.1", "224.0.0.1"}) {
            assertThat(MappingCheck.isUsableExternal(java.net.InetAddress.getByName(bogus))).as(bogus).isFalse();
        }
        for (String ok : new String[] {"203.0.113.1", "10.0.0.1", "100.64.0.1", "2001:db8::1"}) {
            assertThat(MappingCheck.isUsableExternal(java.net.InetAddress.getByName(ok))).as(ok).isTrue();
        }
    }

    @Test
    void repairDeletesAndAddsTheSameExternalPort() throws Exception {
        PortMapper upnp = new FakeGateway.FakeMapper(gw, MappingProtocol.UPNP);
        PortMapping m = upnp.map(MappingRequest.of(Transport.TCP, 25565).withExternalPort(30000));
        gw.log.clear();
        PortMapping again = upnp.repair(m);
        assertThat(again.externalPort()).isEqualTo(30000);
        assertThat(gw.log).containsExactly("UPNP unmap TCP 30000", "UPNP map() call", "UPNP map TCP 30000");
    }
}
