package dev.openport.core;

import static dev.openport.core.MappingProtocol.PCP;
import static dev.openport.core.MappingProtocol.UPNP;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.openport.core.spi.GatewayEvent;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The lease manager against an in-memory gateway, with a clock the test moves. */
class ManagedMappingTest extends ManagedMappingFixture {
    @Test
    void mapsOnTheBestProtocolAndRenewsAtHalfTheGrantedLifetime() throws Exception {
        gw.maxLifetime = Duration.ofSeconds(600);
        try (ManagedMapping m = map(options().build(), Transport.TCP)) {
            assertThat(m.protocol()).isEqualTo(PCP);
            assertThat(m.external()).hasToString("203.0.113.1:25565");
            assertThat(m.state()).isEqualTo(LeaseState.ACTIVE);
            assertThat(gw.attempts).hasValue(1);
            sched.advance(Duration.ofSeconds(299));
            assertThat(gw.attempts).hasValue(1);
            sched.advance(Duration.ofSeconds(1));
            assertThat(gw.attempts).as("renewed at 300 s of a 600 s lease").hasValue(2);
            sched.advance(Duration.ofSeconds(300));
            assertThat(gw.attempts).hasValue(3);
            assertThat(m.state()).isEqualTo(LeaseState.ACTIVE);
        }
        assertThat(changes).isEmpty();
    }

    @Test
    void renewalJitterOnlyBringsItForward() throws Exception {
        gw.maxLifetime = Duration.ofSeconds(600);
        random[0] = 0.999;
        try (ManagedMapping m = map(options().build(), Transport.TCP)) {
            sched.advance(Duration.ofSeconds(269));
            assertThat(gw.attempts).hasValue(1);
            sched.advance(Duration.ofSeconds(31));
            assertThat(gw.attempts).hasValue(2);
        }
    }

    @Test
    void theCheckIntervalShortensLongLeases() throws Exception {
        try (ManagedMapping m = map(options().checkInterval(Duration.ofSeconds(60)).build(), Transport.TCP)) {
            sched.advance(Duration.ofSeconds(60));
            assertThat(gw.attempts).hasValue(2);
        }
    }

    @Test
    void failedRenewalsBackOff250ms500ms1sThenFailOverAndCapAt60sAfter30s() throws Exception {
        gw.maxLifetime = Duration.ofSeconds(600);
        try (ManagedMapping m = map(options().build(), Transport.TCP)) {
            for (MappingProtocol p : MappingProtocol.values()) {
                gw.answer(p, false); // the router is gone
            }
            sched.advance(Duration.ofSeconds(300));
            assertThat(gw.attempts).hasValue(2);
            assertThat(m.state()).isEqualTo(LeaseState.RETRYING);
            assertThat(kinds()).containsExactly(MappingChange.Kind.LOST);
            assertThat(sched.nextDueIn()).isEqualTo(Duration.ofMillis(250).toNanos());
            sched.advance(Duration.ofMillis(250));
            // second silent failure: re-probe everything (nothing answers), then retry after 1 s
            assertThat(gw.attempts).hasValue(3);
            assertThat(m.state()).isEqualTo(LeaseState.RETRYING);
            assertThat(sched.nextDueIn()).isEqualTo(Duration.ofSeconds(1).toNanos());
            sched.advance(Duration.ofSeconds(40));
            assertThat(m.state()).isEqualTo(LeaseState.RETRYING);
            // past 30 s of outage the cap is 60 s
            assertThat(sched.nextDueIn()).isGreaterThan(Duration.ofSeconds(1).toNanos())
                    .isLessThanOrEqualTo(Duration.ofSeconds(60).toNanos());
            int before = gw.attempts.get();
            for (MappingProtocol p : MappingProtocol.values()) {
                gw.answer(p, true); // back
            }
            sched.advance(Duration.ofSeconds(60));
            assertThat(gw.attempts.get()).isGreaterThan(before);
            assertThat(m.state()).isEqualTo(LeaseState.ACTIVE);
            assertThat(gw.table()).hasSize(1);
            assertThat(kinds()).containsExactly(MappingChange.Kind.LOST, MappingChange.Kind.RESTORED);
            // back to renewing at half-lease (minus the part of the 60 s that passed after the retry)
            assertThat(sched.nextDueIn()).isBetween(Duration.ofSeconds(240).toNanos(),
                    Duration.ofSeconds(300).toNanos());
        }
    }

