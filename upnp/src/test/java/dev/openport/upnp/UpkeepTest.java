package dev.openport.upnp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.openport.core.MappingCheck;
import dev.openport.core.MappingCheck.State;
import dev.openport.core.MappingRequest;
import dev.openport.core.PortMapping;
import dev.openport.core.PortMappingException;
import dev.openport.core.PortMappingException.Reason;
import dev.openport.core.Transport;
import dev.openport.core.spi.ProbeContext;
import java.net.InetAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Looking after our entries against the fake IGD on loopback: check (verification), repair (delete + add),
 * unmap after a LAN address change, renumbering, permanent leases and any-port requests.
 */
class UpkeepTest extends LoopbackIgdTest {
    private static InetAddress ip(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    // ---- check ----

    @Test
    void checkOfAHeldEntryIsTwoSmallRequestsAndReportsClientAddressAndLease() throws Exception {
        probe();
        PortMapping m = mapper.map(MappingRequest.of(Transport.TCP, 6100));
        igd.requests.clear();
        MappingCheck c = mapper.check(m);
        assertThat(c.state()).isEqualTo(State.HELD);
        assertThat(c.externalAddress()).isEqualTo(ip("203.0.113.1"));
        assertThat(c.internalClient()).isEqualTo(LO);
        assertThat(c.leaseRemaining()).isEqualTo(Duration.ofHours(2));
        assertThat(igd.actions()).containsExactly("GetSpecificPortMappingEntry", "GetExternalIPAddress");
        assertThat(igd.table).hasSize(1);
    }

    @Test
    void checkOfADroppedEntryIsMissingAndCreatesNothing() throws Exception {
        probe();
        PortMapping m = mapper.map(MappingRequest.of(Transport.UDP, 6101));
        igd.table.clear(); // a silent drop (broken lease clock, Asus purge)
        assertThat(mapper.check(m).state()).isEqualTo(State.MISSING);
        assertThat(igd.table).isEmpty();
        assertThat(igd.requests("AddPortMapping")).hasSize(1);
    }

    @Test
    void checkOfAnEntryForAnotherClientIsForeignWithThatClient() throws Exception {
        probe();
        PortMapping m = mapper.map(MappingRequest.of(Transport.TCP, 6102));
        igd.preload(6102, "TCP", 6102, "192.168.1.77", 0);
        MappingCheck c = mapper.check(m);
        assertThat(c.state()).isEqualTo(State.FOREIGN);
        assertThat(c.internalClient()).isEqualTo(ip("192.168.1.77"));
        assertThat(c.leaseRemaining()).isEqualTo(Duration.ZERO);
    }

    @Test
    void checkOfADisabledEntryIsMissingSoItIsRepaired() throws Exception {
        probe();
        PortMapping m = mapper.map(MappingRequest.of(Transport.TCP, 6103));
        FakeIgd.Entry e = igd.table.get("6103/TCP");
        igd.table.put("6103/TCP", new FakeIgd.Entry(e.externalPort(), e.protocol(), e.internalPort(), e.client(),
                e.description(), e.lease(), false));
        assertThat(mapper.check(m).state()).isEqualTo(State.MISSING);
    }

    @Test
    void checkReportsTheUnspecifiedAddressOfARouterWhoseWanIsDownAsItIs() throws Exception {
        probe();
        PortMapping m = mapper.map(MappingRequest.of(Transport.UDP, 6104));
        igd.externalAddress = "0.0.0.0";
        MappingCheck c = mapper.check(m);
        assertThat(c.externalAddress()).isEqualTo(ip("0.0.0.0"));
        assertThat(c.usableExternalAddress()).isEmpty();
    }

    @Test
    void checkRefusedByTheGatewayIsUnknownNotAnError() throws Exception {
        probe();
        PortMapping m = mapper.map(MappingRequest.of(Transport.TCP, 6105));
        igd.alwaysFault.put("GetSpecificPortMappingEntry", UpnpErrors.ACTION_FAILED);
        MappingCheck c = mapper.check(m);
        assertThat(c.state()).isEqualTo(State.UNKNOWN);
        assertThat(c.externalAddress()).isEqualTo(ip("203.0.113.1"));
    }

    @Test
    void checkOfAPinholeAsksTheFirewallServiceNotThePortMappingTable() throws Exception {
        igd.ipv6Firewall = true;
        probe();
        PortMapping p = mapper.map(MappingRequest.of(Transport.UDP, 6106).withInternalAddress(ip("2001:db8:1::2")));
        igd.requests.clear();
        assertThat(mapper.check(p).state()).isEqualTo(State.HELD);
        igd.pinholes.clear();
        assertThat(mapper.check(p).state()).isEqualTo(State.MISSING);
        assertThat(igd.actions()).containsOnly("GetPinholePackets");
    }

    // ---- repair and renewal ----

    @Test
    void repairOfOurListedEntryDeletesThenAddsOnTheSamePort() throws Exception {
        probe();
        PortMapping m = mapper.map(MappingRequest.of(Transport.UDP, 6110));
        igd.ignoreReAdd = true; // a plain re-add would be a no-op (tailscale #21208)
        igd.requests.clear();
        PortMapping r = mapper.repair(m);
        assertThat(r.externalPort()).isEqualTo(6110);
        assertThat(igd.actions()).startsWith("GetSpecificPortMappingEntry", "DeletePortMapping", "AddPortMapping");
        assertThat(igd.table).containsOnlyKeys("6110/UDP");
    }

    @Test
    void repairNeverDeletesAnotherClientsEntryAndMovesAFlexibleMapping() throws Exception {
        probe();
        PortMapping m = mapper.map(MappingRequest.of(Transport.TCP, 6111));
        igd.table.clear();
        igd.preload(6111, "TCP", 6111, "192.168.1.77", 3600);
        PortMapping r = mapper.repair(m);
        assertThat(igd.requests("DeletePortMapping")).isEmpty();
        assertThat(igd.table.get("6111/TCP").client()).isEqualTo("192.168.1.77");
        assertThat(r.externalPort()).isNotEqualTo(6111);
        assertThat(igd.table.get(r.externalPort() + "/TCP").client()).isEqualTo("127.0.0.1");
    }

    @Test
    void renumberingFlushedTableIsReAddedAndTheNewExternalAddressReported() throws Exception {
        probe();
        PortMapping m = mapper.map(MappingRequest.of(Transport.UDP, 6112));
        assertThat(m.externalAddress()).isEqualTo(ip("203.0.113.1"));
        // PPPoE reconnect: the WAN answered 0.0.0.0 for a while, the table was flushed, a new address came back
        igd.externalAddress = "0.0.0.0";
        igd.table.clear();
        MappingCheck down = mapper.check(m);
        assertThat(down.state()).isEqualTo(State.MISSING);
        assertThat(down.externalAddress()).isEqualTo(ip("0.0.0.0"));
        igd.externalAddress = "198.51.100.7";
        PortMapping r = mapper.renew(m);
        assertThat(igd.table).containsKey("6112/UDP");
        assertThat(r.externalAddress()).isEqualTo(ip("198.51.100.7"));
        assertThat(mapper.map(MappingRequest.of(Transport.TCP, 6113)).externalAddress())
                .isEqualTo(ip("198.51.100.7"));
    }

    @Test
    void renewalSucceedsWhenOnlyTheExternalAddressCannotBeRead() throws Exception {
        probe();
        PortMapping m = mapper.map(MappingRequest.of(Transport.TCP, 6116));
        igd.alwaysFault.put("GetExternalIPAddress", UpnpErrors.ACTION_FAILED);
        PortMapping r = mapper.renew(m);
        assertThat(r.externalAddress()).isEqualTo(ip("203.0.113.1"));
    }

    @Test
    void mapWhileTheWanIsDownReadsTheAddressAgainOnceItIsBack() throws Exception {
        igd.externalAddress = "0.0.0.0";
        probe();
        PortMapping m = mapper.map(MappingRequest.of(Transport.TCP, 6114));
        assertThat(m.externalAddress()).isEqualTo(ip("0.0.0.0"));
        igd.externalAddress = "198.51.100.8";
        assertThat(mapper.map(MappingRequest.of(Transport.TCP, 6115)).externalAddress())
                .isEqualTo(ip("198.51.100.8"));
    }

    // ---- LAN address change ----

    @Test
    void unmapAfterOurAddressChangedDeletesTheEntryOfTheOldClient() throws Exception {
        probe();
        // mapped while this host was 10.1.2.3 (DHCP gave it another address since)
        PortMapping old = mapper.map(MappingRequest.of(Transport.TCP, 6120).withInternalAddress(ip("10.1.2.3")));
        assertThat(igd.table.get("6120/TCP").client()).isEqualTo("10.1.2.3");
        mapper.unmap(old);
        assertThat(igd.table).isEmpty();
    }

    @Test
    void unmapLeavesAnEntryAnotherClientHoldsNowAlone() throws Exception {
        probe();
        PortMapping m = mapper.map(MappingRequest.of(Transport.UDP, 6121));
        igd.table.clear();
        igd.preload(6121, "UDP", 6121, "192.168.1.77", 0);
        mapper.unmap(m);
        assertThat(igd.table).containsKey("6121/UDP");
        assertThat(igd.requests("DeletePortMapping")).isEmpty();
    }

    @Test
    void unmapOfTheOldClientsEntryOnASecureModeRouterIsNotAuthorized() throws Exception {
        igd.secureMode = true; // miniupnpd: only the entry's own client may delete it
        probe();
        PortMapping old = mapper.map(MappingRequest.of(Transport.TCP, 6122).withInternalAddress(ip("10.1.2.3")));
        assertThatThrownBy(() -> mapper.unmap(old)).isInstanceOfSatisfying(PortMappingException.class, e -> {
            assertThat(e.reason()).isEqualTo(Reason.NOT_AUTHORIZED);
            assertThat(e.protocolCode()).hasValue(606);
        });
    }

    // ---- permanent leases ----

    @Test
    void permanentLifetimeIsLeaseZeroOnTheWire() {
        LeasePolicy p = new LeasePolicy(new ProbeContext(LO, LO, Duration.ofSeconds(1), 0, null, false));
        assertThat(p.seconds(Duration.ZERO)).isZero();
        assertThat(p.seconds(Duration.ofDays(30))).isEqualTo(LeasePolicy.MAX_LEASE);
        assertThat(p.renewalSeconds(Duration.ofHours(2), true)).isZero();
    }

    @Test
    void permanentRequestSendsLeaseZeroAndIsReportedPermanent() throws Exception {
        probe();
        PortMapping m = mapper.map(MappingRequest.of(Transport.UDP, 6131).withLifetime(Duration.ZERO));
        assertThat(m.isPermanent()).isTrue();
        assertThat(m.expiresAt()).isEqualTo(java.time.Instant.MAX);
        assertThat(igd.requests("AddPortMapping")).extracting(r -> r.args().get("NewLeaseDuration"))
                .containsExactly("0");
        PortMapping r = mapper.renew(m);
        assertThat(r.isPermanent()).isTrue();
        assertThat(igd.requests("AddPortMapping")).extracting(q -> q.args().get("NewLeaseDuration"))
                .containsOnly("0");
        assertThat(mapper.list()).singleElement().satisfies(l -> assertThat(l.isPermanent()).isTrue());
        assertThat(mapper.permanentOnly()).as("asked, not learned from the router").isFalse();
    }

    @Test
    void permanentRequestOnAPortAnotherClientHoldsIsAConflictNotASecondEntryElsewhere() throws Exception {
        igd.preload(6132, "TCP", 6132, "192.168.1.77", 0);
        probe();
        assertThatThrownBy(() -> mapper.map(MappingRequest.of(Transport.TCP, 6132).withLifetime(Duration.ZERO)))
                .isInstanceOfSatisfying(PortMappingException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.CONFLICT));
        assertThat(igd.table).hasSize(1);
    }

