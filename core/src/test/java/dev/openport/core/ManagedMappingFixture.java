package dev.openport.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** The lease manager against an in-memory gateway, with a clock the test moves: what ManagedMapping*Test share. */
abstract class ManagedMappingFixture {
    final FakeScheduler sched = new FakeScheduler();
    final FakeGateway gw = FakeGateway.loopback();
    final double[] random = {0};
    final LeaseManager mgr = new LeaseManager(sched, gw.providers(), () -> random[0], false);
    final List<MappingChange> changes = new CopyOnWriteArrayList<>();
    final DiscoveryOptions discovery = Loopback.discovery(gw.address);

    @BeforeEach
    void clock() {
        gw.clock = () -> Instant.EPOCH.plusNanos(sched.nanoTime());
    }

    @AfterEach
    void nothingLeftBehind() {
        assertThat(Threads.await(Duration.ofSeconds(5), () -> Threads.named("openport-probe").isEmpty())).isTrue();
    }

    MapOptions.Builder options() {
        // read-backs have their own tests (LeaseVerificationTest): here only renewals talk to the gateway
        return MapOptions.builder().discovery(discovery).listener(changes::add).checkInterval(Duration.ofHours(1))
                .verifyInterval(Duration.ZERO);
    }

    ManagedMapping map(MapOptions o, Transport... ts) throws PortMappingException {
        return mgr.map(25565, o, OpenPort.transports(ts[0], java.util.Arrays.copyOfRange(ts, 1, ts.length)));
    }

    List<MappingChange.Kind> kinds() {
        return changes.stream().map(MappingChange::kind).toList();
    }

    static PortMapper currentMapper(ManagedMapping m) {
        return m.leases()[0].session.current();
    }
}
