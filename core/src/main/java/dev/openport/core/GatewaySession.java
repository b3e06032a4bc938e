package dev.openport.core;

import dev.openport.core.spi.GatewayEvent;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The mapper shared by every managed mapping made with the same {@link DiscoveryOptions}: one probe, one set
 * of sockets, one listener for gateway signals, however many mappings. When the protocol in use stops
 * answering, the first lease to notice re-probes every protocol, installs the winner, and tells the others
 * to re-check, so they move over too.
 *
 * <p>A mapper replaced by a failover is not closed while a lease still holds a mapping it made: the leases
 * delete their abandoned mappings through it first ({@link #hold}/{@link #unhold} count them).
 */
final class GatewaySession {
    private static final Logger LOG = LoggerFactory.getLogger(GatewaySession.class);

    private final LeaseManager manager;
    final DiscoveryOptions options;
    private final Object probeLock = new Object();
    private volatile PortMapper mapper;
    private final Set<Lease> leases = new LinkedHashSet<>(); // guarded by manager
    private boolean closed; // guarded by manager
    private volatile boolean permanentLeases;
    private volatile Gateways.GatewayTarget target; // where the installed mapper was probed from
    private final Set<java.net.InetAddress> formerLocals = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** Verifications look at the route too, but the session at most this often (many leases, one route). */
    static final long ROUTE_CHECK_GAP_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(1);
    private long routeCheckedAt = Long.MIN_VALUE; // guarded by this

    /**
     * While the gateway is not answering, only one lease at a time talks to it: another lease's attempt fails
     * fast unless this long has passed since the last real attempt. With one lease thread and a 3 s protocol
     * timeout, 10,000 mappings retrying one by one would otherwise block the thread for hours.
     */
    static final long OUTAGE_GATE_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(1);
    private static final long NONE = Long.MIN_VALUE;
    private GatewayHealth.State health = GatewayHealth.State.UP; // guarded by this
    private long lastAttemptEnd = NONE; // guarded by this
    private Lease lastAttemptBy; // guarded by this

    /**
     * After a delete of an abandoned mapping went unanswered, the next try through that mapper waits this long,
     * whichever lease makes it: a protocol we failed over from is usually still silent, and each try costs a
     * full protocol timeout on the one lease thread.
     */
    static final long ABANDONED_GATE_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(30);

    /** How many leases hold a mapper (as the maker of their mapping or of an abandoned one), and its health. */
    private static final class Use {
        int holders;
        boolean retired;
        long quietAt = NONE;
    }

    private final Map<PortMapper, Use> uses = new IdentityHashMap<>(); // guarded by manager; one entry per mapper

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
                install(probeFromHere());
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
            PortMapper fresh = probeFromHere();
            LOG.info("gateway {}: {} stopped answering or refused, continuing with {}",
                    fresh.gateway().getHostAddress(),
                    m == null ? "?" : m.protocol().displayName(), fresh.protocol().displayName());
            install(fresh);
            if (m != null) {
                retire(m);
            }
        }
        signal(GatewayHealth.Signal.FAILED_OVER, null);
        for (Lease l : snapshot()) {
            l.fire(LeaseEvent.RECHECK); // the failing lease itself is FAILING_OVER and ignores it
        }
        return mapper;
    }

    /** Resolves the route to the gateway now and probes from there. */
    private PortMapper probeFromHere() throws PortMappingException {
        Gateways.GatewayTarget t = manager.resolve(options);
        PortMapper m = manager.probe(options, t);
        target = t;
        return m;
    }

    /**
     * Whether {@code client} is an address this host had before the network changed: a mapping forwarding there
     * must move (delete the old entry, map for the new address).
     */
    boolean leftBehind(java.net.InetAddress client) {
        return formerLocals.contains(client) && !client.equals(localAddress());
    }

    /** The local address the mapper in use was probed from (this host's address towards the gateway), or null. */
    java.net.InetAddress localAddress() {
        Gateways.GatewayTarget t = target;
        return t == null ? null : t.localAddress();
    }

    /**
     * Looks whether the route to the gateway changed (another default gateway, another local address: a new
     * network, DHCP) and if so probes again from the new one and tells every lease to move its mapping (the
     * leases delete the entry for the old address through the old mapper: docs/quirks.md, "LAN address
     * change"). A failed probe is tried again at the next look.
     */
    void checkRoute() {
        Gateways.GatewayTarget was = target;
        PortMapper old = mapper;
        if (was == null || old == null) {
            return;
        }
        Gateways.GatewayTarget now;
        try {
            now = manager.resolve(options);
        } catch (PortMappingException e) {
            LOG.debug("no route to a gateway now: {}", e.getMessage());
            return;
        } catch (RuntimeException e) {
            // a routing table printed in a form the parser does not expect: keep the route we have rather than
            // let the exception end the network watch or leave the verifying lease without a next timer
            LOG.debug("cannot read the route to the gateway now", e);
            return;
        }
        if (now.equals(was)) {
            return;
        }
        LOG.info("network changed: gateway {} from {} -> gateway {} from {}: probing again",
                was.gateway().getHostAddress(), was.localAddress().getHostAddress(), now.gateway().getHostAddress(),
                now.localAddress().getHostAddress());
        synchronized (probeLock) {
            if (mapper != old) {
                return; // a failover got there first
            }
            try {
                install(probeFromHere());
            } catch (PortMappingException e) {
                LOG.info("network changed, but no gateway answers yet: {}", e.getMessage());
                return;
            }
            if (!was.localAddress().equals(now.localAddress())) {
                formerLocals.add(was.localAddress());
            }
            retire(old);
        }
        for (Lease l : snapshot()) {
            l.fire(LeaseEvent.RECHECK);
        }
    }

    /** {@link #checkRoute()}, unless it ran less than {@link #ROUTE_CHECK_GAP_NANOS} ago. */
    void checkRouteIfDue(long now) {
        synchronized (this) {
            if (routeCheckedAt != Long.MIN_VALUE && now - routeCheckedAt < ROUTE_CHECK_GAP_NANOS) {
                return;
            }
            routeCheckedAt = now;
        }
        checkRoute();
    }

    /** A replaced mapper: closed now unless leases still hold mappings it made (then by the last {@link #unhold}). */
    private void retire(PortMapper m) {
        boolean close;
        synchronized (manager) {
            Use u = uses.get(m);
            close = u == null;
            if (u != null) {
                u.retired = true;
            }
        }
        if (close) {
            m.close();
        }
    }

    /** A lease now holds a mapping made by {@code m}. */
    void hold(PortMapper m) {
        synchronized (manager) {
            uses.computeIfAbsent(m, k -> new Use()).holders++;
        }
    }

    /** A lease no longer holds a mapping made by {@code m}; a retired mapper closes with its last holder. */
    void unhold(PortMapper m) {
        boolean close = false;
        synchronized (manager) {
            Use u = uses.get(m);
            if (u == null || --u.holders > 0) {
                return;
            }
            uses.remove(m);
            close = u.retired;
        }
        if (close) {
            m.close();
        }
    }

    /**
     * Whether a lease may try to delete an abandoned mapping through {@code m} now: not within {@code gate} of
     * the last unanswered try through it.
     */
    boolean mayDeleteThrough(PortMapper m, long now, long gate) {
        synchronized (manager) {
            Use u = uses.get(m);
            return u == null || u.quietAt == NONE || now - u.quietAt >= gate;
        }
    }

    /** Records how a delete through {@code m} ended. */
    void deleteEnded(PortMapper m, long now, boolean unanswered) {
        synchronized (manager) {
            Use u = uses.get(m);
            if (u != null) {
                u.quietAt = unanswered ? now : NONE;
            }
        }
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

    /** Whether {@code lease} may talk to the gateway now, or should fail fast (see {@link #OUTAGE_GATE_NANOS}). */
    synchronized boolean mayAttempt(Lease lease, long now) {
        return health != GatewayHealth.State.DOWN || lastAttemptBy == lease || lastAttemptEnd == NONE
                || now - lastAttemptEnd >= OUTAGE_GATE_NANOS;
    }

    /** Records the end of a real attempt by {@code lease} and what it showed ({@link GatewayHealth}). */
    void attemptEnded(Lease lease, long now, GatewayHealth.Signal showed) {
        synchronized (this) {
            lastAttemptEnd = now;
            lastAttemptBy = lease;
        }
        signal(showed, lease);
    }

    /**
     * Applies {@code s} to the health table. When the gateway answers again after an outage, every lease still
     * waiting out its backoff (except {@code from}) is told to re-check at once instead of after up to a minute.
     */
    void signal(GatewayHealth.Signal s, Lease from) {
        GatewayHealth.Transition t;
        synchronized (this) {
            t = GatewayHealth.next(health, s);
            if (t.next() != health) {
                LOG.debug("gateway health: {} --{}--> {}", health, s, t.next());
            }
            health = t.next();
        }
        if (t.wake()) {
            for (Lease l : snapshot()) {
                if (l != from && l.state().waitsOutBackoff()) {
                    l.fire(LeaseEvent.RECHECK);
                }
            }
        }
    }

    /**
     * A lease's read-back through {@code gateway} showed whether it has a usable external address ({@code wanDown}:
     * it reported {@code reported}, e.g. 0.0.0.0); said once per outage in the log, not at every check.
     */
    void readBack(boolean wanDown, java.net.InetAddress gateway, java.net.InetAddress reported, Lease from) {
        if (wanDown && health() != GatewayHealth.State.WAITING_FOR_WAN) {
            LOG.info("gateway {} reports external address {}: waiting for its WAN link", gateway.getHostAddress(),
                    reported.getHostAddress());
        }
        signal(wanDown ? GatewayHealth.Signal.NO_WAN : GatewayHealth.Signal.WAN_BACK, from);
    }

    /** The gateway's health now. */
    synchronized GatewayHealth.State health() {
        return health;
    }

    /**
     * Whether UPnP mappings on this gateway ask for permanent leases: the firmware drops finite ones (DD-WRT; see
     * docs/quirks.md, "lease-0-only firmware"). Only leases on UPnP use it; NAT-PMP and PCP have no permanent
     * lease.
     */
    boolean permanentLeases() {
        return permanentLeases;
    }

    /** Switches this gateway to permanent UPnP leases; {@code true} the first time (to log it once). */
    synchronized boolean usePermanentLeases() {
        if (permanentLeases) {
            return false;
        }
        permanentLeases = true;
        return true;
    }

    /** Whether the gateway is currently considered down (tests). */
    synchronized boolean down() {
        return health == GatewayHealth.State.DOWN;
    }

    /** The mapper in use, or {@code null} (tests). */
    PortMapper current() {
        return mapper;
    }
}
