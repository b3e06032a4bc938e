package dev.openport.core;

import static dev.openport.core.MappingProtocol.NAT_PMP;
import static dev.openport.core.MappingProtocol.UPNP;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Read-backs of managed mappings on the verify cadence: silent drops, WAN renumbering, a WAN that is down
 * (0.0.0.0), lease-0-only firmware (docs/quirks.md). The clock is the test's; the gateway is in memory.
 */
class LeaseVerificationTest {
    private final FakeScheduler sched = new FakeScheduler();
    private final FakeGateway gw = FakeGateway.loopback();
    private final double[] random = {0};
    private final LeaseManager mgr = new LeaseManager(sched, gw.providers(), () -> random[0], false);
    private final List<MappingChange> changes = new CopyOnWriteArrayList<>();
    private final DiscoveryOptions discovery = Loopback.discovery(gw.address);

    @BeforeEach
    void clock() {
        gw.clock = () -> Instant.EPOCH.plusNanos(sched.nanoTime());
    }

    private ManagedMapping map(MappingProtocol p) throws PortMappingException {
        return mgr.map(25565, MapOptions.builder().discovery(discovery).listener(changes::add).protocols(p)
                .checkInterval(Duration.ofHours(1)).build(), List.of(Transport.TCP));
    }

    private List<MappingChange.Kind> kinds() {
        return changes.stream().map(MappingChange::kind).toList();
    }

