package dev.openport.core.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Many mappings at once, as the lossy-link tests of the protocol modules need them: one call per port, all
 * started together on threads of their own, each timed. Test code, shared with the protocol modules through
 * core's test-jar like {@link LossyUdpRelay}.
 */
public final class ConcurrentPorts {
    private ConcurrentPorts() {
    }

    /** One mapping call for one port; it asserts on what it got. */
    @FunctionalInterface
    public interface PortCall {
        void run(int port) throws Exception;
    }

    /**
     * Runs {@code call} for ports {@code firstPort} to {@code firstPort + count - 1}, all at once.
     *
     * @return how long each call took, in milliseconds, in port order
     * @throws java.util.concurrent.ExecutionException wrapping the first failure (in port order) of any call
     */
    public static List<Long> millisEach(int firstPort, int count, PortCall call) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(count);
        try {
            List<Future<Long>> futures = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                int port = firstPort + i;
                futures.add(pool.submit(() -> {
                    long t0 = System.nanoTime();
                    call.run(port);
                    return (System.nanoTime() - t0) / 1_000_000;
                }));
            }
            List<Long> took = new ArrayList<>();
            for (Future<Long> f : futures) {
                took.add(f.get());
            }
            return took;
        } finally {
            pool.shutdownNow();
        }
    }
}
