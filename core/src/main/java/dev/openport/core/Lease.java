package dev.openport.core;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives one transport of one {@link ManagedMapping} through {@link LeaseTable}. State changes happen under the
 * lease's lock; network calls happen outside it, always on the lease thread (except the delete in
 * {@link #close()}, which runs on the caller's thread so it is done when close() returns). A request in flight
 * when close() is called is finished by the lease thread, which deletes a late grant and then releases the
 * lease. Read back every {@link MapOptions#verifyInterval()} (docs/quirks.md). The tables are the whole truth:
 * {@link LeaseTable} for the mapping's life, {@link InFlight} for the attempt running; side records in
 * {@link LeaseHistory} and {@link AbandonedMappings}.
 */
final class Lease {
    private static final Logger LOG = LoggerFactory.getLogger(Lease.class);

    private final LeaseManager manager;
    final ManagedMapping owner;
    final GatewaySession session;
    volatile MappingRequest request; // changed only by askForTheSamePortAs, before the first mapping
    private final MapOptions options;
    private final AbandonedMappings abandoned;

    // guarded by this
    private LeasePhase state = LeasePhase.MAPPING;
    private PortMapping current;
    private PortMapper madeBy;
    private final LeaseTimer timer;
    private final LeaseHistory history = new LeaseHistory();
    private final InFlight attempt = new InFlight();

    Lease(LeaseManager manager, ManagedMapping owner, GatewaySession session, MappingRequest request,
            MapOptions options) {
        this.manager = manager;
        this.owner = owner;
        this.session = session;
        this.request = request;
        this.options = options;
        this.abandoned = new AbandonedMappings(session, manager.scheduler());
        this.timer = new LeaseTimer(manager, options, this::fire);
    }

    /** Any port, TCP+UDP: the second transport asks for the port the first got (VPNs grant one; quirks.md). */
    void askForTheSamePortAs(int grantedPort) { request = request.withExternalPort(grantedPort); }

    synchronized LeasePhase state() { return state; }

    synchronized PortMapping current() { return current; }

    boolean cleanupOnExit() { return options.cleanupOnExit(); }

    /** The first mapping, on the caller's thread; throws instead of retrying. */
    void start(PortMapper mapper) throws PortMappingException {
        synchronized (this) {
            attempt.on(InFlight.Event.BEGIN);
        }
        PortMapping got;
        try {
            got = mapper.map(LeaseRequests.requestFor(request, mapper, null, session.permanentLeases()));
        } catch (PortMappingException | RuntimeException e) {
            ended(false);
            throw e;
        }
        completed(got, mapper, null);
    }

    /** Feeds an event from outside (timer, gateway signal, failover of a sibling, network change). */
    void fire(LeaseEvent event) {
        synchronized (this) {
            LeaseTable.Transition t = step(event);
            if (EnumSet.of(LeaseTable.Action.RENEW, LeaseTable.Action.REPROBE, LeaseTable.Action.VERIFY,
                    LeaseTable.Action.REPAIR).contains(t.action())) {
                timer.cancel();
                manager.scheduler().execute(() -> io(t.next(), t.action()));
            }
        }
    }

    /** Applies the table; the caller holds the lock. */
    private LeaseTable.Transition step(LeaseEvent event) {
        LeaseTable.Transition t = LeaseTable.next(state, event);
        if (t.action() == LeaseTable.Action.REDO) {
            attempt.on(InFlight.Event.AGAIN);
        }
        if (t.next() != state) {
            LOG.trace("{} {}: {} --{}--> {} ({})", request.transport(), request.internalPort(), state, event,
                    t.next(), t.action());
        }
        state = t.next();
        return t;
    }

    /** Renews, verifies, repairs or re-probes; runs on the lease thread. */
    private void io(LeasePhase expected, LeaseTable.Action action) {
        PortMapping cur;
        PortMapper old;
        synchronized (this) {
            if (state != expected || attempt.on(InFlight.Event.BEGIN) != InFlight.Action.PROCEED) {
                return; // closed or overtaken meanwhile
            }
            cur = current;
            old = madeBy;
        }
        boolean reprobe = action == LeaseTable.Action.REPROBE;
        if (!reprobe) {
            // before the renewal: should the router keep one table for all protocols, deleting the old
            // protocol's rule for this port may remove ours too, and the renewal right after puts it back
            abandoned.deleteDue(false);
        }
        if (action == LeaseTable.Action.VERIFY) { // this host's LAN address may have changed (docs/quirks.md)
            session.checkRouteIfDue(manager.scheduler().nanoTime());
        }
        if (!session.mayAttempt(this, manager.scheduler().nanoTime())) {
            completed(null, old, new PortMappingException(PortMappingException.Reason.TIMEOUT,
                    "gateway not answering (another mapping is checking it; trying again later)"));
            return;
        }
        PortMapper mapper = null;
        try {
            mapper = reprobe ? session.failover(old) : session.mapper();
            // same protocol (even a fresh mapper after a re-probe): renew, which keeps the PCP nonce that the
            // gateway ties the mapping to; another protocol: map afresh, asking for the same external port
            boolean same = cur != null && mapper.protocol() == cur.protocol() && mapper.gateway().equals(cur.gateway());
            if (same && request.internalAddress() == null && session.leftBehind(cur.internalAddress())) {
                // this host moved to another LAN address (docs/quirks.md, "LAN address change"): drop the entry
                // for the old client through the mapper that made it, then map for the new one
                LeaseRequests.unmapQuietly(old, cur, "this host's LAN address changed");
                same = false;
            }
            if (same && action == LeaseTable.Action.VERIFY && LeaseRequests.readsBackByCheck(cur)) {
                MappingCheck c = mapper.check(cur);
                session.attemptEnded(this, manager.scheduler().nanoTime(), GatewayHealth.Signal.ANSWERED);
                verified(c, mapper);
                return;
            }
            // NAT-PMP and PCP read a mapping back by renewing it (their answer carries the epoch too)
            boolean permanent = session.permanentLeases();
            PortMapping got = !same ? mapper.map(LeaseRequests.requestFor(request, mapper, cur, permanent))
                    : action == LeaseTable.Action.REPAIR
                    ? mapper.repair(LeaseRequests.forRepair(request, cur, mapper, permanent)) : mapper.renew(cur);
            session.attemptEnded(this, manager.scheduler().nanoTime(), GatewayHealth.Signal.ANSWERED);
            completed(got, mapper, null);
        } catch (PortMappingException e) {
            session.attemptEnded(this, manager.scheduler().nanoTime(), LeaseHistory.showed(e));
            completed(null, mapper, e);
        } catch (RuntimeException e) {
            LOG.warn("{} mapper threw unexpectedly", mapper == null ? "?" : mapper.protocol().displayName(), e);
            session.attemptEnded(this, manager.scheduler().nanoTime(), GatewayHealth.Signal.ANSWERED);
            completed(null, mapper, new PortMappingException(PortMappingException.Reason.PROTOCOL_ERROR,
                    e.toString(), e));
        }
    }

    private void completed(PortMapping got, PortMapper mapper, PortMappingException error) {
        List<MappingChange> changes = new ArrayList<>(2);
        PortMapping late = null;
        boolean settled = false;
        List<PortMapper> unhold = new ArrayList<>(0);
        synchronized (this) {
            long now = manager.scheduler().nanoTime();
            if (error == null) {
                got = LeaseRequests.withUsableExternal(got);
                LeaseTable.Transition t = step(LeaseEvent.GRANTED);
                if (t.action() == LeaseTable.Action.UNMAP_LATE) {
                    late = got;
                } else if (t.action() == LeaseTable.Action.SCHEDULE_RENEW) {
                    PortMapping prev = current;
                    PortMapper prevBy = madeBy;
                    current = got;
                    madeBy = mapper;
                    if (mapper != prevBy) {
                        session.hold(mapper); // under our lock, so a racing close() cannot unhold it first
                    }
                    abandoned.granted(prev, prevBy, got, mapper, history.outageSince(now), unhold);
                    history.granted(now);
                    manager.refusals().granted(session.options, got.gateway(), got.protocol());
                    if (history.restored()) {
                        changes.add(change(MappingChange.Kind.RESTORED, prev, got, "mapping restored", null));
                    }
                    if (prev != null && LeaseRequests.changed(prev, got)) {
                        changes.add(change(MappingChange.Kind.CHANGED, prev, got, LeaseRequests.describe(prev) + " -> "
                                + LeaseRequests.describe(got), null));
                    }
                    timer.granted(got.lifetime());
                    timer.next();
                    settled = true;
                }
            } else {
                LeaseEvent e = history.failed(error, now);
                if (e == LeaseEvent.REFUSED && mapper != null) {
                    // the half-open router (docs/quirks.md): skip this protocol on this gateway from now on
                    manager.refusals().refused(session.options, mapper.gateway(), mapper.protocol(), error);
                }
                LeaseTable.Transition t = step(e);
                LOG.debug("{} {}: attempt {} failed ({}): {}", request.transport(), request.internalPort(),
                        history.failures(), t.action(), error.getMessage());
                switch (t.action()) {
                    case SCHEDULE_RETRY -> timer.retry(history.failures(), history.outageSince(now));
                    case REPROBE -> manager.scheduler().execute(() -> io(LeasePhase.FAILING_OVER,
                            LeaseTable.Action.REPROBE));
                    default -> {
                    }
                }
                if (state != LeasePhase.CLOSED && current != null && history.reportLoss()) {
                    changes.add(change(MappingChange.Kind.LOST, current, current, error.getMessage(), error));
                }
            }
        }
        unhold.forEach(session::unhold);
        changes.forEach(owner::notify);
        if (late != null && mapper != null) {
            LeaseRequests.unmapQuietly(mapper, late, "a grant that arrived after close()");
        }
        ended(settled);
    }

    /**
     * The attempt ended: repeat it if an event came that its answer may predate and the lease settled, release
     * the lease if it was closed meanwhile ({@link InFlight}).
     */
    private void ended(boolean settled) {
        InFlight.Action a;
        synchronized (this) {
            a = attempt.on(settled ? InFlight.Event.SETTLED : InFlight.Event.ENDED);
        }
        if (a == InFlight.Action.REPEAT) {
            manager.scheduler().execute(() -> fire(LeaseEvent.RECHECK));
        } else if (a == InFlight.Action.RELEASE) {
            release();
        }
    }

    /**
     * A read-back: the external address may have changed (WAN renumbering) or be unusable (0.0.0.0 while the WAN
     * is down), the entry may be gone (a silent drop) or forward elsewhere. See docs/quirks.md.
     */
    private void verified(MappingCheck c, PortMapper mapper) {
        List<MappingChange> changes = new ArrayList<>(2);
        boolean settled = false;
        synchronized (this) {
            long now = manager.scheduler().nanoTime();
            java.util.Optional<InetAddress> ext = c.usableExternalAddress();
            LeaseEvent e = LeaseRequests.eventOf(c);
            if (state != LeasePhase.CLOSED && current != null && ext.isPresent()
                    && !ext.get().equals(current.externalAddress())) {
                PortMapping prev = current;
                current = LeaseRequests.withExternal(prev, ext.get());
                changes.add(change(MappingChange.Kind.CHANGED, prev, current, "the gateway's external address is now "
                        + ext.get().getHostAddress(), null));
            }
            if (state == LeasePhase.VERIFYING) {
                session.readBack(e == LeaseEvent.NO_WAN, mapper.gateway(), c.externalAddress(), this);
            }
            if (e == LeaseEvent.MISSING && state == LeasePhase.VERIFYING) {
                if (history.droppedEarly(current, now) && mapper.protocol() == MappingProtocol.UPNP
                        && session.usePermanentLeases()) {
                    LOG.warn("gateway {} drops finite UPnP leases long before they end (twice in a row): using"
                            + " permanent leases from now on, deleted on close", mapper.gateway().getHostAddress());
                }
                if (history.reportLoss()) {
                    changes.add(change(MappingChange.Kind.LOST, current, current, "the gateway no longer holds the"
                            + " mapping (" + c.state().name().toLowerCase(java.util.Locale.ROOT) + "); re-adding it",
                            null));
                }
            }
            LeaseTable.Transition t = step(e);
            switch (t.action()) {
                case SCHEDULE_RENEW, SCHEDULE_VERIFY -> {
                    timer.next();
                    settled = true;
                }
                case REPAIR -> manager.scheduler().execute(() -> io(t.next(), LeaseTable.Action.REPAIR));
                default -> {
                }
            }
        }
        changes.forEach(owner::notify);
        ended(settled);
    }

    /** Signals from the gateway: report the loss, then let the table decide. */
    void gatewaySignal(LeaseEvent event, String detail) {
        manager.scheduler().execute(() -> onSignal(event, detail));
    }

    /** The outside could not reach the mapping: delete and add it, on the lease thread (docs/quirks.md). */
    void reportUnreachable() {
        manager.scheduler().execute(() -> onSignal(LeaseEvent.UNREACHABLE,
                "reported unreachable from outside; deleting and adding it again"));
    }

    private void onSignal(LeaseEvent event, String detail) {
        MappingChange note = null;
        synchronized (this) {
            boolean lost = event == LeaseEvent.STATE_LOST || event == LeaseEvent.UNREACHABLE
                    && LeaseTable.next(state, event).action() == LeaseTable.Action.REPAIR;
            if (lost && current != null && state != LeasePhase.CLOSED && history.reportLoss()) {
                note = change(MappingChange.Kind.LOST, current, current, detail, null);
            }
        }
        if (note != null) {
            owner.notify(note);
        }
        fire(event);
    }

    /** Deletes the mapping now (bounded by the mapper's timeout) and stops managing it. */
    void close() {
        PortMapping cur;
        PortMapper mapper;
        InFlight.Action then;
        synchronized (this) {
            if (state == LeasePhase.CLOSED) {
                return;
            }
            step(LeaseEvent.CLOSE);
            timer.cancel();
            cur = current;
            mapper = madeBy;
            then = attempt.on(InFlight.Event.CLOSE); // an attempt running releases the lease when it ends
        }
        if (cur != null && mapper != null) {
            LeaseRequests.unmapQuietly(mapper, cur, "close()");
        }
        abandoned.deleteDue(true);
        if (then == InFlight.Action.RELEASE) {
            release();
        }
    }

    /** Called exactly once, when {@link InFlight} says so. */
    private void release() {
        List<PortMapper> held = new ArrayList<>(2);
        synchronized (this) {
            if (madeBy != null) {
                held.add(madeBy);
            }
        }
        held.addAll(abandoned.drain());
        held.forEach(session::unhold); // closes replaced mappers nobody needs any more
        session.remove(this);
        manager.release(this);
    }

    /** How many abandoned mappings this lease still means to delete (tests). */
    int abandonedCount() { return abandoned.count(); }

    private MappingChange change(MappingChange.Kind kind, PortMapping prev, PortMapping now, String detail,
            PortMappingException cause) {
        return new MappingChange(kind, owner, request.transport(), prev, now, detail, cause);
    }
}
