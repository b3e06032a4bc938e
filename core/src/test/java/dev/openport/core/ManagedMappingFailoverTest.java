package dev.openport.core;

import static dev.openport.core.MappingProtocol.NAT_PMP;
import static dev.openport.core.MappingProtocol.PCP;
import static dev.openport.core.MappingProtocol.UPNP;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Failing over between protocols, the mappings a failover leaves behind, re-probes and outages. */
class ManagedMappingFailoverTest extends ManagedMappingFixture {
    @Test
    void failoverFromNatPmpThatStopsAnsweringToUpnp() throws Exception {
        gw.answer(PCP, false);
        gw.maxLifetime = Duration.ofSeconds(600);
        try (ManagedMapping m = map(options().build(), Transport.TCP, Transport.UDP)) {
            assertThat(m.protocol()).isEqualTo(NAT_PMP);
            PortMapper natpmp = currentMapper(m);
            gw.answer(NAT_PMP, false);
            sched.advance(Duration.ofSeconds(300)); // renewal: no answer
            sched.advance(Duration.ofMillis(250)); // retry: no answer -> re-probe -> UPnP
            sched.runDue();
            assertThat(m.protocol()).isEqualTo(UPNP);
            assertThat(m.mapping(Transport.UDP).protocol()).as("the sibling moved too").isEqualTo(UPNP);
            assertThat(m.state()).isEqualTo(LeaseState.ACTIVE);
            assertThat(((FakeGateway.FakeMapper) natpmp).closed).as("kept open to delete what it made").isFalse();
            assertThat(changes).filteredOn(c -> c.kind() == MappingChange.Kind.CHANGED)
                    .extracting(c -> c.transport() + " " + c.previous().protocol() + "->" + c.current().protocol())
                    .containsExactlyInAnyOrder("TCP NAT_PMP->UPNP", "UDP NAT_PMP->UPNP");
            assertThat(gw.table()).extracting(PortMapping::protocol).containsOnly(UPNP).hasSize(2);
        }
        assertThat(gw.table()).isEmpty();
    }

    /** Fails a TCP+UDP mapping over from NAT-PMP (600 s leases) to UPnP at 300.25 s; returns the NAT-PMP mapper. */
    private FakeGateway.FakeMapper failOverFromNatPmpToUpnp(ManagedMapping m) {
        FakeGateway.FakeMapper natpmp = (FakeGateway.FakeMapper) currentMapper(m);
        assertThat(natpmp.protocol).isEqualTo(NAT_PMP);
        gw.answer(NAT_PMP, false);
        sched.advance(Duration.ofSeconds(300)); // renewal: no answer
        sched.advance(Duration.ofMillis(250)); // retry: no answer -> re-probe -> UPnP
        sched.runDue();
        assertThat(m.mappings()).extracting(PortMapping::protocol).containsOnly(UPNP);
        assertThat(m.leases()).allSatisfy(l -> assertThat(l.abandonedCount()).isEqualTo(1));
        assertThat(natpmp.closed).isFalse();
        return natpmp;
    }

    @Test
    void theMappingsAFailoverLeftOnNatPmpAreDeletedOnceNatPmpAnswersAgain() throws Exception {
        gw.answer(PCP, false);
        gw.maxLifetime = Duration.ofSeconds(600);
        try (ManagedMapping m = map(options().build(), Transport.TCP, Transport.UDP)) {
            FakeGateway.FakeMapper natpmp = failOverFromNatPmpToUpnp(m);
            assertThat(gw.deleteAttempts).as("not right after the failover: NAT-PMP just went silent").hasValue(0);
            gw.answer(NAT_PMP, true);
            int from = gw.log.size();
            sched.advance(Duration.ofSeconds(300)); // the UPnP renewals, 300 s after the failover
            List<String> log = gw.log.subList(from, gw.log.size());
            assertThat(log).contains("NAT_PMP unmap TCP 25565", "NAT_PMP unmap UDP 25565");
            // the fake keeps one table for all protocols (as miniupnpd does): the delete took our UPnP rule
            // too, and the renewal right after it put it back
            assertThat(log.indexOf("NAT_PMP unmap TCP 25565")).isLessThan(log.lastIndexOf("UPNP renew() call, state fake"));
            assertThat(gw.table()).extracting(PortMapping::protocol).containsOnly(UPNP).hasSize(2);
            assertThat(m.leases()).allSatisfy(l -> assertThat(l.abandonedCount()).isZero());
            assertThat(natpmp.closed).as("closed once nothing it made is left").isTrue();
            assertThat(m.state()).isEqualTo(LeaseState.ACTIVE);
        }
        assertThat(gw.table()).isEmpty();
        assertThat(sched.users()).isZero();
    }