    @Test
    void aRefusalIsRetriedWithBackoffWithoutFailingOverAtOnce() throws Exception {
        gw.maxLifetime = Duration.ofSeconds(600);
        try (ManagedMapping m = map(options().build(), Transport.TCP)) {
            PortMapper before = mgr.scheduler() == sched ? currentMapper(m) : null;
            gw.refuse = PortMappingException.Reason.NO_RESOURCES;
            sched.advance(Duration.ofSeconds(300));
            sched.advance(Duration.ofMillis(250));
            sched.advance(Duration.ofMillis(500));
            assertThat(gw.attempts).hasValue(4);
            assertThat(m.state()).isEqualTo(LeaseState.RETRYING);
            assertThat(currentMapper(m)).as("no re-probe after 3 refusals").isSameAs(before);
            gw.refuse = null;
            sched.advance(Duration.ofSeconds(1));
            assertThat(m.state()).isEqualTo(LeaseState.ACTIVE);
        }
    }

    @Test
    void rebootWithEpochResetIsRestoredAtOnce() throws Exception {
        try (ManagedMapping m = map(options().build(), Transport.TCP)) {
            gw.reboot(GatewayEvent.Kind.STATE_LOST);
            assertThat(gw.table()).isEmpty();
            assertThat(kinds()).as("listeners run on the lease thread, not the protocol's").isEmpty();
            sched.runDue(); // no time passes
            assertThat(gw.table()).extracting(PortMapping::externalPort).containsExactly(25565);
            assertThat(m.state()).isEqualTo(LeaseState.ACTIVE);
            assertThat(kinds()).containsExactly(MappingChange.Kind.LOST, MappingChange.Kind.RESTORED);
            assertThat(changes.get(1).externalChanged()).isFalse();
        }
    }

    @Test
    void announceRecheckRecreatesTheMapping() throws Exception {
        try (ManagedMapping m = map(options().build(), Transport.TCP)) {
            gw.reboot(GatewayEvent.Kind.RECHECK);
            sched.runDue();
            assertThat(gw.table()).hasSize(1);
            assertThat(kinds()).isEmpty(); // same endpoint, nothing to tell
        }
    }

    @Test
    void aSilentRebootIsRepairedAtTheNextCheck() throws Exception {
        // UPnP: nothing tells us the entry vanished; the renewal at the check interval re-adds it
        try (ManagedMapping m = map(options().protocols(UPNP).checkInterval(Duration.ofSeconds(30)).build(),
                Transport.TCP)) {
            assertThat(m.protocol()).isEqualTo(UPNP);
            gw.reboot(null);
            sched.advance(Duration.ofSeconds(30));
            assertThat(gw.table()).hasSize(1);
        }
        assertThat(gw.table()).isEmpty();
    }

    @Test
    void externalAddressChangeIsReported() throws Exception {
        try (ManagedMapping m = map(options().build(), Transport.TCP)) {
            gw.external = InetAddress.getByName("198.51.100.7");
            for (FakeGateway.FakeMapper fm : gw.mappers) {
                fm.fire(new GatewayEvent(GatewayEvent.Kind.EXTERNAL_ADDRESS_CHANGED, fm.protocol, gw.address, ""));
            }
            sched.runDue();
            assertThat(m.external()).hasToString("198.51.100.7:25565");
            assertThat(changes).singleElement().satisfies(c -> {
                assertThat(c.kind()).isEqualTo(MappingChange.Kind.CHANGED);
                assertThat(c.externalChanged()).isTrue();
                assertThat(c.previous().externalAddress().getHostAddress()).isEqualTo("203.0.113.1");
            });
        }
    }

