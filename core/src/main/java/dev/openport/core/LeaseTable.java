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
 * state \ event   GRANTED          RENEW_DUE       VERIFY_DUE       HELD / MISSING / NO_WAN          FAILURE          SILENT            REFUSED           STATE_LOST / RECHECK  CLOSE
 * MAPPING         ACTIVE  sched    -               -                -                                RETRYING retry   FAILING_OVER rep  FAILING_OVER rep  MAPPING  redo         CLOSED unmap
 * ACTIVE          -                RENEWING renew  VERIFYING verify -                                -                -                 -                 RENEWING renew        CLOSED unmap
 * VERIFYING       ACTIVE  sched    -               -                ACTIVE sched / RENEWING repair   RETRYING retry   FAILING_OVER rep  FAILING_OVER rep  VERIFYING redo        CLOSED unmap
 *                                                                   / WAITING_FOR_WAN sched verify
 * WAITING_FOR_WAN -                RENEWING renew  VERIFYING verify -                                -                -                 -                 RENEWING renew        CLOSED unmap
 * RENEWING        ACTIVE  sched    -               -                -                                RETRYING retry   FAILING_OVER rep  FAILING_OVER rep  RENEWING redo         CLOSED unmap
 * RETRYING        -                RENEWING renew  RENEWING renew   -                                -                -                 -                 RENEWING renew        CLOSED unmap
 * FAILING_OVER    ACTIVE  sched    -               -                -                                RETRYING retry   RETRYING retry    RETRYING retry    -                     CLOSED unmap
 * CLOSED          CLOSED unmap late -              -                -                                -                -                 -                 -                     -
 * </pre>
 *
 * "redo": an answer is in flight that may predate the event, so the driver repeats the request once it
 * arrives. A FAILING_OVER lease ignores STATE_LOST/RECHECK because the re-probe maps afresh anyway; a refusal
 * while failing over waits out a backoff (every protocol may refuse). VERIFYING + GRANTED: NAT-PMP and PCP read
 * a mapping back by renewing it. Deleting a mapping abandoned by a failover is no state of its own: RENEW does
 * it first, UNMAP after the current mapping (see {@code Lease}). Router behaviour behind each row: docs/quirks.md.
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
    record Transition(LeaseState next, Action action) {
    }

    private static final Map<LeaseState, Map<LeaseEvent, Transition>> TABLE = new EnumMap<>(LeaseState.class);

    static {
        for (LeaseState s : LeaseState.values()) {
            TABLE.put(s, new EnumMap<>(LeaseEvent.class));
        }
        LeaseState m = LeaseState.MAPPING;
        on(m, LeaseEvent.GRANTED, LeaseState.ACTIVE, Action.SCHEDULE_RENEW);
        on(m, LeaseEvent.FAILURE, LeaseState.RETRYING, Action.SCHEDULE_RETRY);
        on(m, LeaseEvent.SILENT, LeaseState.FAILING_OVER, Action.REPROBE);
        on(m, LeaseEvent.REFUSED, LeaseState.FAILING_OVER, Action.REPROBE);
        on(m, LeaseEvent.STATE_LOST, m, Action.REDO);
        on(m, LeaseEvent.RECHECK, m, Action.REDO);

        LeaseState a = LeaseState.ACTIVE;
        on(a, LeaseEvent.RENEW_DUE, LeaseState.RENEWING, Action.RENEW);
        on(a, LeaseEvent.VERIFY_DUE, LeaseState.VERIFYING, Action.VERIFY);
        on(a, LeaseEvent.STATE_LOST, LeaseState.RENEWING, Action.RENEW);
        on(a, LeaseEvent.RECHECK, LeaseState.RENEWING, Action.RENEW);

        LeaseState v = LeaseState.VERIFYING;
        on(v, LeaseEvent.GRANTED, LeaseState.ACTIVE, Action.SCHEDULE_RENEW);
        on(v, LeaseEvent.HELD, LeaseState.ACTIVE, Action.SCHEDULE_RENEW);
        on(v, LeaseEvent.MISSING, LeaseState.RENEWING, Action.REPAIR);
        on(v, LeaseEvent.NO_WAN, LeaseState.WAITING_FOR_WAN, Action.SCHEDULE_VERIFY);
        on(v, LeaseEvent.FAILURE, LeaseState.RETRYING, Action.SCHEDULE_RETRY);
        on(v, LeaseEvent.SILENT, LeaseState.FAILING_OVER, Action.REPROBE);
        on(v, LeaseEvent.REFUSED, LeaseState.FAILING_OVER, Action.REPROBE);
        on(v, LeaseEvent.STATE_LOST, v, Action.REDO);
        on(v, LeaseEvent.RECHECK, v, Action.REDO);

        LeaseState w = LeaseState.WAITING_FOR_WAN;
        on(w, LeaseEvent.RENEW_DUE, LeaseState.RENEWING, Action.RENEW);
        on(w, LeaseEvent.VERIFY_DUE, LeaseState.VERIFYING, Action.VERIFY);
        on(w, LeaseEvent.STATE_LOST, LeaseState.RENEWING, Action.RENEW);
        on(w, LeaseEvent.RECHECK, LeaseState.RENEWING, Action.RENEW);

        LeaseState r = LeaseState.RENEWING;
        on(r, LeaseEvent.GRANTED, LeaseState.ACTIVE, Action.SCHEDULE_RENEW);
        on(r, LeaseEvent.FAILURE, LeaseState.RETRYING, Action.SCHEDULE_RETRY);
        on(r, LeaseEvent.SILENT, LeaseState.FAILING_OVER, Action.REPROBE);
        on(r, LeaseEvent.REFUSED, LeaseState.FAILING_OVER, Action.REPROBE);
        on(r, LeaseEvent.STATE_LOST, r, Action.REDO);
        on(r, LeaseEvent.RECHECK, r, Action.REDO);

        LeaseState y = LeaseState.RETRYING;
        on(y, LeaseEvent.RENEW_DUE, LeaseState.RENEWING, Action.RENEW);
        on(y, LeaseEvent.VERIFY_DUE, LeaseState.RENEWING, Action.RENEW);
        on(y, LeaseEvent.STATE_LOST, LeaseState.RENEWING, Action.RENEW);
        on(y, LeaseEvent.RECHECK, LeaseState.RENEWING, Action.RENEW);

        LeaseState f = LeaseState.FAILING_OVER;
        on(f, LeaseEvent.GRANTED, LeaseState.ACTIVE, Action.SCHEDULE_RENEW);
        on(f, LeaseEvent.FAILURE, LeaseState.RETRYING, Action.SCHEDULE_RETRY);
        on(f, LeaseEvent.SILENT, LeaseState.RETRYING, Action.SCHEDULE_RETRY);
        on(f, LeaseEvent.REFUSED, LeaseState.RETRYING, Action.SCHEDULE_RETRY);

        for (LeaseState s : new LeaseState[] {m, a, v, w, r, y, f}) {
            on(s, LeaseEvent.CLOSE, LeaseState.CLOSED, Action.UNMAP);
        }
        on(LeaseState.CLOSED, LeaseEvent.GRANTED, LeaseState.CLOSED, Action.UNMAP_LATE);
    }

    private LeaseTable() {
    }

    private static void on(LeaseState s, LeaseEvent e, LeaseState next, Action action) {
        TABLE.get(s).put(e, new Transition(next, action));
    }

    /** The entry for {@code state} × {@code event}. */
    static Transition next(LeaseState state, LeaseEvent event) {
        Transition t = TABLE.get(state).get(event);
        return t != null ? t : new Transition(state, Action.IGNORE);
    }
}