    @Test
    void aMappingLeftOnASilentProtocolIsTriedOnceEach30sAtMostAndForgottenWhenItsLeaseRanOut() throws Exception {
        gw.answer(PCP, false);
        gw.maxLifetime = Duration.ofSeconds(600);
        try (ManagedMapping m = map(options().build(), Transport.TCP, Transport.UDP)) {
            FakeGateway.FakeMapper natpmp = failOverFromNatPmpToUpnp(m);
            sched.advance(Duration.ofSeconds(300)); // both renewals at 600.25 s: NAT-PMP still silent
            assertThat(gw.deleteAttempts).as("the second lease does not wait out another timeout").hasValue(1);
            assertThat(m.leases()).allSatisfy(l -> assertThat(l.abandonedCount()).isEqualTo(1));
            sched.advance(Duration.ofSeconds(300)); // 900.25 s: the NAT-PMP leases (renewed by 300 s) ran out
            assertThat(gw.deleteAttempts).hasValue(1);
            assertThat(m.leases()).allSatisfy(l -> assertThat(l.abandonedCount()).isZero());
            assertThat(natpmp.closed).isTrue();
            assertThat(m.state()).isEqualTo(LeaseState.ACTIVE);
        }
        assertThat(gw.table()).isEmpty();
    }

    /** A UPnP-only router with permanent leases (error 725) fails over to PCP; returns the UPnP mapper. */
    private FakeGateway.FakeMapper failOverFromPermanentUpnpToPcp(ManagedMapping m) {
        FakeGateway.FakeMapper upnp = (FakeGateway.FakeMapper) currentMapper(m);
        assertThat(m.mapping().isPermanent()).isTrue();
        assertThat(upnp.protocol).isEqualTo(UPNP);
        gw.answer(UPNP, false);
        gw.answer(PCP, true);
        sched.advance(Duration.ofMinutes(5)); // check: no answer
        sched.advance(Duration.ofMillis(250)); // retry: no answer -> re-probe -> PCP
        sched.runDue();
        assertThat(m.protocol()).isEqualTo(PCP);
        assertThat(m.leases()[0].abandonedCount()).isEqualTo(1);
        // the old UPnP gateway stays silent: tried at every check, never forgotten (it would never run out)
        for (int i = 1; i <= 3; i++) {
            sched.advance(Duration.ofMinutes(5));
            assertThat(gw.deleteAttempts).hasValue(i);
            assertThat(m.leases()[0].abandonedCount()).isEqualTo(1);
        }
        assertThat(upnp.closed).isFalse();
        sched.advance(Duration.ofSeconds(2));
        return upnp;
    }

    @Test
    void aPermanentUpnpMappingLeftByAFailoverIsRetriedAndDeletedOnCloseOnceUpnpAnswers() throws Exception {
        gw.permanentOnly = true;
        gw.answer(PCP, false);
        gw.answer(NAT_PMP, false);
        ManagedMapping m = map(options().checkInterval(Duration.ofMinutes(5)).build(), Transport.TCP);
        FakeGateway.FakeMapper upnp = failOverFromPermanentUpnpToPcp(m);
        gw.answer(UPNP, true);
        int from = gw.log.size();
        m.close();
        assertThat(gw.log.subList(from, gw.log.size())).containsExactly("PCP unmap TCP 25565",
                "UPNP unmap TCP 25565");
        assertThat(upnp.closed).isTrue();
        assertThat(sched.users()).isZero();
        assertThat(mgr.sessionCount()).isZero();
        assertThat(Threads.named("openport-lease")).as("the fake scheduler's caller did it all").isEmpty();
    }

