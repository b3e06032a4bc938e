package dev.openport.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.time.Duration;
import dev.openport.core.spi.PortMapperProvider;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** OpenPort.mapAsync: the blocking map on an openport-* daemon thread, against the in-memory loopback gateway. */
class OpenPortAsyncTest {
    private final FakeGateway gw = FakeGateway.loopback();
    private final DiscoveryOptions discovery = Loopback.discovery(gw.address, Duration.ofSeconds(2));
    private final MapOptions options = MapOptions.builder().discovery(discovery).cleanupOnExit(false)
            .checkInterval(Duration.ofHours(1)).verifyInterval(Duration.ZERO).build();

    @AfterEach
    void nothingLeftBehind() {
        assertThat(Threads.await(Duration.ofSeconds(5), () -> Threads.named("openport-map-async").isEmpty()
                && Threads.named("openport-probe").isEmpty())).as("threads left").isTrue();
    }

    private LeaseManager manager(List<PortMapperProvider> providers) {
        return new LeaseManager(new FakeScheduler(), providers, () -> 0, false);
    }

    @Test
    void completesWithTheHandleMadeOnAnOpenportDaemonThread() throws Exception {
        LeaseManager mgr = manager(gw.providers());
        String[] thread = new String[1];
        boolean[] daemon = new boolean[1];
        CompletableFuture<ManagedMapping> f = AsyncMap.start(() -> {
            thread[0] = Thread.currentThread().getName();
            daemon[0] = Thread.currentThread().isDaemon();
            return mgr.map(25565, options, List.of(Transport.TCP, Transport.UDP));
        });
        try (ManagedMapping m = f.get(10, TimeUnit.SECONDS)) {
            assertThat(m.external()).hasToString("203.0.113.1:25565");
            assertThat(gw.table()).hasSize(2);
        }
        assertThat(thread[0]).startsWith("openport-map-async-");
        assertThat(daemon[0]).isTrue();
        assertThat(gw.table()).isEmpty();
    }

    @Test
    void aRefusalCompletesExceptionallyWithItsReason() {
        gw.refuse = PortMappingException.Reason.NOT_AUTHORIZED;
        LeaseManager mgr = manager(gw.providers());
        CompletableFuture<ManagedMapping> f = AsyncMap.start(() -> mgr.map(25565, options, List.of(Transport.TCP)));
        assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOfSatisfying(PortMappingException.class,
                        e -> assertThat(e.reason()).isEqualTo(PortMappingException.Reason.NOT_AUTHORIZED));
        assertThat(gw.table()).isEmpty();
        assertThat(mgr.liveCount()).isZero();
    }

    @Test
    void thePublicEntryPointFailsInTheFutureNotInTheCaller() {
        // core alone: no protocol module, so the shared manager cannot map; the caller still gets a future
        CompletableFuture<ManagedMapping> f = OpenPort.mapAsync(Transport.TCP, 25565,
                MapOptions.builder().discovery(Loopback.discovery(InetAddress.getLoopbackAddress(),
                        Duration.ofMillis(300))).build());
        assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS)).cause()
                .isInstanceOfSatisfying(PortMappingException.class, e -> assertThat(e.reason())
                        .isEqualTo(PortMappingException.Reason.GATEWAY_NOT_FOUND));
        assertThatThrownBy(() -> OpenPort.mapAsync(java.util.Set.of(), 25565))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void cancelledBeforeDoneClosesTheMappingMadeAfterwards() throws Exception {
        // the probe takes 400 ms, so the mapping is made well after the cancel
        LeaseManager mgr = manager(List.of(gw.provider(MappingProtocol.PCP, Duration.ofMillis(400))));
        CountDownLatch entered = new CountDownLatch(1);
        CompletableFuture<ManagedMapping> f = AsyncMap.start(() -> {
            entered.countDown();
            return mgr.map(25565, options, List.of(Transport.TCP));
        });
        assertThat(entered.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(f.cancel(false)).isTrue();
        assertThat(Threads.await(Duration.ofSeconds(10), () -> Threads.named("openport-map-async").isEmpty()))
                .isTrue();
        assertThat(gw.attempts).as("the mapping was made after the cancel").hasValue(1);
        assertThat(gw.table()).as("and deleted again").isEmpty();
        assertThat(mgr.liveCount()).isZero();
    }
}
