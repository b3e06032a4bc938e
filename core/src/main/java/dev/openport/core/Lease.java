package dev.openport.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives one transport of one {@link ManagedMapping} through {@link LeaseTable}. State changes happen under the
 * lease's lock; network calls happen outside it, always on the lease thread (except the delete in
 * {@link #close()}, which runs on the caller's thread so it is done when close() returns). A request in flight
 * when close() is called is finished by the lease thread, which deletes a late grant and then releases the
 * lease.
 *
 * <p>After a failover to another protocol the mapping made on the old one is "abandoned": left to run out it
 * would pile rules up on the router (DESIGN §5.1), and a permanent one (UPnP error 725) would never go. The
 * lease deletes it through the old mapper (which the session keeps open meanwhile) before each later renewal
 * — never right after the failover, when the old protocol has just gone silent — and once more on close(). It
 * is forgotten once deleted, once its lease has run out (never for a permanent one), or after close().
 */
final class Lease {
    private static final Logger LOG = LoggerFactory.getLogger(Lease.class);
    private static final long NONE = Long.MIN_VALUE;
    /** Consecutive unanswered attempts before failing over to whatever protocol answers now. */
    static final int FAILOVER_AFTER_SILENT = 2;
    /** Consecutive failures of any kind before failing over (a refused connection, a broken cached URL). */
    static final int FAILOVER_AFTER_ANY = 4;

    private final LeaseManager manager;
    final ManagedMapping owner;
    final GatewaySession session;
    final MappingRequest request;
    private final MapOptions options;

    // guarded by this
    private LeaseState state = LeaseState.MAPPING;
    private PortMapping current;
    private PortMapper madeBy;
    private LeaseScheduler.Cancellable timer;
    private int failures;
    private int silent;
    private long outageSince = NONE;
    private boolean lost;
    private boolean redo;
    private boolean busy;
    private boolean releasePending;
    private boolean released;
    private Abandoned abandoned; // null unless a failover left a mapping behind: one field per lease

    /** A mapping left on a protocol we failed over from; a list because failovers can repeat. */
    private record Abandoned(PortMapping mapping, PortMapper by, long expiresNanos, Abandoned next) {
        boolean expired(long now) {
            return !mapping.isPermanent() && now - expiresNanos >= 0;
        }
    }

    Lease(LeaseManager manager, ManagedMapping owner, GatewaySession session, MappingRequest request,
            MapOptions options) {
        this.manager = manager;
        this.owner = owner;
        this.session = session;
        this.request = request;
        this.options = options;
    }

    synchronized LeaseState state() {
        return state;
    }

    synchronized PortMapping current() {
        return current;
    }

    boolean cleanupOnExit() {
        return options.cleanupOnExit();
    }

    /** The first mapping, on the caller's thread; throws instead of retrying. */
    void start(PortMapper mapper) throws PortMappingException {
        PortMapping got = mapper.map(request);
        completed(got, mapper, null);
    }

    /** Feeds an event from outside (timer, gateway signal, failover of a sibling). */
    void fire(LeaseEvent event) {
        LeaseTable.Transition t;
        synchronized (this) {
            t = step(event);
            if (t.action() == LeaseTable.Action.RENEW || t.action() == LeaseTable.Action.REPROBE) {
                cancelTimer();
                LeaseState expected = t.next();
                boolean reprobe = t.action() == LeaseTable.Action.REPROBE;
                manager.scheduler().execute(() -> io(expected, reprobe));
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

    /** Renews or re-probes; runs on the lease thread. */
    private void io(LeaseState expected, boolean reprobe) {
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
        if (!reprobe) {
            // before the renewal: should the router keep one table for all protocols, deleting the old
            // protocol's rule for this port may remove ours too, and the renewal right after puts it back
            deleteAbandoned(false);
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
            PortMapping got = same ? mapper.renew(cur) : mapper.map(nextRequest(cur));
            session.attemptEnded(this, manager.scheduler().nanoTime(), false);
            completed(got, mapper, null);
        } catch (PortMappingException e) {
            session.attemptEnded(this, manager.scheduler().nanoTime(), isSilent(e));
            completed(null, mapper, e);
        } catch (RuntimeException e) {
            LOG.warn("{} mapper threw unexpectedly", mapper == null ? "?" : mapper.protocol().displayName(), e);
            session.attemptEnded(this, manager.scheduler().nanoTime(), false);
            completed(null, mapper, new PortMappingException(PortMappingException.Reason.PROTOCOL_ERROR,
                    e.toString(), e));
        }
    }

    /** On another mapper, ask for the external port we had so players keep their address. */
    private MappingRequest nextRequest(PortMapping cur) {
        return cur == null || request.exactExternalPort() ? request : request.withExternalPort(cur.externalPort());
    }

    private void completed(PortMapping got, PortMapper mapper, PortMappingException error) {
        List<MappingChange> changes = new ArrayList<>(2);
        PortMapping late = null;
        boolean release = false;
        List<PortMapper> unhold = new ArrayList<>(0);
        synchronized (this) {
            busy = false;
            if (error == null) {
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
                        if (prev != null && prevBy != null && !sameProtocol(prev, got)) {
                            // moved to another protocol: the old mapping stays held by prevBy until deleted
                            long since = outageSince != NONE ? outageSince : manager.scheduler().nanoTime();
                            abandoned = new Abandoned(prev, prevBy, since + prev.lifetime().toNanos(), abandoned);
                        } else if (prevBy != null) {
                            unhold.add(prevBy);
                        }
                    }
                    abandoned = supersede(abandoned, got, unhold);
                    failures = 0;
                    silent = 0;
                    outageSince = NONE;
                    if (lost) {
                        lost = false;
                        changes.add(change(MappingChange.Kind.RESTORED, prev, got, "mapping restored", null));
                    }
                    if (prev != null && (!sameEndpoint(prev, got) || prev.protocol() != got.protocol())) {
                        changes.add(change(MappingChange.Kind.CHANGED, prev, got,
                                describe(prev) + " -> " + describe(got), null));
                    }
                    schedule(Backoff.renewNanos(got.lifetime(), options.checkInterval(), manager.random()));
                    if (redo) {
                        redo = false;
                        manager.scheduler().execute(() -> fire(LeaseEvent.RECHECK));
                    }
                }
            } else {
                failures++;
                silent = isSilent(error) ? silent + 1 : 0;
                long now = manager.scheduler().nanoTime();
                if (outageSince == NONE) {
                    outageSince = now;
                }
                boolean failover = silent >= FAILOVER_AFTER_SILENT || failures >= FAILOVER_AFTER_ANY;
                LeaseTable.Transition t = step(failover ? LeaseEvent.SILENT : LeaseEvent.FAILURE);
                LOG.debug("{} {}: attempt {} failed ({}): {}", request.transport(), request.internalPort(), failures,
                        t.action(), error.getMessage());
                switch (t.action()) {
                    case SCHEDULE_RETRY -> schedule(Backoff.retryNanos(failures, now - outageSince,
                            manager.random()));
                    case REPROBE -> manager.scheduler().execute(() -> io(LeaseState.FAILING_OVER, true));
                    default -> release = releasePending && state == LeaseState.CLOSED;
                }
                if (!lost && state != LeaseState.CLOSED && current != null) {
                    lost = true;
                    changes.add(change(MappingChange.Kind.LOST, current, current, error.getMessage(), error));
                }
            }
            if (state == LeaseState.CLOSED && releasePending) {
                release = true;
            }
        }
        unhold.forEach(session::unhold);
        changes.forEach(owner::notify);
        if (late != null && mapper != null) {
            unmapQuietly(mapper, late, "a grant that arrived after close()");
        }
        if (release) {
            release();
        }
    }

    /** Signals from the gateway: report the loss, then let the table decide. */
    void gatewaySignal(LeaseEvent event, String detail) {
        manager.scheduler().execute(() -> onGatewaySignal(event, detail));
    }

    private void onGatewaySignal(LeaseEvent event, String detail) {
        MappingChange note = null;
        synchronized (this) {
            if (event == LeaseEvent.STATE_LOST && !lost && current != null && state != LeaseState.CLOSED) {
                lost = true;
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
            if (state == LeaseState.CLOSED) {
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
            unmapQuietly(mapper, cur, "close()");
        }
        deleteAbandoned(true);
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
            if (madeBy != null) {
                held.add(madeBy);
            }
            for (Abandoned a = abandoned; a != null; a = a.next()) {
                held.add(a.by());
            }
            abandoned = null;
        }
        held.forEach(session::unhold); // closes replaced mappers nobody needs any more
        session.remove(this);
        manager.release(this);
    }

    private void unmapQuietly(PortMapper mapper, PortMapping m, String why) {
        try {
            mapper.unmap(m);
            LOG.debug("deleted {} {} -> {} ({})", m.transport(), m.internalPort(), m.externalPort(), why);
        } catch (PortMappingException | RuntimeException e) {
            LOG.warn("could not delete {} mapping {} -> {} on {} ({}): {}{}", m.transport().lowerName(),
                    m.externalPort(), m.internalPort(), m.gateway().getHostAddress(), why, e.getMessage(),
                    m.isPermanent() ? " — it is PERMANENT: remove it on the router" : "");
        }
    }

    /**
     * Tries to delete the abandoned mappings (each try bounded by the old mapper's timeout, and skipped while
     * that mapper's last delete went unanswered less than {@link GatewaySession#ABANDONED_GATE_NANOS} ago);
     * forgets those deleted or run out. On close() a permanent one is tried unless its mapper has just failed
     * to answer (so closing many mappings costs one timeout, not one each), and nothing is kept.
     */
    private void deleteAbandoned(boolean closing) {
        Abandoned todo;
        synchronized (this) {
            todo = abandoned;
            abandoned = null;
        }
        if (todo == null) {
            return;
        }
        Abandoned keep = null;
        List<PortMapper> done = new ArrayList<>(1);
        for (Abandoned a = todo; a != null; a = a.next()) {
            long now = manager.scheduler().nanoTime();
            boolean gone = a.expired(now);
            long gate = closing && a.mapping().isPermanent() ? GatewaySession.OUTAGE_GATE_NANOS
                    : GatewaySession.ABANDONED_GATE_NANOS;
            if (!gone && session.mayDeleteThrough(a.by(), now, gate)) {
                gone = deleteThrough(a, closing);
            } else if (!gone && closing && a.mapping().isPermanent()) {
                logAbandoned(a.mapping(), true, "its gateway did not answer a moment ago");
            }
            if (gone || closing) {
                done.add(a.by());
            } else {
                keep = new Abandoned(a.mapping(), a.by(), a.expiresNanos(), keep);
            }
        }
        if (keep != null) {
            synchronized (this) {
                if (state == LeaseState.CLOSED) {
                    for (Abandoned a = keep; a != null; a = a.next()) {
                        done.add(a.by()); // close() ran meanwhile: too late to keep trying
                    }
                } else {
                    for (Abandoned a = keep; a != null; a = a.next()) {
                        abandoned = new Abandoned(a.mapping(), a.by(), a.expiresNanos(), abandoned);
                    }
                }
            }
        }
        done.forEach(session::unhold);
    }

    /** One delete of an abandoned mapping; whether it is gone. */
    private boolean deleteThrough(Abandoned a, boolean closing) {
        PortMapping m = a.mapping();
        boolean unanswered = false;
        boolean gone = false;
        try {
            a.by().unmap(m);
            gone = true;
            LOG.debug("deleted {} {} -> {} left on {} by a failover", m.transport(), m.internalPort(),
                    m.externalPort(), m.protocol().displayName());
        } catch (PortMappingException e) {
            unanswered = isSilent(e);
            logAbandoned(m, closing, e.getMessage());
        } catch (RuntimeException e) {
            logAbandoned(m, closing, e.toString());
        }
        session.deleteEnded(a.by(), manager.scheduler().nanoTime(), unanswered);
        return gone;
    }

    private void logAbandoned(PortMapping m, boolean closing, String why) {
        if (closing && m.isPermanent()) {
            LOG.warn("could not delete {} mapping {} -> {} on {} left by a failover to another protocol: {}"
                    + " — it is PERMANENT: remove it on the router", m.transport().lowerName(), m.externalPort(),
                    m.internalPort(), m.gateway().getHostAddress(), why);
        } else {
            LOG.debug("could not delete {} {} -> {} left on {} yet: {}", m.transport(), m.internalPort(),
                    m.externalPort(), m.protocol().displayName(), why);
        }
    }

    /**
     * Back on a protocol we had abandoned: the new mapping replaces the old one there (NAT-PMP and PCP key it by
     * internal port, UPnP by the external port we asked for again), so deleting the old one could delete ours.
     */
    private static Abandoned supersede(Abandoned list, PortMapping got, List<PortMapper> unhold) {
        Abandoned keep = null;
        boolean dropped = false;
        for (Abandoned a = list; a != null; a = a.next()) {
            if (sameProtocol(a.mapping(), got)) {
                unhold.add(a.by());
                dropped = true;
            } else {
                keep = new Abandoned(a.mapping(), a.by(), a.expiresNanos(), keep);
            }
        }
        return dropped ? keep : list;
    }

    private static boolean sameProtocol(PortMapping a, PortMapping b) {
        return a.protocol() == b.protocol() && a.gateway().equals(b.gateway());
    }

    /** How many abandoned mappings this lease still means to delete (tests). */
    synchronized int abandonedCount() {
        int n = 0;
        for (Abandoned a = abandoned; a != null; a = a.next()) {
            n++;
        }
        return n;
    }

    private void schedule(long delayNanos) {
        cancelTimer();
        timer = manager.scheduler().schedule(() -> fire(LeaseEvent.RENEW_DUE), delayNanos);
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel();
            timer = null;
        }
    }

    /** The gateway (or the protocol) did not answer, as opposed to answering with a refusal. */
    static boolean isSilent(PortMappingException e) {
        return e.reason() == PortMappingException.Reason.TIMEOUT
                || e.reason() == PortMappingException.Reason.GATEWAY_NOT_FOUND;
    }

    private MappingChange change(MappingChange.Kind kind, PortMapping prev, PortMapping now, String detail,
            PortMappingException cause) {
        return new MappingChange(kind, owner, request.transport(), prev, now, detail, cause);
    }

    private static boolean sameEndpoint(PortMapping a, PortMapping b) {
        return a.externalPort() == b.externalPort() && Objects.equals(a.externalAddress(), b.externalAddress());
    }

    private static String describe(PortMapping m) {
        return m.external() + " via " + m.protocol().displayName();
    }
}