    @Test
    void switchingOurFiniteEntryToPermanentOnAGatewayRefusingReAddsReplacesIt() throws Exception {
        probe();
        PortMapping finite = mapper.map(MappingRequest.of(Transport.TCP, 6133));
        igd.conflictOnReAdd = true;
        PortMapping permanent = mapper.map(finite.request().withExternalPort(6133).withLifetime(Duration.ZERO));
        assertThat(permanent.externalPort()).isEqualTo(6133);
        assertThat(permanent.isPermanent()).isTrue();
        assertThat(igd.table).containsOnlyKeys("6133/TCP");
        assertThat(igd.table.get("6133/TCP").lease()).isZero();
    }

    @Test
    void permanentMappingRenewsInPlaceAndNeverOnAnotherPort() throws Exception {
        igd.only725Permanent = true;
        probe();
        PortMapping m = mapper.map(MappingRequest.of(Transport.TCP, 6130));
        assertThat(m.isPermanent()).isTrue();
        igd.table.clear();
        igd.preload(6130, "TCP", 6130, "192.168.1.77", 0); // someone took the port while it was gone
        assertThatThrownBy(() -> mapper.renew(m)).isInstanceOfSatisfying(PortMappingException.class,
                e -> assertThat(e.reason()).isEqualTo(Reason.CONFLICT));
        assertThat(igd.table).hasSize(1);
    }

