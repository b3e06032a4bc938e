package dev.openport.core;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The mapper shared by every managed mapping made with the same {@link DiscoveryOptions}: one probe, one set
 * of sockets, one listener for gateway signals, however many mappings. When the protocol in use stops
 * answering, the first lease to notice re-probes every protocol, installs the winner, and tells the others
 * to re-check, so they move over too.
 */
final class GatewaySession {
    private static final Logger LOG = LoggerFactory.getLogger(GatewaySession.class);

    private final LeaseManager manager;
    final DiscoveryOptions options;
    private final Object probeLock = new Object();
    private volatile PortMapper mapper;
    private final Set<Lease> leases = new LinkedHashSet<>(); // guarded by manager
    private boolean closed; // guarded by manager

    GatewaySession(LeaseManager manager, DiscoveryOptions options) {
        this.manager = manager;
        this.options = options;
    }

    /** The mapper in use, probing for one first if there is none yet. */
    PortMapper mapper() throws PortMappingException {
        PortMapper m = mapper;
        if (m != null) {
            return m;
        }
        synchronized (probeLock) {
            if (mapper == null) {
                install(manager.probe(options));
            }
            return mapper;
        }
    }

    /**
     * Re-probes every allowed protocol because {@code failed} stopped answering, unless another lease already
     * replaced it. The old mapper is kept when nothing answers (it may come back).
     */
    PortMapper failover(PortMapper failed) throws PortMappingException {
        synchronized (probeLock) {
            PortMapper m = mapper;
            if (m != null && m != failed) {
                return m; // a sibling already failed over
            }
            PortMapper fresh = manager.probe(options);
            LOG.info("gateway {}: {} stopped answering, continuing with {}", fresh.gateway().getHostAddress(),
                    m == null ? "?" : m.protocol().displayName(), fresh.protocol().displayName());
            install(fresh);
            if (m != null) {
                m.close();
            }
        }
        for (Lease l : snapshot()) {
            l.fire(LeaseEvent.RECHECK); // the failing lease itself is FAILING_OVER and ignores it
        }
        return mapper;
    }

    private void install(PortMapper m) {
        boolean stale;
        synchronized (manager) {
            stale = closed;
            if (!stale) {
                mapper = m;
            }
        }
        if (stale) {
            m.close();
            return;
        }
        m.addListener(event -> onGatewayEvent(m, event));
    }

    private void onGatewayEvent(PortMapper from, GatewayEvent event) {
        if (from != mapper) {
            return; // a replaced mapper's late news
        }
        LeaseEvent e = event.kind() == GatewayEvent.Kind.STATE_LOST ? LeaseEvent.STATE_LOST : LeaseEvent.RECHECK;
        LOG.debug("gateway {} ({}): {} {}", event.gateway().getHostAddress(), event.protocol().displayName(),
                event.kind(), event.detail());
        for (Lease l : snapshot()) {
            l.gatewaySignal(e, event.protocol().displayName() + ": " + event.kind() + " " + event.detail());
        }
    }

    private List<Lease> snapshot() {
        synchronized (manager) {
            return new ArrayList<>(leases);
        }
    }

    /** Caller holds the manager's lock. */
    boolean addLocked(Lease l) {
        if (closed) {
            return false;
        }
        leases.add(l);
        return true;
    }

    /** A lease is done; the last one closes the mapper and retires the session. */
    void remove(Lease l) {
        PortMapper toClose = null;
        synchronized (manager) {
            leases.remove(l);
            if (leases.isEmpty() && !closed) {
                closed = true;
                manager.retire(this);
                toClose = mapper;
                mapper = null;
            }
        }
        if (toClose != null) {
            toClose.close();
        }
    }

    /** The mapper in use, or {@code null} (tests). */
    PortMapper current() {
        return mapper;
    }
}
