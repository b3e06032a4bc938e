package dev.openport.core;

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
 * Suspend/resume and network changes under live mappings (docs/quirks.md): the test moves the wall clock and the
 * host's local address; the lease manager's network watch notices.
 */
class NetworkChangeTest {
    private final FakeScheduler sched = new FakeScheduler();
    private final FakeGateway gw = FakeGateway.loopback();
    private final LeaseManager mgr = new LeaseManager(sched, gw.providers(), () -> 0, false);
    private final long[] wallMs = {1_700_000_000_000L};
    private volatile InetAddress local;
    /** When set, reading the routing table fails with it (a format the parser does not expect). */
    private volatile RuntimeException routeUnreadable;
    private final List<MappingChange> changes = new CopyOnWriteArrayList<>();
    private final DiscoveryOptions discovery = Loopback.discovery(gw.address);

    @BeforeEach
    void setUp() throws Exception {
        gw.clock = () -> Instant.EPOCH.plusNanos(sched.nanoTime());
        local = InetAddress.getByName("127.0.0.1");
        mgr.watchNetwork(o -> {
            RuntimeException e = routeUnreadable;
            if (e != null) {
                throw e;
            }
            return new Gateways.GatewayTarget(gw.address, local);
        },
                new ClockJump(() -> wallMs[0] + sched.nanoTime() / 1_000_000, sched::nanoTime,
                        NetworkWatch.JUMP_TOLERANCE), NetworkWatch.EVERY);
    }

    private ManagedMapping map() throws PortMappingException {
        return mgr.map(25565, MapOptions.builder().discovery(discovery).listener(changes::add).protocols(UPNP)
                .checkInterval(Duration.ofHours(1)).verifyInterval(Duration.ofMinutes(10)).build(),
                List.of(Transport.TCP));
    }

    @Test
    void afterASleepEveryMappingIsVerifiedAtOnceNotAtItsNextTimer() throws Exception {
        try (ManagedMapping m = map()) {
            gw.clear(); // the router rebooted while we slept
            wallMs[0] += Duration.ofHours(1).toMillis();
            sched.advance(NetworkWatch.EVERY);
            assertThat(gw.table()).as("re-added at the first look after resume, not in 10 minutes")
                    .extracting(PortMapping::externalPort).containsExactly(25565);
            assertThat(changes).extracting(MappingChange::kind)
                    .containsExactly(MappingChange.Kind.LOST, MappingChange.Kind.RESTORED);
        }
    }

    @Test
    void withoutASleepNothingIsVerifiedEarly() throws Exception {
        try (ManagedMapping m = map()) {
            gw.clear();
            sched.advance(NetworkWatch.EVERY.multipliedBy(3));
            assertThat(gw.table()).isEmpty();
        }
    }

    @Test
    void aNewLanAddressMovesTheMappingAndDeletesTheOldClientsEntry() throws Exception {
        try (ManagedMapping m = map()) {
            assertThat(m.mapping().internalAddress()).isEqualTo(InetAddress.getByName("127.0.0.1"));
            local = InetAddress.getByName("127.0.0.2"); // DHCP gave this host another address
            gw.log.clear();
            sched.advance(NetworkWatch.EVERY);
            sched.runDue();
            assertThat(m.mapping().internalAddress()).isEqualTo(InetAddress.getByName("127.0.0.2"));
            assertThat(gw.table()).singleElement().satisfies(e -> assertThat(e.internalAddress())
                    .isEqualTo(InetAddress.getByName("127.0.0.2")));
            assertThat(gw.log).startsWith("UPNP unmap TCP 25565");
            assertThat(changes).extracting(MappingChange::kind).containsExactly(MappingChange.Kind.CHANGED);
            assertThat(m.leases()[0].session.localAddress()).isEqualTo(InetAddress.getByName("127.0.0.2"));
        }
        assertThat(gw.table()).isEmpty();
    }

    @Test
    void eachVerificationAlsoLooksAtTheRouteSoAMoveIsFollowedAtTheVerifyCadence() throws Exception {
        try (ManagedMapping m = mgr.map(25565, MapOptions.builder().discovery(discovery).listener(changes::add)
                .protocols(UPNP).checkInterval(Duration.ofHours(1)).verifyInterval(Duration.ofSeconds(5)).build(),
                List.of(Transport.TCP))) {
            local = InetAddress.getByName("127.0.0.3");
            sched.advance(Duration.ofSeconds(5)); // before the network watch's first look (15 s)
            assertThat(m.mapping().internalAddress()).isEqualTo(InetAddress.getByName("127.0.0.3"));
            assertThat(gw.table()).singleElement().satisfies(e -> assertThat(e.internalAddress())
                    .isEqualTo(InetAddress.getByName("127.0.0.3")));
        }
    }

    @Test
    void aRoutingTableThatCannotBeReadOnceDoesNotStopTheNetworkWatch() throws Exception {
        try (ManagedMapping m = map()) {
            routeUnreadable = new IllegalStateException("unexpected route line");
            sched.advance(NetworkWatch.EVERY);
            routeUnreadable = null;
            local = InetAddress.getByName("127.0.0.2");
            sched.advance(NetworkWatch.EVERY);
            sched.runDue();
            assertThat(m.mapping().internalAddress()).as("the next look still happens")
                    .isEqualTo(InetAddress.getByName("127.0.0.2"));
        }
    }

    @Test
    void aRoutingTableThatCannotBeReadDuringAVerificationDoesNotStopTheLease() throws Exception {
        try (ManagedMapping m = mgr.map(25565, MapOptions.builder().discovery(discovery).listener(changes::add)
                .protocols(UPNP).checkInterval(Duration.ofHours(1)).verifyInterval(Duration.ofSeconds(5)).build(),
                List.of(Transport.TCP))) {
            routeUnreadable = new IllegalStateException("unexpected route line");
            gw.clear(); // dropped: the verification that cannot read the route must still repair it
            sched.advance(Duration.ofSeconds(5)); // before the network watch's first look (15 s)
            assertThat(gw.table()).as("verified and repaired anyway").hasSize(1);
            routeUnreadable = null;
            local = InetAddress.getByName("127.0.0.3");
            sched.advance(Duration.ofSeconds(5));
            assertThat(m.mapping().internalAddress()).as("and the next verification still happens")
                    .isEqualTo(InetAddress.getByName("127.0.0.3"));
            assertThat(m.state()).isEqualTo(LeaseState.ACTIVE);
        }
    }
}