    // ---- any port (P -> P) ----

    @Test
    void anyPortOnIgd2TakesTheGatewaysPortAndForwardsItToTheSamePort() throws Exception {
        igd.igd2 = true;
        igd.preload(50000, "UDP", 50000, "192.168.1.77", 0);
        probe();
        PortMapping m = mapper.map(MappingRequest.anyPort(Transport.UDP).withExternalPort(50000));
        assertThat(m.externalPort()).isEqualTo(50001);
        assertThat(m.internalPort()).isEqualTo(50001);
        FakeIgd.Entry e = igd.table.get("50001/UDP");
        assertThat(e.internalPort()).isEqualTo(50001);
        assertThat(igd.requests).noneMatch(r -> "0".equals(r.args().get("NewInternalPort")));
        PortMapping r = mapper.renew(m);
        assertThat(r.externalPort()).isEqualTo(50001);
        assertThat(igd.requests("AddPortMapping")).last()
                .satisfies(q -> assertThat(q.args()).containsEntry("NewInternalPort", "50001"));
    }

    @Test
    void anyPortOnIgd1PicksARandomHighPortAndMovesOn718() throws Exception {
        probe();
        PortMapping m = mapper.map(MappingRequest.anyPort(Transport.TCP));
        assertThat(m.externalPort()).isBetween(49152, 65535);
        assertThat(igd.table.get(m.externalPort() + "/TCP").internalPort()).isEqualTo(m.externalPort());
        igd.preload(55555, "TCP", 55555, "192.168.1.77", 0);
        PortMapping moved = mapper.map(MappingRequest.anyPort(Transport.TCP).withExternalPort(55555));
        assertThat(moved.externalPort()).isNotEqualTo(55555);
        assertThat(igd.table.get(moved.externalPort() + "/TCP").internalPort()).isEqualTo(moved.externalPort());
    }
}
