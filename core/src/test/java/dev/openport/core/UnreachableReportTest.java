package dev.openport.core;

import static dev.openport.core.MappingProtocol.UPNP;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link ManagedMapping#reportUnreachable()} against the zombie of docs/quirks.md ("listed but not forwarding"):
 * an entry the gateway lists and reads back as held, whose forwarding rule is gone; a re-add leaves it dead, only
 * delete + add repairs it. The clock is the test's; the gateway is in memory.
 */
class UnreachableReportTest {
    private final FakeScheduler sched = new FakeScheduler();
    private final FakeGateway gw = FakeGateway.loopback();
    private final LeaseManager mgr = new LeaseManager(sched, gw.providers(), () -> 0, false);
    private final List<MappingChange> changes = new CopyOnWriteArrayList<>();
    private final DiscoveryOptions discovery = Loopback.discovery(gw.address);

    @BeforeEach
    void clock() {
        gw.clock = () -> Instant.EPOCH.plusNanos(sched.nanoTime());
    }

    private ManagedMapping map(Transport... transports) throws PortMappingException {
        return mgr.map(25565, MapOptions.builder().discovery(discovery).listener(changes::add).protocols(UPNP)
                .checkInterval(Duration.ofMinutes(10)).build(), List.of(transports));
    }

    private List<MappingChange.Kind> kinds() {
        return changes.stream().map(MappingChange::kind).toList();
    }

    @Test
    void aZombieThatReadsBackAsHeldIsRepairedByDeleteAndAddWhenReported() throws Exception {
        try (ManagedMapping m = map(Transport.TCP)) {
            gw.stopForwarding(Transport.TCP, 25565);
            sched.advance(Duration.ofMinutes(30)); // verifications and renewals: none sees or fixes it
            assertThat(gw.log).as("renewed in the meantime").contains("UPNP renew() call, state fake");
            assertThat(gw.forwards(Transport.TCP, 25565)).isFalse();
            assertThat(kinds()).isEmpty();
            gw.log.clear();

            m.reportUnreachable();
            assertThat(gw.log).as("nothing on the caller's thread").isEmpty();
            sched.runDue();

            assertThat(gw.log).containsExactly("UPNP unmap TCP 25565", "UPNP map() call", "UPNP map TCP 25565");
            assertThat(gw.forwards(Transport.TCP, 25565)).isTrue();
            assertThat(kinds()).containsExactly(MappingChange.Kind.LOST, MappingChange.Kind.RESTORED);
            assertThat(m.state()).isEqualTo(LeaseState.ACTIVE);
            assertThat(m.external()).hasToString("203.0.113.1:25565");
            assertThat(sched.nextDueIn()).as("the verify cadence resumes")
                    .isEqualTo(Duration.ofSeconds(30).toNanos());
        }
    }

    @Test
    void everyTransportOfTheHandleIsRepaired() throws Exception {
        try (ManagedMapping m = map(Transport.TCP, Transport.UDP)) {
            gw.stopForwarding(Transport.TCP, 25565);
            gw.stopForwarding(Transport.UDP, 25565);
            m.reportUnreachable();
            sched.runDue();
            assertThat(gw.forwards(Transport.TCP, 25565)).isTrue();
            assertThat(gw.forwards(Transport.UDP, 25565)).isTrue();
            assertThat(gw.table()).hasSize(2);
        }
    }

    @Test
    void aFailedRepairIsRetriedAsARepairNotAsAPlainReAdd() throws Exception {
        try (ManagedMapping m = map(Transport.TCP)) {
            gw.stopForwarding(Transport.TCP, 25565);
            gw.answer(UPNP, false); // the gateway is busy just then
            m.reportUnreachable();
            sched.runDue();
            assertThat(m.state()).isEqualTo(LeaseState.RETRYING);
            assertThat(gw.forwards(Transport.TCP, 25565)).isFalse();

            gw.answer(UPNP, true);
            gw.log.clear();
            sched.advance(Duration.ofMinutes(2)); // the backoff
            assertThat(gw.log).startsWith("UPNP unmap TCP 25565").doesNotContain("UPNP renew() call, state fake");
            assertThat(gw.forwards(Transport.TCP, 25565)).isTrue();
            assertThat(m.state()).isEqualTo(LeaseState.ACTIVE);
            assertThat(kinds()).containsExactly(MappingChange.Kind.LOST, MappingChange.Kind.RESTORED);
        }
    }

    @Test
    void aReportAfterCloseIsIgnored() throws Exception {
        ManagedMapping m = map(Transport.TCP);
        m.close();
        int adds = gw.attempts.get();
        int deletes = gw.deleteAttempts.get();
        m.reportUnreachable();
        sched.advance(Duration.ofMinutes(5));
        assertThat(gw.attempts).hasValue(adds);
        assertThat(gw.deleteAttempts).hasValue(deletes);
        assertThat(kinds()).isEmpty();
    }
}
