package dev.openport.core;

import java.util.EnumMap;
import java.util.Map;

/**
 * The life of one managed mapping as an explicit state × event table (in the style of libpcp's flow table):
 * every pair has exactly one entry, so a reviewer can check the behaviour line by line and a test can check
 * all of it. Unlisted pairs stay in their state and do nothing ({@link Action#IGNORE}): e.g. a late timer
 * while a renewal is already in flight.
 *
 * <pre>
 * state \ event   GRANTED          RENEW_DUE          VERIFY_DUE         HELD / MISSING / NO_WAN           FAILURE                SILENT / REFUSED   UNREACHABLE        STATE_LOST / RECHECK  CLOSE
 * MAPPING         ACTIVE  sched    -                  -                  -                                 RETRYING retry         FAILING_OVER rep   -                  MAPPING  redo         CLOSED unmap
 * ACTIVE          -                RENEWING renew     VERIFYING verify   -                                 -                      -                  REPAIRING repair   RENEWING renew        CLOSED unmap
 * VERIFYING       ACTIVE  sched    -                  -                  ACTIVE sched / REPAIRING repair   RETRYING retry         FAILING_OVER rep   REPAIRING repair   VERIFYING redo        CLOSED unmap
 *                                                                        / WAITING_FOR_WAN sched verify
 * WAITING_FOR_WAN -                RENEWING renew     VERIFYING verify   -                                 -                      -                  REPAIRING repair   RENEWING renew        CLOSED unmap
 * RENEWING        ACTIVE  sched    -                  -                  -                                 RETRYING retry         FAILING_OVER rep   REPAIRING repair   RENEWING redo         CLOSED unmap
 * REPAIRING       ACTIVE  sched    -                  -                  -                                 RETRYING_REPAIR retry  FAILING_OVER rep   -                  REPAIRING redo        CLOSED unmap
 * RETRYING        -                RENEWING renew     RENEWING renew     -                                 -                      -                  REPAIRING repair   RENEWING renew        CLOSED unmap
 * RETRYING_REPAIR -                REPAIRING repair   REPAIRING repair   -                                 -                      -                  REPAIRING repair   REPAIRING repair      CLOSED unmap
 * FAILING_OVER    ACTIVE  sched    -                  -                  -                                 RETRYING retry         RETRYING retry     -                  -                     CLOSED unmap
 * CLOSED          CLOSED unmap late -                 -                  -                                 -                      -                  -                  -                     -
 * </pre>
 *
 * "redo": an answer is in flight that may predate the event, so the driver repeats the request once it
 * arrives. A FAILING_OVER lease ignores STATE_LOST/RECHECK/UNREACHABLE because the re-probe maps afresh anyway; a
 * refusal while failing over waits out a backoff (every protocol may refuse). VERIFYING + GRANTED: NAT-PMP and PCP
 * read a mapping back by renewing it. UNREACHABLE (the outside could not reach a mapping the gateway may still
 * list as held) and MISSING repair with delete + add, and a failed repair is retried as a repair, never as a plain
 * re-add that would leave the dead entry in place; a renewal or verification queued but not yet started is
 * overtaken by it. Deleting a mapping abandoned by a failover is no state of its own: RENEW does it first, UNMAP
 * after the current mapping (see {@code Lease}). Router behaviour behind each row: docs/quirks.md.
 */
final class LeaseTable {

    /** What the driver does on a transition. */
    enum Action {
        /** Nothing. */
        IGNORE,
        /** Schedule the renewal at half the granted lease (or the check interval). */
        SCHEDULE_RENEW,
        /** Renew (or re-create) now, on the lease thread. */
        RENEW,
        /** Schedule a retry after the backoff delay. */
        SCHEDULE_RETRY,
        /** Probe every protocol again and map on the best that answers. */
        REPROBE,
        /** Repeat the request when the one in flight completes. */
        REDO,
        /** Read the entry and the external address back ({@code PortMapper.check}). */
        VERIFY,
        /** Delete and add the mapping again: a plain re-add can leave a listed entry that does not forward. */
        REPAIR,
        /** Schedule the next verification only (the WAN is down; renewing is not due). */
        SCHEDULE_VERIFY,
        /** Delete the mapping. */
        UNMAP,
        /** A grant arrived after close(): delete it at once. */
        UNMAP_LATE
    }

    /** One entry: the next state and what to do. */
    record Transition(LeasePhase next, Action action) {
    }

    private static final Map<LeasePhase, Map<LeaseEvent, Transition>> TABLE = new EnumMap<>(LeasePhase.class);