    @Test
    void externalPortChangeAfterRebootIsReported() throws Exception {
        try (ManagedMapping m = map(options().build(), Transport.TCP)) {
            gw.reboot(null);
            // someone else grabbed 25565 while the router was down
            gw.grant(new FakeGateway.FakeMapper(gw, PCP), MappingRequest.of(Transport.TCP, 9999)
                    .withExternalPort(25565), 25565);
            gw.reboot(GatewayEvent.Kind.RECHECK);
            gw.grant(new FakeGateway.FakeMapper(gw, PCP), MappingRequest.of(Transport.TCP, 9999)
                    .withExternalPort(25565), 25565);
            sched.runDue();
            assertThat(m.external().port()).isEqualTo(25566);
            assertThat(kinds()).containsExactly(MappingChange.Kind.CHANGED);
        }
    }

    @Test
    void closeDeletesTheMappingAndReleasesEverything() throws Exception {
        ManagedMapping m = map(options().build(), Transport.TCP);
        PortMapper mapper = currentMapper(m);
        assertThat(gw.table()).hasSize(1);
        assertThat(sched.users()).isEqualTo(1);
        m.close();
        assertThat(gw.table()).isEmpty();
        assertThat(m.isClosed()).isTrue();
        assertThat(m.state()).isEqualTo(LeaseState.CLOSED);
        assertThat(sched.users()).isZero();
        assertThat(mgr.liveCount()).isZero();
        assertThat(mgr.sessionCount()).isZero();
        assertThat(((FakeGateway.FakeMapper) mapper).closed).isTrue();
        assertThat(sched.pending()).isZero();
        m.close(); // idempotent
        sched.advance(Duration.ofDays(1));
        assertThat(gw.attempts).hasValue(1);
    }

    @Test
    void tcpAndUdpInOneCall() throws Exception {
        try (ManagedMapping m = map(options().build(), Transport.TCP, Transport.UDP, Transport.TCP)) {
            assertThat(m.mappings()).extracting(PortMapping::transport).containsExactly(Transport.TCP, Transport.UDP);
            assertThat(m.external(Transport.UDP).port()).isEqualTo(25565);
            assertThat(gw.table()).hasSize(2);
        }
        assertThat(gw.table()).isEmpty();
    }

    @Test
    void allOrNothingWhenOneTransportIsRefused() {
        gw.refuse = PortMappingException.Reason.NOT_AUTHORIZED;
        gw.refuseOnly = Transport.UDP;
        assertThatThrownBy(() -> map(options().build(), Transport.TCP, Transport.UDP))
                .isInstanceOf(PortMappingException.class)
                .extracting(e -> ((PortMappingException) e).reason())
                .isEqualTo(PortMappingException.Reason.NOT_AUTHORIZED);
        assertThat(gw.table()).as("the TCP half was deleted again").isEmpty();
        assertThat(sched.users()).isZero();
        assertThat(mgr.sessionCount()).isZero();
    }

    @Test
    void noGatewayIsGatewayNotFoundAndLeavesNothing() {
        for (MappingProtocol p : MappingProtocol.values()) {
            gw.answer(p, false);
        }
        assertThatThrownBy(() -> map(options().build(), Transport.TCP))
                .hasMessageContaining("no gateway answered on 127.0.0.1 (tried PCP, NAT-PMP, UPnP)");
        assertThat(sched.users()).isZero();
        assertThat(mgr.liveCount()).isZero();
    }

    @Test
    void permanentLeasesAreCheckedAndDeletedOnClose() throws Exception {
        gw.permanentOnly = true;
        try (ManagedMapping m = map(options().protocols(UPNP).checkInterval(Duration.ofMinutes(5)).build(),
                Transport.TCP)) {
            assertThat(m.mapping().isPermanent()).isTrue();
            assertThat(sched.nextDueIn()).isEqualTo(Duration.ofMinutes(5).toNanos());
        }
        assertThat(gw.table()).isEmpty();
    }

