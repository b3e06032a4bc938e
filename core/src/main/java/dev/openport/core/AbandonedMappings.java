package dev.openport.core;

import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The mappings one lease left on protocols it failed over from. Left to run out they would pile rules up on the
 * router, and a permanent one (UPnP error 725) would never go. The lease deletes them through the old mapper
 * (which the session keeps open meanwhile) before each later renewal — never right after the failover, when the
 * old protocol has just gone silent — and once more on close(). One is forgotten once deleted, once its lease
 * has run out (never for a permanent one), or after close(). Thread-safe.
 */
final class AbandonedMappings {
    private static final Logger LOG = LoggerFactory.getLogger(AbandonedMappings.class);

    /** A mapping left on a protocol we failed over from; a list because failovers can repeat. */
    private record Abandoned(PortMapping mapping, PortMapper by, long expiresNanos, Abandoned next) {
        boolean expired(long now) {
            return !mapping.isPermanent() && now - expiresNanos >= 0;
        }
    }

    private final GatewaySession session;
    private final LeaseScheduler scheduler;
    private Abandoned list; // guarded by this; null when none
    private boolean closed; // guarded by this: after close(), nothing is kept

    AbandonedMappings(GatewaySession session, LeaseScheduler scheduler) {
        this.session = session;
        this.scheduler = scheduler;
    }

    /** Records {@code m}, made by {@code by}, left behind when its lease moved on; {@code since}: outage start. */
    synchronized void add(PortMapping m, PortMapper by, long since) {
        list = new Abandoned(m, by, since + m.lifetime().toNanos(), list);
    }

    /**
     * A grant {@code got} by {@code by} replaced {@code prev}, made by {@code prevBy}: a mapping left on another
     * protocol is kept, held by its mapper, to delete later; the same protocol's replaced mapper is let go; and
     * entries the grant supersedes are dropped. Mappers no longer needed are added to {@code unhold}.
     */
    void granted(PortMapping prev, PortMapper prevBy, PortMapping got, PortMapper by, long since,
            List<PortMapper> unhold) {
        if (by != prevBy && prevBy != null) {
            if (prev != null && !sameProtocol(prev, got)) {
                add(prev, prevBy, since); // moved to another protocol: the old mapping stays held until deleted
            } else {
                unhold.add(prevBy);
            }
        }
        supersede(got, unhold);
    }

    /**
     * Back on a protocol we had abandoned: the new mapping replaces the old one there (NAT-PMP and PCP key it by
     * internal port, UPnP by the external port we asked for again), so deleting the old one could delete ours.
     * The mappers no longer needed are added to {@code unhold}.
     */
    synchronized void supersede(PortMapping got, List<PortMapper> unhold) {
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
        if (dropped) {
            list = keep;
        }
    }

    /** Forgets every entry (the lease is released); returns the mappers they held. */
    synchronized List<PortMapper> drain() {
        List<PortMapper> held = new ArrayList<>(1);
        for (Abandoned a = list; a != null; a = a.next()) {
            held.add(a.by());
        }
        list = null;
        closed = true;
        return held;
    }

    /**
     * Tries to delete each (each try bounded by the old mapper's timeout, and skipped while that mapper's last
     * delete went unanswered less than {@link GatewaySession#ABANDONED_GATE_NANOS} ago); forgets those deleted or
     * run out. On close() a permanent one is tried unless its mapper has just failed to answer (so closing many
     * mappings costs one timeout, not one each), and nothing is kept.
     */
    void deleteDue(boolean closing) {
        Abandoned todo;
        synchronized (this) {
            todo = list;
            list = null;
            if (closing) {
                closed = true;
            }
        }
        if (todo == null) {
            return;
        }
        Abandoned keep = null;
        List<PortMapper> done = new ArrayList<>(1);
        for (Abandoned a = todo; a != null; a = a.next()) {
            long now = scheduler.nanoTime();
            boolean gone = a.expired(now);
            long gate = closing && a.mapping().isPermanent() ? GatewaySession.OUTAGE_GATE_NANOS
                    : GatewaySession.ABANDONED_GATE_NANOS;
            if (!gone && session.mayDeleteThrough(a.by(), now, gate)) {
                gone = deleteThrough(a, closing);
            } else if (!gone && closing && a.mapping().isPermanent()) {
                log(a.mapping(), true, "its gateway did not answer a moment ago");
            }
            if (gone || closing) {
                done.add(a.by());
            } else {
                keep = new Abandoned(a.mapping(), a.by(), a.expiresNanos(), keep);
            }
        }
        if (keep != null) {
            synchronized (this) {
                for (Abandoned a = keep; a != null; a = a.next()) {
                    if (closed) {
                        done.add(a.by()); // close() ran meanwhile: too late to keep trying
                    } else {
                        list = new Abandoned(a.mapping(), a.by(), a.expiresNanos(), list);
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
            unanswered = LeaseHistory.isSilent(e);
            log(m, closing, e.getMessage());
        } catch (RuntimeException e) {
            log(m, closing, e.toString());
        }
        session.deleteEnded(a.by(), scheduler.nanoTime(), unanswered);
        return gone;
    }

    private static void log(PortMapping m, boolean closing, String why) {
        if (closing && m.isPermanent()) {
            LOG.warn("could not delete {} mapping {} -> {} on {} left by a failover to another protocol: {}"
                    + " — it is PERMANENT: remove it on the router", m.transport().lowerName(), m.externalPort(),
                    m.internalPort(), m.gateway().getHostAddress(), why);
        } else {
            LOG.debug("could not delete {} {} -> {} left on {} yet: {}", m.transport(), m.internalPort(),
                    m.externalPort(), m.protocol().displayName(), why);
        }
    }

    static boolean sameProtocol(PortMapping a, PortMapping b) {
        return a.protocol() == b.protocol() && a.gateway().equals(b.gateway());
    }

    /** How many are still to delete (tests). */
    synchronized int count() {
        int n = 0;
        for (Abandoned a = list; a != null; a = a.next()) {
            n++;
        }
        return n;
    }
}