    static {
        for (LeasePhase s : LeasePhase.values()) {
            TABLE.put(s, new EnumMap<>(LeaseEvent.class));
        }
        LeasePhase m = LeasePhase.MAPPING;
        on(m, LeaseEvent.GRANTED, LeasePhase.ACTIVE, Action.SCHEDULE_RENEW);
        on(m, LeaseEvent.FAILURE, LeasePhase.RETRYING, Action.SCHEDULE_RETRY);
        on(m, LeaseEvent.SILENT, LeasePhase.FAILING_OVER, Action.REPROBE);
        on(m, LeaseEvent.REFUSED, LeasePhase.FAILING_OVER, Action.REPROBE);
        on(m, LeaseEvent.STATE_LOST, m, Action.REDO);
        on(m, LeaseEvent.RECHECK, m, Action.REDO);

        LeasePhase a = LeasePhase.ACTIVE;
        on(a, LeaseEvent.RENEW_DUE, LeasePhase.RENEWING, Action.RENEW);
        on(a, LeaseEvent.VERIFY_DUE, LeasePhase.VERIFYING, Action.VERIFY);
        on(a, LeaseEvent.STATE_LOST, LeasePhase.RENEWING, Action.RENEW);
        on(a, LeaseEvent.RECHECK, LeasePhase.RENEWING, Action.RENEW);

        LeasePhase v = LeasePhase.VERIFYING;
        on(v, LeaseEvent.GRANTED, LeasePhase.ACTIVE, Action.SCHEDULE_RENEW);
        on(v, LeaseEvent.HELD, LeasePhase.ACTIVE, Action.SCHEDULE_RENEW);
        on(v, LeaseEvent.MISSING, LeasePhase.REPAIRING, Action.REPAIR);
        on(v, LeaseEvent.NO_WAN, LeasePhase.WAITING_FOR_WAN, Action.SCHEDULE_VERIFY);
        on(v, LeaseEvent.FAILURE, LeasePhase.RETRYING, Action.SCHEDULE_RETRY);
        on(v, LeaseEvent.SILENT, LeasePhase.FAILING_OVER, Action.REPROBE);
        on(v, LeaseEvent.REFUSED, LeasePhase.FAILING_OVER, Action.REPROBE);
        on(v, LeaseEvent.STATE_LOST, v, Action.REDO);
        on(v, LeaseEvent.RECHECK, v, Action.REDO);

        LeasePhase w = LeasePhase.WAITING_FOR_WAN;
        on(w, LeaseEvent.RENEW_DUE, LeasePhase.RENEWING, Action.RENEW);
        on(w, LeaseEvent.VERIFY_DUE, LeasePhase.VERIFYING, Action.VERIFY);
        on(w, LeaseEvent.STATE_LOST, LeasePhase.RENEWING, Action.RENEW);
        on(w, LeaseEvent.RECHECK, LeasePhase.RENEWING, Action.RENEW);

        LeasePhase r = LeasePhase.RENEWING;
        on(r, LeaseEvent.GRANTED, LeasePhase.ACTIVE, Action.SCHEDULE_RENEW);
        on(r, LeaseEvent.FAILURE, LeasePhase.RETRYING, Action.SCHEDULE_RETRY);
        on(r, LeaseEvent.SILENT, LeasePhase.FAILING_OVER, Action.REPROBE);
        on(r, LeaseEvent.REFUSED, LeasePhase.FAILING_OVER, Action.REPROBE);
        on(r, LeaseEvent.STATE_LOST, r, Action.REDO);
        on(r, LeaseEvent.RECHECK, r, Action.REDO);

        LeasePhase p = LeasePhase.REPAIRING;
        on(p, LeaseEvent.GRANTED, LeasePhase.ACTIVE, Action.SCHEDULE_RENEW);
        on(p, LeaseEvent.FAILURE, LeasePhase.RETRYING_REPAIR, Action.SCHEDULE_RETRY);
        on(p, LeaseEvent.SILENT, LeasePhase.FAILING_OVER, Action.REPROBE);
        on(p, LeaseEvent.REFUSED, LeasePhase.FAILING_OVER, Action.REPROBE);
        on(p, LeaseEvent.STATE_LOST, p, Action.REDO);
        on(p, LeaseEvent.RECHECK, p, Action.REDO);

        LeasePhase y = LeasePhase.RETRYING;
        on(y, LeaseEvent.RENEW_DUE, LeasePhase.RENEWING, Action.RENEW);
        on(y, LeaseEvent.VERIFY_DUE, LeasePhase.RENEWING, Action.RENEW);
        on(y, LeaseEvent.STATE_LOST, LeasePhase.RENEWING, Action.RENEW);
        on(y, LeaseEvent.RECHECK, LeasePhase.RENEWING, Action.RENEW);

        LeasePhase q = LeasePhase.RETRYING_REPAIR;
        for (LeaseEvent e : new LeaseEvent[] {LeaseEvent.RENEW_DUE, LeaseEvent.VERIFY_DUE, LeaseEvent.STATE_LOST,
                LeaseEvent.RECHECK}) {
            on(q, e, p, Action.REPAIR);
        }

        LeasePhase f = LeasePhase.FAILING_OVER;
        on(f, LeaseEvent.GRANTED, LeasePhase.ACTIVE, Action.SCHEDULE_RENEW);
        on(f, LeaseEvent.FAILURE, LeasePhase.RETRYING, Action.SCHEDULE_RETRY);
        on(f, LeaseEvent.SILENT, LeasePhase.RETRYING, Action.SCHEDULE_RETRY);
        on(f, LeaseEvent.REFUSED, LeasePhase.RETRYING, Action.SCHEDULE_RETRY);

        // the outside could not reach the mapping: delete + add it now, from any state that holds a mapping and
        // is not already repairing or re-probing (docs/quirks.md, "listed but not forwarding")
        for (LeasePhase s : new LeasePhase[] {a, v, w, r, y, q}) {
            on(s, LeaseEvent.UNREACHABLE, p, Action.REPAIR);
        }
        for (LeasePhase s : new LeasePhase[] {m, a, v, w, r, p, y, q, f}) {
            on(s, LeaseEvent.CLOSE, LeasePhase.CLOSED, Action.UNMAP);
        }
        on(LeasePhase.CLOSED, LeaseEvent.GRANTED, LeasePhase.CLOSED, Action.UNMAP_LATE);
    }

    private LeaseTable() {
    }

    private static void on(LeasePhase s, LeaseEvent e, LeasePhase next, Action action) {
        TABLE.get(s).put(e, new Transition(next, action));
    }

    /** The entry for {@code state} × {@code event}. */
    static Transition next(LeasePhase state, LeaseEvent event) {
        Transition t = TABLE.get(state).get(event);
        return t != null ? t : new Transition(state, Action.IGNORE);
    }
}