    @Test
    void mappingsWithTheSameOptionsShareOneProbeAndOneMapper() throws Exception {
        try (ManagedMapping a = map(options().build(), Transport.TCP)) {
            // one probe of three protocols (the losers may still be finishing)
            assertThat(Threads.await(Duration.ofSeconds(5), () -> Threads.named("openport-probe").isEmpty()))
                    .isTrue();
            int probed = gw.mappers.size();
            assertThat(probed).isBetween(1, 3);
            ManagedMapping b = mgr.map(27015, options().build(), List.of(Transport.UDP));
            assertThat(gw.mappers).as("no second probe").hasSize(probed);
            assertThat(currentMapper(a)).isSameAs(currentMapper(b));
            assertThat(mgr.sessionCount()).isEqualTo(1);
            b.close();
            assertThat(mgr.sessionCount()).isEqualTo(1);
        }
        assertThat(mgr.sessionCount()).isZero();
    }

    @Test
    void shutdownHookDeletesEveryMappingThatAskedForIt() throws Exception {
        ManagedMapping a = map(options().build(), Transport.TCP);
        ManagedMapping b = mgr.map(7777, options().build(), List.of(Transport.UDP));
        ManagedMapping kept = mgr.map(8888, options().cleanupOnExit(false).build(), List.of(Transport.TCP));
        assertThat(gw.table()).hasSize(3);
        mgr.closeAllAtExit(Duration.ofSeconds(5));
        assertThat(gw.table()).extracting(PortMapping::internalPort).containsExactly(8888);
        assertThat(a.isClosed()).isTrue();
        assertThat(b.isClosed()).isTrue();
        kept.close();
        assertThat(gw.table()).isEmpty();
    }

    @Test
    void listenersCanRunOnAnExecutorAndBeRemoved() throws Exception {
        List<Runnable> queued = new CopyOnWriteArrayList<>();
        List<MappingChange> seen = new CopyOnWriteArrayList<>();
        MappingListener extra = seen::add;
        try (ManagedMapping m = map(options().listenerExecutor(queued::add).build(), Transport.TCP)) {
            m.addListener(extra);
            gw.reboot(GatewayEvent.Kind.STATE_LOST);
            sched.runDue();
            assertThat(changes).as("nothing until the executor runs it").isEmpty();
            assertThat(queued).hasSize(2);
            queued.forEach(Runnable::run);
            queued.clear();
            assertThat(kinds()).containsExactly(MappingChange.Kind.LOST, MappingChange.Kind.RESTORED);
            assertThat(seen).hasSize(2);
            m.removeListener(extra);
            gw.reboot(GatewayEvent.Kind.STATE_LOST);
            sched.runDue();
            queued.forEach(Runnable::run);
            assertThat(seen).hasSize(2);
            assertThat(changes).hasSize(4);
        }
    }

    @Test
    void aThrowingListenerDoesNotStopTheLease() throws Exception {
        try (ManagedMapping m = map(options().listener(c -> {
            throw new IllegalStateException("listener bug");
        }).build(), Transport.TCP)) {
            gw.reboot(GatewayEvent.Kind.STATE_LOST);
            sched.runDue();
            assertThat(gw.table()).hasSize(1);
            assertThat(m.state()).isEqualTo(LeaseState.ACTIVE);
        }
    }

    @Test
    void gatewayEventsAfterCloseAreIgnored() throws Exception {
        ManagedMapping m = map(options().build(), Transport.TCP);
        List<FakeGateway.FakeMapper> mappers = List.copyOf(gw.mappers);
        m.close();
        for (FakeGateway.FakeMapper fm : mappers) {
            fm.fire(new GatewayEvent(GatewayEvent.Kind.STATE_LOST, fm.protocol, gw.address, ""));
        }
        sched.advance(Duration.ofHours(3));
        assertThat(gw.table()).isEmpty();
        assertThat(gw.attempts).hasValue(1);
    }
}
