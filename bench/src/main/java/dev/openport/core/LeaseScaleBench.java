package dev.openport.core;

import dev.openport.bench.Stats;
import dev.openport.core.spi.PortMapperProvider;
import dev.openport.core.spi.ProbeContext;
import dev.openport.core.spi.ProtocolState;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import javax.management.ObjectName;

/**
 * Scale of the lease manager (issue #8): N managed mappings (default 10,000) on the real one-thread scheduler,
 * against an in-memory gateway (no network), with short leases so that renewals happen during the run.
 * Prints the threads used, the retained heap per mapping (MemoryMXBean after full GCs, and a class histogram
 * diff that says what the bytes are), the lease thread's CPU per renewal, and the renewal lateness (when the
 * gateway was asked to renew minus when the renewal was due) as median/p99/max.
 *
 * <pre>
 * java -Xmx1g -cp bench/target/benchmarks.jar dev.openport.core.LeaseScaleBench [mappings] [leaseSeconds] [measureSeconds]
 * </pre>
 *
 * In package {@code dev.openport.core} because the lease manager takes its scheduler and providers only through
 * package-private constructors (split package on the class path; this module is never shipped).
 */
public final class LeaseScaleBench {
    private static final int MAX_SAMPLES = 4_000_000;

    private LeaseScaleBench() {
    }

    /** What a run found (the smoke test checks it; the figures are printed). */
    record Result(int mappings, int maxOpenportThreads, long renewals, long untimedRenewals, Stats lateness,
            double retainedBytesPerMapping, List<String> threadsAfterClose) {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int leaseSeconds = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        int measureSeconds = args.length > 2 ? Integer.parseInt(args[2]) : 40;
        run(n, leaseSeconds, measureSeconds, System.out);
    }

    /** Maps {@code n} ports with {@code leaseSeconds} leases, measures for {@code measureSeconds}, closes all. */
    static Result run(int n, int leaseSeconds, int measureSeconds, java.io.PrintStream out) throws Exception {
        if (n < 1 || n > 60_000) {
            throw new IllegalArgumentException("mappings must be 1-60000 (one port each)");
        }

        MeasuringScheduler scheduler = new MeasuringScheduler(new ExecutorLeaseScheduler());
        FakeMapper mapper = new FakeMapper(scheduler);
        PortMapperProvider provider = new PortMapperProvider() {
            @Override
            public MappingProtocol protocol() {
                return MappingProtocol.NAT_PMP;
            }

            @Override
            public PortMapper probe(ProbeContext context) {
                return mapper;
            }
        };
        LeaseManager manager = new LeaseManager(scheduler, List.of(provider),
                () -> ThreadLocalRandom.current().nextDouble(), false);
        InetAddress lo = InetAddress.getLoopbackAddress();
        DiscoveryOptions discovery = DiscoveryOptions.builder().gateway(lo).localAddress(lo)
                .protocols(MappingProtocol.NAT_PMP).multicast(false).build();
        MapOptions options = MapOptions.builder().lifetime(Duration.ofSeconds(leaseSeconds)).discovery(discovery)
                .cleanupOnExit(false).build();

        out.printf(Locale.ROOT, "lease manager scale: %d mappings, %d s leases (renewed at ~half), "
                + "%d s measured; JDK %s, %d CPUs, max heap %d MiB%n", n, leaseSeconds, measureSeconds,
                System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(),
                Runtime.getRuntime().maxMemory() >> 20);

        // one warm-up mapping: loads the classes and creates the session, the mapper and the lease thread, so
        // the baseline below holds everything that does not grow with the number of mappings
        ManagedMapping warm = manager.map(65_000, options, List.of(Transport.TCP));
        long heapBefore = retainedHeap();
        Map<String, long[]> histBefore = histogram();

        ManagedMapping[] handles = new ManagedMapping[n];
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            handles[i] = manager.map(1024 + i, options, List.of(Transport.TCP));
        }
        long mapNanos = System.nanoTime() - t0;
        long heapAfter = retainedHeap();
        Map<String, long[]> histAfter = histogram();
        out.printf(Locale.ROOT, "mapped %d in %d ms (%.1f us each, caller's thread, in-memory gateway)%n",
                n, mapNanos / 1_000_000, mapNanos / 1e3 / n);
        out.printf(Locale.ROOT, "retained heap: %.0f B per mapping (MemoryMXBean, min of 5 full GCs: "
                + "%d -> %d KiB; includes the caller's 4-byte handle slot)%n",
                (heapAfter - heapBefore) / (double) n, heapBefore >> 10, heapAfter >> 10);
        printHistogramDiff(histBefore, histAfter, n, out);

