package dev.openport.core;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@link OpenPort#mapAsync}: one blocking map on its own daemon thread. The future is the only shared state:
 * {@code complete} fails exactly when the caller cancelled first, and then the handle nobody will ever see is
 * closed here, so a cancel never leaks a mapping.
 */
final class AsyncMap {
    private static final AtomicInteger THREADS = new AtomicInteger();

    private AsyncMap() {
    }

    /** The blocking map call to run. */
    @FunctionalInterface
    interface Call {
        ManagedMapping map() throws PortMappingException;
    }

    static CompletableFuture<ManagedMapping> start(Call call) {
        CompletableFuture<ManagedMapping> future = new CompletableFuture<>();
        Thread t = new Thread(() -> run(call, future), "openport-map-async-" + THREADS.incrementAndGet());
        t.setDaemon(true);
        t.start();
        return future;
    }

    private static void run(Call call, CompletableFuture<ManagedMapping> future) {
        if (future.isDone()) {
            return; // cancelled before the thread ran: do not even ask the router
        }
        ManagedMapping mapping;
        try {
            mapping = call.map();
        } catch (PortMappingException | RuntimeException | Error e) {
            future.completeExceptionally(e); // never leave the caller waiting forever
            return;
        }
        if (!future.complete(mapping)) {
            mapping.close(); // cancelled while mapping: nobody holds this handle
        }
    }
}
