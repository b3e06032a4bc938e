package dev.openport.natpmp;

import dev.openport.core.MappingProtocol;
import dev.openport.core.spi.EpochRule;
import dev.openport.core.spi.EventDispatcher;
import dev.openport.core.spi.GatewayEvent;
import dev.openport.core.spi.GatewayListener;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one mapper knows about its gateway across requests: the epoch (RFC 6886 §3.6) and the external address.
 * Every packet accepted from the gateway, answer or announcement, passes through {@link #observe}; a loss of
 * state or a new external address becomes a {@link GatewayEvent} for the registered listeners.
 *
 * <p>Listeners run on core's bounded {@link EventDispatcher} ({@code openport-natpmp-events}), ended by
 * {@link #close()}.
 */
final class GatewayMonitor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GatewayMonitor.class);

    private final InetAddress gateway;
    private final LongSupplier nanoClock;
    private final EpochRule epochs = new EpochTracker();   // RFC 6886 §3.6
    private final EventDispatcher events =
            new EventDispatcher("openport-natpmp-events", EventDispatcher.DEFAULT_MAX_PENDING);
    private volatile Inet4Address externalAddress;

    GatewayMonitor(InetAddress gateway, LongSupplier nanoClock) {
        this.gateway = Objects.requireNonNull(gateway, "gateway");
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
    }

    void addListener(GatewayListener listener) {
        events.addListener(listener);
    }

    boolean hasListeners() {
        return events.hasListeners();
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
        String lost = epochs.check(response.epoch(), nanoClock.getAsLong());
        if (lost != null) {
            LOG.info("NAT-PMP gateway {}: {}", gateway.getHostAddress(), lost);
            fire(GatewayEvent.Kind.STATE_LOST, lost);
        }
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
        events.fire(new GatewayEvent(kind, MappingProtocol.NAT_PMP, gateway, detail));
    }

    @Override
    public void close() {
        events.close();
    }
}