        // let the initial burst's renewals spread over a full cycle before measuring
        Thread.sleep(TimeUnit.SECONDS.toMillis(leaseSeconds));
        Thread lease = findThread("openport-lease");
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long cpu0 = threads.getThreadCpuTime(lease.getId());
        long[] gc0 = gcTotals();
        String load0 = loadAverage();
        long renew0 = mapper.renewals;
        mapper.recording = true;
        long w0 = System.nanoTime();
        int openportThreads = 0;
        List<String> names = new ArrayList<>();
        for (int s = 0; s < measureSeconds; s++) {
            Thread.sleep(1000);
            List<String> now = openportThreads();
            if (now.size() > openportThreads) {
                openportThreads = now.size();
                names = now;
            }
        }
        mapper.recording = false;
        long wall = System.nanoTime() - w0;
        long cpu = threads.getThreadCpuTime(lease.getId()) - cpu0;
        long[] gc1 = gcTotals();
        String load1 = loadAverage();
        long renewed = mapper.renewals - renew0;
        Stats late = Stats.of(mapper.lateness, Math.min(mapper.samples, MAX_SAMPLES));

        out.printf(Locale.ROOT, "threads: %d openport thread(s) at most during the run %s; %d JVM threads "
                + "in all%n", openportThreads, names, Thread.getAllStackTraces().size());
        out.printf(Locale.ROOT, "renewals: %d in %.1f s (%.0f/s); lease-thread CPU %.0f ms = %.1f us per "
                + "renewal (%.1f %% of one core)%n", renewed, wall / 1e9, renewed / (wall / 1e9), cpu / 1e6,
                renewed == 0 ? 0 : cpu / 1e3 / renewed, 100.0 * cpu / wall);
        out.printf(Locale.ROOT, "renewal lateness (asked - due), %d samples: median %s ms, p99 %s ms, "
                + "max %s ms%n", late.count(), Stats.ms(late.median()), Stats.ms(late.p99()),
                Stats.ms(late.max()));
        out.printf(Locale.ROOT, "lateness p90 %s ms, p99.9 %s ms; GC during the run: %d collections, %d ms "
                + "in all; load average (1 min) %s at start, %s at end on %d CPUs%n", Stats.ms(late.percentile(90)),
                Stats.ms(late.percentile(99.9)), gc1[0] - gc0[0], gc1[1] - gc0[1], load0, load1,
                Runtime.getRuntime().availableProcessors());
        out.printf(Locale.ROOT, "renewals not started by a timer (should be 0): %d%n", mapper.failures);