    @Test
    void closeGivesUpOnAPermanentUpnpMappingLeftByAFailoverWhenUpnpStaysSilent() throws Exception {
        gw.permanentOnly = true;
        gw.answer(PCP, false);
        gw.answer(NAT_PMP, false);
        ManagedMapping m = map(options().checkInterval(Duration.ofMinutes(5)).build(), Transport.TCP);
        FakeGateway.FakeMapper upnp = failOverFromPermanentUpnpToPcp(m);
        m.close(); // one more try (the fake answers "timeout" at once), a warning, and nothing kept
        assertThat(gw.deleteAttempts).hasValue(5);
        assertThat(m.leases()[0].abandonedCount()).isZero();
        assertThat(upnp.closed).isTrue();
        assertThat(sched.users()).isZero();
        assertThat(mgr.liveCount()).isZero();
        assertThat(Threads.named("openport-lease")).isEmpty();
    }

    @Test
    void aReprobeThatFindsTheSameProtocolRenewsWithTheKeptStateOnTheFreshMapper() throws Exception {
        gw.maxLifetime = Duration.ofSeconds(600);
        try (ManagedMapping m = map(options().build(), Transport.TCP)) {
            FakeGateway.FakeMapper first = (FakeGateway.FakeMapper) currentMapper(m);
            first.broken = true; // e.g. UPnP's cached control URL refused after the router moved its HTTP port
            sched.advance(Duration.ofSeconds(300)); // renewal: no answer
            gw.log.clear();
            sched.advance(Duration.ofMillis(250)); // retry: no answer -> re-probe finds PCP again
            assertThat(m.state()).isEqualTo(LeaseState.ACTIVE);
            assertThat(m.protocol()).isEqualTo(PCP);
            assertThat(currentMapper(m)).isNotSameAs(first);
            assertThat(first.closed).isTrue();
            // renew() with the mapping's protocol state (the PCP nonce), not a map() with a new one
            assertThat(gw.log).contains("PCP renew() call, state fake").doesNotContain("PCP map() call");
            assertThat(kinds()).containsExactly(MappingChange.Kind.LOST, MappingChange.Kind.RESTORED);
        }
    }

    @Test
    void duringAnOutageOnlyOneMappingAtATimeTalksToTheGatewayAndAllComeBackTogether() throws Exception {
        gw.maxLifetime = Duration.ofSeconds(600);
        List<ManagedMapping> all = new java.util.ArrayList<>();
        for (int i = 0; i < 50; i++) {
            all.add(mgr.map(20000 + i, options().build(), List.of(Transport.UDP)));
        }
        int base = gw.attempts.get();
        for (MappingProtocol p : MappingProtocol.values()) {
            gw.answer(p, false);
        }
        sched.advance(Duration.ofSeconds(300)); // every renewal falls due: one attempt times out, 49 fail fast
        sched.advance(Duration.ofSeconds(20));
        int during = gw.attempts.get() - base;
        // one real attempt (each of which could block the lease thread for the protocol timeout) per ~second,
        // not 50 per round of retries
        assertThat(during).isBetween(2, 60);
        assertThat(all).allMatch(m -> m.state() == LeaseState.RETRYING);
        for (MappingProtocol p : MappingProtocol.values()) {
            gw.answer(p, true);
        }
        sched.advance(Duration.ofMillis(1100)); // the next real attempt succeeds and wakes the others
        assertThat(all).allMatch(m -> m.state() == LeaseState.ACTIVE);
        assertThat(gw.table()).hasSize(50);
        all.forEach(ManagedMapping::close);
        assertThat(gw.table()).isEmpty();
    }
}
