package dev.openport.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lease manager on its real scheduler thread, in real time (short intervals, polled with deadlines). */
class LeaseThreadTest {
    private final FakeGateway gw = FakeGateway.loopback();
    private final LeaseManager mgr = new LeaseManager(new ExecutorLeaseScheduler(), gw.providers(),
            () -> ThreadLocalRandom.current().nextDouble(), false);

    private static MapOptions options(FakeGateway gw, Duration check) {
        return MapOptions.builder().checkInterval(check).discovery(Loopback.discovery(gw.address)).build();
    }

    private static boolean leaseThreadAlive() {
        return !Threads.named("openport-lease").isEmpty();
    }

    @Test
    void oneLeaseThreadForManyMappingsStopsAfterTheLastCloseAndComesBack() throws Exception {
        ManagedMapping a = mgr.map(1000, options(gw, Duration.ofHours(1)), List.of(Transport.TCP));
        ManagedMapping b = mgr.map(1001, options(gw, Duration.ofHours(1)), List.of(Transport.TCP, Transport.UDP));
        assertThat(Threads.named("openport-lease")).hasSize(1);
        a.close();
        assertThat(leaseThreadAlive()).isTrue();
        b.close();
        assertThat(Threads.await(Duration.ofSeconds(5), () -> !leaseThreadAlive()))
                .as("no openport-lease thread after the last close").isTrue();
        assertThat(gw.table()).isEmpty();
        try (ManagedMapping c = mgr.map(1002, options(gw, Duration.ofHours(1)), List.of(Transport.TCP))) {
            assertThat(leaseThreadAlive()).as("started again on demand").isTrue();
        }
        assertThat(Threads.await(Duration.ofSeconds(5), () -> !leaseThreadAlive())).isTrue();
        assertThat(Threads.await(Duration.ofSeconds(5), () -> Threads.named("openport-probe").isEmpty())).isTrue();
    }

    @Test
    void aSilentlyRebootedGatewayHasTheMappingBackWithinTheCheckInterval() throws Exception {
        try (ManagedMapping m = mgr.map(25565, options(gw, Duration.ofMillis(500)), List.of(Transport.TCP))) {
            gw.reboot(null);
            long t0 = System.nanoTime();
            assertThat(Threads.await(Duration.ofSeconds(3), () -> gw.table().size() == 1)).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofMillis(1500));
            assertThat(m.state()).isIn(LeaseState.ACTIVE, LeaseState.RENEWING);
        }
        assertThat(gw.table()).isEmpty();
    }

    @Test
    void closeDuringARenewalInFlightDeletesTheLateGrantToo() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        ManagedMapping m = mgr.map(25565, options(gw, Duration.ofMillis(500)), List.of(Transport.TCP));
        gw.renewGate = gate;
        assertThat(gw.renewEntered.await(5, TimeUnit.SECONDS)).as("renewal in flight").isTrue();
        m.close(); // on this thread, while the lease thread is stuck in renew()
        assertThat(gw.table()).isEmpty();
        assertThat(leaseThreadAlive()).as("the lease thread still owns the renewal").isTrue();
        gate.countDown(); // the renewal re-adds the entry ... and the lease deletes it as a late grant
        assertThat(Threads.await(Duration.ofSeconds(5), () -> !leaseThreadAlive())).isTrue();
        assertThat(gw.table()).isEmpty();
        assertThat(gw.log).last().asString().contains("unmap");
    }

    /** Run in a child JVM by {@link #theShutdownHookDeletesOpenMappingsAtJvmExit}. */
    public static void main(String[] args) throws Exception {
        Path out = Path.of(args[0]);
        FakeGateway gw = FakeGateway.loopback();
        gw.onChange = () -> {
            try {
                Files.writeString(out, gw.table().size() + "\n", StandardCharsets.US_ASCII,
                        java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };
        LeaseManager mgr = new LeaseManager(new ExecutorLeaseScheduler(), gw.providers(), () -> 0.5, true);
        mgr.map(25565, options(gw, Duration.ofHours(1)), List.of(Transport.TCP, Transport.UDP));
        // main returns with the mappings open: only daemon threads remain, the JVM exits, the hook runs
    }

    @Test
    void theShutdownHookDeletesOpenMappingsAtJvmExit(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("table-sizes.txt");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "-Dopenport.loopbackOnly=true",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-cp", System.getProperty("java.class.path"), LeaseThreadTest.class.getName(), out.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile()).start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("child JVM exits by itself (daemon threads only)").isTrue();
        assertThat(p.exitValue()).as(Files.readString(dir.resolve("child.log"))).isZero();
        // table sizes as the child saw them: 1, 2 after mapping TCP and UDP; 1, 0 as the hook deletes them
        assertThat(Files.readAllLines(out)).containsExactly("1", "2", "1", "0");
    }
}
