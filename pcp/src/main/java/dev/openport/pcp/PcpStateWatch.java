package dev.openport.pcp;

import dev.openport.core.MappingProtocol;
import dev.openport.core.spi.EventDispatcher;
import dev.openport.core.spi.GatewayEvent;
import dev.openport.core.spi.GatewayListener;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notices when one PCP server lost its mappings and tells the listeners: from the epoch of every answer
 * (RFC 6887 §8.5) and, once someone listens, from the server's ANNOUNCE messages (§14.1.3). Kept apart from
 * {@link PcpPortMapper} because it outlives single requests: it owns a listener thread and an event queue.
 */
final class PcpStateWatch implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PcpStateWatch.class);

    private final InetAddress gateway;
    private final InetSocketAddress server;
    private final InetAddress clientAddress;
    private final AnnounceListener.Config announceConfig;
    private final EpochTracker epoch = new EpochTracker();
    /** Listeners run here, neither on the caller's thread nor on the ANNOUNCE thread, one at a time, in order. */
    private final EventDispatcher events =
            new EventDispatcher("openport-pcp-events", EventDispatcher.DEFAULT_MAX_PENDING);
    private final Object lock = new Object();
    private AnnounceListener announceListener;
    private boolean closed;

    PcpStateWatch(InetAddress gateway, InetSocketAddress server, InetAddress clientAddress,
            AnnounceListener.Config announceConfig) {
        this.gateway = gateway;
        this.server = server;
        this.clientAddress = clientAddress;
        this.announceConfig = announceConfig;
    }

    /** Whether an epoch was seen, so a late answer may be told apart from a fresh one (the SPI exchange asks). */
    boolean epochKnown() {
        return epoch.lastEpoch() >= 0;
    }

    /** The last epoch the server sent, or -1. */
    long lastEpoch() {
        return epoch.lastEpoch();
    }

    /** Checks the epoch of an answer to one of our requests (§8.5). */
    void answered(long serverEpoch, long receivedAtMillis) {
        checkEpoch(serverEpoch, receivedAtMillis, false);
    }

    /** §8.5; tells the listeners when the server lost state. */
    private void checkEpoch(long serverEpoch, long receivedAtMillis, boolean fromAnnounce) {
        String invalid = epoch.check(serverEpoch, receivedAtMillis * 1_000_000);   // RFC 6887 §8.5
        if (invalid != null) {
            LOG.info("PCP gateway {} lost its mappings: {}", gateway.getHostAddress(), invalid);
            fire(GatewayEvent.Kind.STATE_LOST, invalid);
        } else if (fromAnnounce) {
            fire(GatewayEvent.Kind.RECHECK, "PCP ANNOUNCE, epoch " + serverEpoch);
        }
    }

    private void fire(GatewayEvent.Kind kind, String detail) {
        events.fire(new GatewayEvent(kind, MappingProtocol.PCP, gateway, detail));
    }

    /** Adds a listener; the first one starts the ANNOUNCE listener, when the configuration allows one. */
    void addListener(GatewayListener listener) {
        events.addListener(listener);
        if (!announceConfig.enabled()) {
            return;
        }
        synchronized (lock) {
            if (announceListener != null || closed) {
                return;
            }
            try {
                announceListener = AnnounceListener.start(announceConfig, server, clientAddress,
                        (m, at) -> checkEpoch(m.epoch(), at, true));
            } catch (IOException | RuntimeException e) {
                LOG.warn("cannot listen for PCP ANNOUNCE on {}: {}; gateway restarts are noticed at the next "
                        + "renewal instead", announceConfig.bind(), e.toString());
            }
        }
    }

    /** The ANNOUNCE listener's port, or -1 when none runs (tests). */
    int announcePort() throws IOException {
        synchronized (lock) {
            return announceListener == null ? -1 : announceListener.localPort();
        }
    }

    @Override
    public void close() {
        AnnounceListener announce;
        synchronized (lock) {
            closed = true;
            announce = announceListener;
            announceListener = null;
        }
        if (announce != null) {
            announce.close();
        }
        events.close();   // events already queued are still delivered
    }
}