    private static InetAddress ip(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    @Test
    void aSilentlyDroppedUpnpMappingIsDeletedAndAddedAgainWithin30s() throws Exception {
        try (ManagedMapping m = map(UPNP)) {
            assertThat(sched.nextDueIn()).isEqualTo(Duration.ofSeconds(30).toNanos());
            gw.clear(); // DD-WRT / Asus: the router forgets the entry without a word
            gw.log.clear();
            sched.advance(Duration.ofSeconds(30));
            assertThat(gw.table()).extracting(PortMapping::externalPort).containsExactly(25565);
            assertThat(gw.log).containsExactly("UPNP unmap TCP 25565", "UPNP map() call", "UPNP map TCP 25565");
            assertThat(kinds()).containsExactly(MappingChange.Kind.LOST, MappingChange.Kind.RESTORED);
            assertThat(m.state()).isEqualTo(LeaseState.ACTIVE);
        }
    }

    @Test
    void aHeldMappingCostsOneReadBackAndNoWrite() throws Exception {
        try (ManagedMapping m = map(UPNP)) {
            int writes = gw.attempts.get();
            sched.advance(Duration.ofSeconds(30));
            sched.advance(Duration.ofSeconds(30));
            assertThat(gw.attempts).as("no re-add while held").hasValue(writes);
            assertThat(kinds()).isEmpty();
            assertThat(m.state()).isEqualTo(LeaseState.ACTIVE);
        }
    }

    @Test
    void wanRenumberingIsReportedAsChanged() throws Exception {
        try (ManagedMapping m = map(UPNP)) {
            gw.external = ip("198.51.100.9"); // PPPoE reconnect
            sched.advance(Duration.ofSeconds(30));
            assertThat(m.external()).hasToString("198.51.100.9:25565");
            assertThat(kinds()).containsExactly(MappingChange.Kind.CHANGED);
            assertThat(changes.get(0).previous().externalAddress()).isEqualTo(ip("203.0.113.1"));
        }
    }

    @Test
    void aWanThatIsDownIsWaitedForAndThe0000AddressNeverReported() throws Exception {
        try (ManagedMapping m = map(UPNP)) {
            gw.external = ip("0.0.0.0");
            gw.clear(); // the router flushed its table with the WAN
            sched.advance(Duration.ofSeconds(30));
            assertThat(m.state()).isEqualTo(LeaseState.WAITING_FOR_WAN);
            assertThat(m.leases()[0].session.health()).isEqualTo(GatewayHealth.State.WAITING_FOR_WAN);
            assertThat(m.external()).hasToString("203.0.113.1:25565");
            assertThat(gw.table()).as("nothing re-added while the WAN is down").isEmpty();
            sched.advance(Duration.ofSeconds(30));
            assertThat(m.state()).isEqualTo(LeaseState.WAITING_FOR_WAN);
            gw.external = ip("198.51.100.9");
            sched.advance(Duration.ofSeconds(30));
            assertThat(m.state()).isEqualTo(LeaseState.ACTIVE);
            assertThat(m.leases()[0].session.health()).isEqualTo(GatewayHealth.State.UP);
            assertThat(m.external()).hasToString("198.51.100.9:25565");
            assertThat(gw.table()).extracting(PortMapping::externalPort).containsExactly(25565);
            assertThat(kinds()).containsExactly(MappingChange.Kind.CHANGED, MappingChange.Kind.LOST,
                    MappingChange.Kind.RESTORED);
            assertThat(changes).allSatisfy(c -> assertThat(c.current().externalAddress())
                    .isNotEqualTo(ip("0.0.0.0")));
        }
    }

    @Test
    void aGrantWithAn0000ExternalAddressIsReportedWithoutOne() throws Exception {
        gw.external = ip("0.0.0.0");
        try (ManagedMapping m = map(UPNP)) {
            assertThat(m.mapping().externalAddress()).isNull();
        }
    }

    @Test
    void firmwareThatKeepsOnlyPermanentLeasesGetsOneAfterTwoEarlyDrops() throws Exception {
        try (ManagedMapping m = map(UPNP)) {
            gw.clear();
            sched.advance(Duration.ofSeconds(30));
            assertThat(m.mapping().isPermanent()).as("one drop is not yet a pattern").isFalse();
            gw.clear();
            sched.advance(Duration.ofSeconds(30));
            assertThat(m.mapping().isPermanent()).isTrue();
            assertThat(gw.table()).as("the same port, never a second entry").hasSize(1)
                    .allSatisfy(e -> assertThat(e.externalPort()).isEqualTo(25565));
            assertThat(changes).filteredOn(c -> c.kind() == MappingChange.Kind.CHANGED).singleElement()
                    .satisfies(c -> assertThat(c.detail()).contains("permanent"));
            // the next mapping on this gateway asks for a permanent lease at once
            ManagedMapping other = mgr.map(27015, MapOptions.builder().discovery(discovery).protocols(UPNP)
                    .build(), List.of(Transport.UDP));
            assertThat(other.mapping().isPermanent()).isTrue();
            other.close();
        }
        assertThat(gw.table()).as("permanent entries are deleted on close").isEmpty();
    }

    @Test
    void lateDropsDoNotSwitchToPermanent() throws Exception {
        gw.maxLifetime = Duration.ofSeconds(100);
        try (ManagedMapping m = map(UPNP)) {
            for (int i = 0; i < 3; i++) {
                sched.advance(Duration.ofSeconds(30));
                gw.clear(); // dropped after 60% of the lease has passed: a reboot, not lease-0 firmware
                sched.advance(Duration.ofSeconds(30));
            }
            assertThat(m.mapping().isPermanent()).isFalse();
        }
    }

    @Test
    void natPmpIsReadBackByARenewalOnTheSameCadence() throws Exception {
        try (ManagedMapping m = map(NAT_PMP)) {
            gw.clear(); // rebooted without an epoch signal reaching us
            sched.advance(Duration.ofSeconds(30));
            assertThat(gw.log).contains("NAT_PMP renew() call, state fake");
            assertThat(gw.table()).extracting(PortMapping::externalPort).containsExactly(25565);
            assertThat(m.state()).isEqualTo(LeaseState.ACTIVE);
        }
    }

    @Test
    void checksOfManyMappingsAreSpreadNotInStep() throws Exception {
        List<ManagedMapping> all = new java.util.ArrayList<>();
        double[] jitter = {0.0, 0.25, 0.5, 0.75, 0.99};
        for (int i = 0; i < jitter.length; i++) {
            random[0] = jitter[i];
            all.add(mgr.map(30000 + i, MapOptions.builder().discovery(discovery).protocols(UPNP)
                    .checkInterval(Duration.ofHours(1)).build(), List.of(Transport.UDP)));
        }
        java.util.Set<Long> due = new java.util.TreeSet<>();
        long start = sched.nanoTime();
        for (int i = 0; i < 200 && sched.nextDueIn() >= 0 && due.size() < jitter.length; i++) {
            long next = sched.nextDueIn();
            sched.advance(Duration.ofNanos(next));
            due.add(sched.nanoTime() - start);
        }
        assertThat(due).hasSize(jitter.length);
        assertThat(due).allSatisfy(d -> assertThat(d).isBetween(Duration.ofSeconds(15).toNanos(),
                Duration.ofSeconds(30).toNanos()));
        all.forEach(ManagedMapping::close);
    }
}
