package dev.openport.core.spi;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers a mapper's {@link GatewayEvent}s to its listeners on one daemon thread, in order, one listener call
 * at a time: a slow listener never delays a request, and no caller's or receiver's thread runs foreign code. The
 * queue is bounded ({@code maxPending}); beyond it events are dropped and logged, so memory stays bounded
 * whatever the listeners do. The thread is created on the first event, ends after 10 s idle, and for good once
 * {@link #close()} has been called and the queue is drained.
 *
 * <pre>{@code
 * EventDispatcher events = new EventDispatcher("openport-pcp-events", 64);
 * events.addListener(listener);
 * events.fire(new GatewayEvent(GatewayEvent.Kind.STATE_LOST, MappingProtocol.PCP, gateway, "epoch went back"));
 * events.close();
 * }</pre>
 */
public final class EventDispatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EventDispatcher.class);
    /** A sensible queue bound for one gateway's events. */
    public static final int DEFAULT_MAX_PENDING = 64;

    private final List<GatewayListener> listeners = new CopyOnWriteArrayList<>();
    private final ThreadPoolExecutor executor;

    /**
     * @param threadName the name of the delivering thread, {@code openport-<protocol>-events}
     * @param maxPending events waiting beyond this are dropped
     */
    public EventDispatcher(String threadName, int maxPending) {
        Objects.requireNonNull(threadName, "threadName");
        if (maxPending < 1) {
            throw new IllegalArgumentException("maxPending must be positive, was " + maxPending);
        }
        this.executor = new ThreadPoolExecutor(1, 1, 10, TimeUnit.SECONDS, new ArrayBlockingQueue<>(maxPending),
                r -> {
                    Thread t = new Thread(r, threadName);
                    t.setDaemon(true);
                    return t;
                }, (r, pool) -> {
                    if (!pool.isShutdown()) {
                        LOG.warn("{}: listeners are too slow, dropped an event", threadName);
                    }
                });
        this.executor.allowCoreThreadTimeOut(true);
    }

    /**
     * Adds a listener; it receives events fired from now on.
     *
     * @param listener the listener to add
     */
    public void addListener(GatewayListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /**
     * Whether any listener is registered.
     *
     * @return {@code true} when at least one is
     */
    public boolean hasListeners() {
        return !listeners.isEmpty();
    }

    /**
     * Queues {@code event} for every listener; does nothing without listeners or after {@link #close()}.
     *
     * @param event the event to deliver
     */
    public void fire(GatewayEvent event) {
        Objects.requireNonNull(event, "event");
        if (listeners.isEmpty() || executor.isShutdown()) {
            return;
        }
        executor.execute(() -> {
            for (GatewayListener l : listeners) {
                try {
                    l.onEvent(event);
                } catch (RuntimeException e) {
                    LOG.warn("a gateway listener threw on {}", event, e);
                }
            }
        });
    }

    /** Accepts no more events; those already queued are still delivered, then the thread ends. */
    @Override
    public void close() {
        executor.shutdown();
    }
}
