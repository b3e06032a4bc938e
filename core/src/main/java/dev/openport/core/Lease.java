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
 * lease. Read back every {@link MapOptions#verifyInterval()} (docs/quirks.md); side records in {@link LeaseHistory}.
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
    private LeaseScheduler.Cancellable timer;
    private final LeaseHistory history = new LeaseHistory();
    private long renewAt;
    private boolean redo;
    private boolean busy;
    private boolean releasePending; // close() came while busy: the lease thread releases when done
    private boolean released;

    Lease(LeaseManager manager, ManagedMapping owner, GatewaySession session, MappingRequest request,
            MapOptions options) {
        this.manager = manager;
        this.owner = owner;
        this.session = session;
        this.request = request;
        this.options = options;
        this.abandoned = new AbandonedMappings(session, manager.scheduler());
    }

    /** Any port, TCP+UDP: the second transport asks for the port the first got (VPNs grant one; quirks.md). */
    void askForTheSamePortAs(int grantedPort) { request = request.withExternalPort(grantedPort); }

    synchronized LeasePhase state() { return state; }

    synchronized PortMapping current() { return current; }

    boolean cleanupOnExit() { return options.cleanupOnExit(); }

    /** The first mapping, on the caller's thread; throws instead of retrying. */
    void start(PortMapper mapper) throws PortMappingException {
        PortMapping got = mapper.map(LeaseRequests.requestFor(request, mapper, null, session.permanentLeases()));
        completed(got, mapper, null);
    }

    /** Feeds an event from outside (timer, gateway signal, failover of a sibling, network change). */
    void fire(LeaseEvent event) {
        synchronized (this) {
            LeaseTable.Transition t = step(event);
            if (EnumSet.of(LeaseTable.Action.RENEW, LeaseTable.Action.REPROBE, LeaseTable.Action.VERIFY,
                    LeaseTable.Action.REPAIR).contains(t.action())) {
                cancelTimer();
                manager.scheduler().execute(() -> io(t.next(), t.action()));
            }
        }
    }

    /** Applies the table; the caller holds the lock. */
    private LeaseTable.Transition step(LeaseEvent event) {
        LeaseTable.Transition t = LeaseTable.next(state, event);
        if (t.action() == LeaseTable.Action.REDO) {
            redo = true;
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
            if (state != expected || busy) {
                return; // closed or overtaken meanwhile
            }
            busy = true;
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
            GatewayHealth.Signal showed = LeaseHistory.isSilent(e) ? GatewayHealth.Signal.UNANSWERED
                    : ProtocolRefusals.isLasting(e) ? GatewayHealth.Signal.REFUSED : GatewayHealth.Signal.ANSWERED;
            session.attemptEnded(this, manager.scheduler().nanoTime(), showed);
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
        boolean release = false;
        List<PortMapper> unhold = new ArrayList<>(0);
        synchronized (this) {
            busy = false;
            long now = manager.scheduler().nanoTime();
            if (error == null) {
                got = LeaseRequests.withUsableExternal(got);
                LeaseTable.Transition t = step(LeaseEvent.GRANTED);
                if (t.action() == LeaseTable.Action.UNMAP_LATE) {
                    late = got;
                    release = releasePending;
                } else if (t.action() == LeaseTable.Action.SCHEDULE_RENEW) {
                    PortMapping prev = current;
                    PortMapper prevBy = madeBy;
                    current = got;
                    madeBy = mapper;
                    if (mapper != prevBy) {
                        session.hold(mapper); // under our lock, so a racing close() cannot unhold it first
                        if (prev != null && prevBy != null && !AbandonedMappings.sameProtocol(prev, got)) {
                            // moved to another protocol: the old mapping stays held by prevBy until deleted
                            abandoned.add(prev, prevBy, history.outageSince(now));
                        } else if (prevBy != null) {
                            unhold.add(prevBy);
                        }
                    }
                    abandoned.supersede(got, unhold);
                    history.granted(now);
                    manager.refusals().granted(session.options, got.gateway(), got.protocol());
                    if (history.restored()) {
                        changes.add(change(MappingChange.Kind.RESTORED, prev, got, "mapping restored", null));
                    }
                    if (prev != null && (!LeaseRequests.sameEndpoint(prev, got) || prev.protocol() != got.protocol()
                            || prev.isPermanent() != got.isPermanent()
                            || !prev.internalAddress().equals(got.internalAddress()))) {
                        changes.add(change(MappingChange.Kind.CHANGED, prev, got, LeaseRequests.describe(prev) + " -> "
                                + LeaseRequests.describe(got), null));
                    }
                    renewAt = now + Backoff.renewNanos(got.lifetime(), options.checkInterval(), manager.random());
                    scheduleNext();
                    redoIfAsked();
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
                    case SCHEDULE_RETRY -> schedule(LeaseEvent.RENEW_DUE, Backoff.retryNanos(history.failures(),
                            now - history.outageSince(now), manager.random()));
                    case REPROBE -> manager.scheduler().execute(() -> io(LeasePhase.FAILING_OVER,
                            LeaseTable.Action.REPROBE));
                    default -> release = releasePending && state == LeasePhase.CLOSED;
                }
                if (state != LeasePhase.CLOSED && current != null && history.reportLoss()) {
                    changes.add(change(MappingChange.Kind.LOST, current, current, error.getMessage(), error));
                }
            }
            if (state == LeasePhase.CLOSED && releasePending) {
                release = true;
            }
        }
        unhold.forEach(session::unhold);
        changes.forEach(owner::notify);
        if (late != null && mapper != null) {
            LeaseRequests.unmapQuietly(mapper, late, "a grant that arrived after close()");
        }
        if (release) {
            release();
        }
    }

    /**
     * A read-back: the external address may have changed (WAN renumbering) or be unusable (0.0.0.0 while the WAN
     * is down), the entry may be gone (a silent drop) or forward elsewhere. See docs/quirks.md.
     */
    private void verified(MappingCheck c, PortMapper mapper) {
        List<MappingChange> changes = new ArrayList<>(2);
        boolean release = false;
        synchronized (this) {
            busy = false;
            long now = manager.scheduler().nanoTime();
            java.util.Optional<InetAddress> ext = c.usableExternalAddress();
            LeaseEvent e = c.externalAddress() != null && ext.isEmpty() ? LeaseEvent.NO_WAN
                    : c.state() == MappingCheck.State.MISSING || c.state() == MappingCheck.State.FOREIGN
                    ? LeaseEvent.MISSING : LeaseEvent.HELD;
            if (state != LeasePhase.CLOSED && current != null && ext.isPresent()
                    && !ext.get().equals(current.externalAddress())) {
                PortMapping prev = current;
                current = LeaseRequests.withExternal(prev, ext.get());
                changes.add(change(MappingChange.Kind.CHANGED, prev, current, "the gateway's external address is now "
                        + ext.get().getHostAddress(), null));
            }
            boolean wanJustWentDown = e == LeaseEvent.NO_WAN // logged once per outage, not at every check
                    && session.health() != GatewayHealth.State.WAITING_FOR_WAN;
            if (state == LeasePhase.VERIFYING) {
                session.signal(e == LeaseEvent.NO_WAN ? GatewayHealth.Signal.NO_WAN : GatewayHealth.Signal.WAN_BACK,
                        this);
            }
            if (wanJustWentDown && state == LeasePhase.VERIFYING) {
                LOG.info("gateway {} reports external address {}: waiting for its WAN link",
                        mapper.gateway().getHostAddress(), c.externalAddress().getHostAddress());
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
                    scheduleNext();
                    redoIfAsked();
                }
                case REPAIR -> manager.scheduler().execute(() -> io(t.next(), LeaseTable.Action.REPAIR));
                default -> {
                }
            }
            release = state == LeasePhase.CLOSED && releasePending;
        }
        changes.forEach(owner::notify);
        if (release) {
            release();
        }
    }

    /** An answer that came in while an event was pending: look again now. Caller holds the lock. */
    private void redoIfAsked() {
        if (redo) {
            redo = false;
            manager.scheduler().execute(() -> fire(LeaseEvent.RECHECK));
        }
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
        boolean wasBusy;
        synchronized (this) {
            if (state == LeasePhase.CLOSED) {
                return;
            }
            step(LeaseEvent.CLOSE);
            cancelTimer();
            cur = current;
            mapper = madeBy;
            wasBusy = busy;
            releasePending = wasBusy;
        }
        if (cur != null && mapper != null) {
            LeaseRequests.unmapQuietly(mapper, cur, "close()");
        }
        abandoned.deleteDue(true);
        if (!wasBusy) {
            release();
        }
    }

    private void release() {
        List<PortMapper> held = new ArrayList<>(2);
        synchronized (this) {
            if (released) {
                return;
            }
            released = true;
            held.add(madeBy);
        }
        held.remove(null);
        held.addAll(abandoned.drain());
        held.forEach(session::unhold); // closes replaced mappers nobody needs any more
        session.remove(this);
        manager.release(this);
    }

    /** How many abandoned mappings this lease still means to delete (tests). */
    int abandonedCount() { return abandoned.count(); }

    /** The next timer: the renewal when it is due before the next verification, else the verification. */
    private void scheduleNext() {
        long now = manager.scheduler().nanoTime();
        long renewIn = Math.max(0, renewAt - now);
        long verifyIn = Backoff.verifyNanos(options.verifyInterval(), manager.random());
        if (renewIn <= verifyIn) {
            schedule(LeaseEvent.RENEW_DUE, renewIn);
        } else {
            schedule(LeaseEvent.VERIFY_DUE, verifyIn);
        }
    }

    private void schedule(LeaseEvent event, long delayNanos) {
        cancelTimer();
        timer = manager.scheduler().schedule(() -> fire(event), delayNanos);
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel();
            timer = null;
        }
    }

    private MappingChange change(MappingChange.Kind kind, PortMapping prev, PortMapping now, String detail,
            PortMappingException cause) {
        return new MappingChange(kind, owner, request.transport(), prev, now, detail, cause);
    }
}