        long c0 = System.nanoTime();
        for (ManagedMapping h : handles) {
            h.close();
        }
        warm.close();
        List<String> after = awaitNoOpenportThreads();
        out.printf(Locale.ROOT, "closed %d in %d ms; openport threads afterwards: %s%n", n + 1,
                (System.nanoTime() - c0) / 1_000_000, after);
        return new Result(n, openportThreads, renewed, mapper.failures, late,
                (heapAfter - heapBefore) / (double) n, after);
    }

    /** Collections and milliseconds spent in GC so far, all collectors. */
    static long[] gcTotals() {
        long count = 0;
        long ms = 0;
        for (java.lang.management.GarbageCollectorMXBean b : ManagementFactory.getGarbageCollectorMXBeans()) {
            count += Math.max(0, b.getCollectionCount());
            ms += Math.max(0, b.getCollectionTime());
        }
        return new long[] {count, ms};
    }

    /** The 1-minute load average (other processes competing for the CPUs make lateness noisy). */
    static String loadAverage() {
        double l = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        return l < 0 ? "?" : String.format(Locale.ROOT, "%.2f", l);
    }

    /** Used heap after a full GC, the smallest of five tries (renewals keep allocating in between). */
    static long retainedHeap() throws InterruptedException {
        MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            best = Math.min(best, mem.getHeapMemoryUsage().getUsed());
            Thread.sleep(50);
        }
        return best;
    }

    /** Live objects per class (count, bytes) from the GC.class_histogram diagnostic command (it runs a full GC). */
    static Map<String, long[]> histogram() {
        Map<String, long[]> out = new HashMap<>();
        try {
            Object text = ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
                    new Object[] {new String[0]}, new String[] {String[].class.getName()});
            for (String line : text.toString().split("\n")) {
                String[] f = line.trim().split("\\s+");
                if (f.length >= 4 && f[0].endsWith(":")) {
                    out.put(f[3], new long[] {Long.parseLong(f[1]), Long.parseLong(f[2])});
                }
            }
        } catch (Exception e) {
            System.err.println("(no class histogram: " + e + ")");
        }
        return out;
    }

    static void printHistogramDiff(Map<String, long[]> before, Map<String, long[]> after, int n,
            java.io.PrintStream out) {
        if (before.isEmpty() || after.isEmpty()) {
            return;
        }
        List<Map.Entry<String, long[]>> grew = new ArrayList<>();
        long total = 0;
        long ours = 0;
        for (Map.Entry<String, long[]> e : after.entrySet()) {
            long[] b = before.getOrDefault(e.getKey(), new long[2]);
            long[] d = {e.getValue()[0] - b[0], e.getValue()[1] - b[1]};
            total += d[1];
            if (e.getKey().contains("LeaseScaleBench")) {
                ours += d[1]; // the measuring wrapper around each timer task: not the library's
            }
            grew.add(Map.entry(e.getKey(), d));
        }
        grew.sort((x, y) -> Long.compare(y.getValue()[1], x.getValue()[1]));
        out.printf(Locale.ROOT, "class histogram diff: %.0f B per mapping in all, %.0f B of it the "
                + "benchmark's own timer wrapper, so %.0f B the library's; largest:%n", total / (double) n,
                ours / (double) n, (total - ours) / (double) n);
        for (int i = 0; i < Math.min(14, grew.size()); i++) {
            long[] d = grew.get(i).getValue();
            if (d[1] <= 0) {
                break;
            }
            out.printf(Locale.ROOT, "  %6.0f B  %5.2f objects  %s%n", d[1] / (double) n, d[0] / (double) n,
                    grew.get(i).getKey());
        }
    }

    static Thread findThread(String name) {
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals(name)) {
                return t;
            }
        }
        throw new IllegalStateException("no thread " + name);
    }

    static List<String> openportThreads() {
        List<String> out = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("openport-") && t.isAlive()) {
                out.add(t.getName());
            }
        }
        out.sort(null);
        return out;
    }

    static List<String> awaitNoOpenportThreads() throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        List<String> now = openportThreads();
        while (!now.isEmpty() && System.nanoTime() < end) {
            Thread.sleep(20);
            now = openportThreads();
        }
        return now;
    }

    /**
     * The real scheduler, remembering when each task was due. A task queued with no delay from inside a timed
     * task (the renewal the timer starts) inherits its parent's due time, so the lateness measured at the
     * gateway covers both queue hops, not just the timer.
     */
    static final class MeasuringScheduler implements LeaseScheduler {
        private static final long NONE = Long.MIN_VALUE;
        private final LeaseScheduler inner;
        /** The due time of the task running on the lease thread; touched only by that thread. */
        private long runningDue = NONE;
        private volatile Thread leaseThread;

        MeasuringScheduler(LeaseScheduler inner) {
            this.inner = inner;
        }

        long runningDue() {
            return Thread.currentThread() == leaseThread ? runningDue : NONE;
        }

        @Override
        public long nanoTime() {
            return inner.nanoTime();
        }

        @Override
        public Cancellable schedule(Runnable task, long delayNanos) {
            long inherited = delayNanos <= 0 ? runningDue() : NONE;
            long due = inherited != NONE ? inherited : inner.nanoTime() + Math.max(0, delayNanos);
            return inner.schedule(() -> {
                leaseThread = Thread.currentThread();
                long prev = runningDue;
                runningDue = due;
                try {
                    task.run();
                } finally {
                    runningDue = prev;
                }
            }, delayNanos);
        }

        @Override
        public void acquire() {
            inner.acquire();
        }

        @Override
        public void release() {
            inner.release();
        }
    }

    /** An in-memory gateway: grants what is asked, holds no per-mapping state, records renewal lateness. */
    static final class FakeMapper implements PortMapper {
        private final MeasuringScheduler scheduler;
        private final InetAddress gateway = InetAddress.getLoopbackAddress();
        private final InetAddress external;
        // written only on the lease thread; read by main after recording stops (a sleep apart; a benchmark)
        final long[] lateness = new long[MAX_SAMPLES];
        volatile int samples;
        volatile long renewals;
        volatile long failures;
        volatile boolean recording;

        FakeMapper(MeasuringScheduler scheduler) throws java.net.UnknownHostException {
            this.scheduler = scheduler;
            this.external = InetAddress.getByAddress(new byte[] {(byte) 203, 0, 113, 1});
        }

        @Override
        public MappingProtocol protocol() {
            return MappingProtocol.NAT_PMP;
        }

        @Override
        public InetAddress gateway() {
            return gateway;
        }

        @Override
        public InetAddress externalAddress() {
            return external;
        }

        @Override
        public PortMapping map(MappingRequest request) {
            int ext = request.externalPort() == 0 ? request.internalPort() : request.externalPort();
            return new PortMapping(request, gateway, external, ext, request.lifetime(),
                    Instant.now().plus(request.lifetime()), MappingProtocol.NAT_PMP, gateway, ProtocolState.NONE);
        }

        @Override
        public PortMapping renew(PortMapping mapping) {
            long due = scheduler.runningDue();
            if (due == MeasuringScheduler.NONE) {
                failures++; // a renewal not started by a timer: should not happen in this run
            } else if (recording) {
                int i = samples;
                if (i < MAX_SAMPLES) {
                    lateness[i] = scheduler.nanoTime() - due;
                    samples = i + 1;
                }
            }
            renewals++;
            return mapping.withLease(mapping.lifetime(), Instant.now().plus(mapping.lifetime()));
        }

        @Override
        public void unmap(PortMapping mapping) {
            // nothing kept, nothing to delete
        }

        @Override
        public void close() {
        }
    }
}
