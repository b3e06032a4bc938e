package dev.openport.natpmp;

import dev.openport.core.GatewayEvent;
import dev.openport.core.GatewayListener;
import dev.openport.core.MappingProtocol;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one mapper knows about its gateway across requests: the epoch (RFC 6886 §3.6) and the external address.
 * Every packet accepted from the gateway, answer or announcement, passes through {@link #observe}; a loss of
 * state or a new external address becomes a {@link GatewayEvent} for the registered listeners.
 *
 * <p>Listeners run on one daemon thread, {@code openport-natpmp-events}, created on the first event and ended
 * by {@link #close()}, so a slow listener never delays a request and a caller's thread never runs foreign code.
 */
final class GatewayMonitor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GatewayMonitor.class);
    /** Events waiting for a slow listener beyond this are dropped (and logged): memory stays bounded. */
    private static final int MAX_PENDING_EVENTS = 64;

    private final InetAddress gateway;
    private final LongSupplier nanoClock;
    private final EpochTracker epochs = new EpochTracker();
    private final List<GatewayListener> listeners = new CopyOnWriteArrayList<>();
    private final ThreadPoolExecutor events;
    private volatile Inet4Address externalAddress;

    GatewayMonitor(InetAddress gateway, LongSupplier nanoClock) {
        this.gateway = Objects.requireNonNull(gateway, "gateway");
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
        this.events = new ThreadPoolExecutor(1, 1, 10, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(MAX_PENDING_EVENTS), r -> {
                    Thread t = new Thread(r, "openport-natpmp-events");
                    t.setDaemon(true);
                    return t;
                }, (r, executor) -> {
                    if (!executor.isShutdown()) {
                        LOG.warn("NAT-PMP listeners are too slow: dropped an event");
                    }
                });
        this.events.allowCoreThreadTimeOut(true);
    }

    void addListener(GatewayListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    boolean hasListeners() {
        return !listeners.isEmpty();
    }

    /** The external address last reported by the gateway, if any. */
    Optional<Inet4Address> externalAddress() {
        return Optional.ofNullable(externalAddress);
    }

    /**
     * Takes in a packet accepted from the gateway: checks its epoch and, for a successful external-address
     * answer or announcement, the address.
     */
    void observe(NatPmpResponse response) {
        epochs.observe(response.epoch(), nanoClock.getAsLong()).ifPresent(loss -> {
            LOG.info("NAT-PMP gateway {}: {}", gateway.getHostAddress(), loss.describe());
            fire(GatewayEvent.Kind.STATE_LOST, loss.describe());
        });
        if (response instanceof NatPmpResponse.ExternalAddress a && a.resultCode() == NatPmpCodec.RESULT_SUCCESS) {
            Inet4Address previous = externalAddress;
            externalAddress = a.address();
            if (previous != null && !previous.equals(a.address())) {
                String detail = "external address changed from " + previous.getHostAddress() + " to "
                        + a.address().getHostAddress();
                LOG.info("NAT-PMP gateway {}: {}", gateway.getHostAddress(), detail);
                fire(GatewayEvent.Kind.EXTERNAL_ADDRESS_CHANGED, detail);
            }
        }
    }

    private void fire(GatewayEvent.Kind kind, String detail) {
        if (listeners.isEmpty() || events.isShutdown()) {
            return;
        }
        GatewayEvent event = new GatewayEvent(kind, MappingProtocol.NAT_PMP, gateway, detail);
        events.execute(() -> {
            for (GatewayListener l : listeners) {
                try {
                    l.onEvent(event);
                } catch (RuntimeException e) {
                    LOG.warn("a gateway listener threw on {}", event, e);
                }
            }
        });
    }

    @Override
    public void close() {
        events.shutdownNow();
    }
}
