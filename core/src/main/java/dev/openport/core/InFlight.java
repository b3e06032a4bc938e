package dev.openport.core;

import java.util.EnumMap;
import java.util.Map;

/**
 * Whether one lease has a network attempt running, as an explicit state × event table (the whole truth; tested row
 * by row in {@code InFlightTest}). It answers the three questions an attempt in flight raises: may another attempt
 * start (no: one at a time per lease), must the request be repeated because an event arrived that its answer may
 * predate ({@link LeaseTable.Action#REDO}), and who releases the lease when {@code close()} comes while an attempt
 * is running (the thread that runs it, once it ends; otherwise {@code close()} itself, exactly once).
 * Not thread-safe: the lease calls it under its lock.
 *
 * <pre>
 * state \ event     BEGIN           AGAIN              SETTLED             ENDED               CLOSE
 * IDLE              RUNNING proceed -                  -                   -                   RELEASED release
 * RUNNING           - skip          RUNNING_AGAIN      IDLE                IDLE                CLOSING
 * RUNNING_AGAIN     - skip          -                  IDLE repeat         IDLE                CLOSING
 * CLOSING           - skip          -                  RELEASED release    RELEASED release    -
 * RELEASED          - skip          -                  -                   -                   -
 * </pre>
 *
 * AGAIN while idle is nothing: no answer is in flight that could predate the event, and the attempt queued for it
 * (if any) asks afresh. ENDED drops a pending repeat: the attempt failed (its retry asks afresh anyway) or another
 * attempt follows at once (a repair, a re-probe).
 */
final class InFlight {

    /** Whether an attempt runs, and what is owed when it ends. */
    enum State {
        /** No attempt running. */
        IDLE,
        /** An attempt is running. */
        RUNNING,
        /** An attempt is running and an event came that its answer may predate: repeat it once it settles. */
        RUNNING_AGAIN,
        /** An attempt is running and the lease was closed: release it when the attempt ends. */
        CLOSING,
        /** The lease was released; nothing more. */
        RELEASED
    }

    /** What the lease tells the guard. */
    enum Event {
        /** An attempt wants to start. */
        BEGIN,
        /** The lease table said {@link LeaseTable.Action#REDO}. */
        AGAIN,
        /** The attempt ended and the lease scheduled its next renewal or verification. */
        SETTLED,
        /** The attempt ended otherwise: it failed, was overtaken, or another attempt follows at once. */
        ENDED,
        /** The owner closed the lease. */
        CLOSE
    }

    /** What the lease does on a transition. */
    enum Action {
        /** Nothing. */
        NONE,
        /** Go ahead with the attempt. */
        PROCEED,
        /** Do not start: an attempt is already running, or the lease is closed. */
        SKIP,
        /** Ask again now (the lease fires {@link LeaseEvent#RECHECK}). */
        REPEAT,
        /** Release the lease (its mappers and its place in the manager), exactly once. */
        RELEASE
    }

    /** One entry: the next state and what to do. */
    record Transition(State next, Action action) {
    }

    private static final Map<State, Map<Event, Transition>> TABLE = new EnumMap<>(State.class);

    static {
        for (State s : State.values()) {
            TABLE.put(s, new EnumMap<>(Event.class));
            on(s, Event.BEGIN, s, Action.SKIP);
        }
        on(State.IDLE, Event.BEGIN, State.RUNNING, Action.PROCEED);
        on(State.IDLE, Event.CLOSE, State.RELEASED, Action.RELEASE);
        on(State.RUNNING, Event.AGAIN, State.RUNNING_AGAIN, Action.NONE);
        on(State.RUNNING, Event.SETTLED, State.IDLE, Action.NONE);
        on(State.RUNNING, Event.ENDED, State.IDLE, Action.NONE);
        on(State.RUNNING, Event.CLOSE, State.CLOSING, Action.NONE);
        on(State.RUNNING_AGAIN, Event.SETTLED, State.IDLE, Action.REPEAT);
        on(State.RUNNING_AGAIN, Event.ENDED, State.IDLE, Action.NONE);
        on(State.RUNNING_AGAIN, Event.CLOSE, State.CLOSING, Action.NONE);
        on(State.CLOSING, Event.SETTLED, State.RELEASED, Action.RELEASE);
        on(State.CLOSING, Event.ENDED, State.RELEASED, Action.RELEASE);
    }

    private static void on(State s, Event e, State next, Action action) {
        TABLE.get(s).put(e, new Transition(next, action));
    }

    /** The entry for {@code state} × {@code event}; unlisted pairs stay and do nothing. */
    static Transition next(State state, Event event) {
        Transition t = TABLE.get(state).get(event);
        return t != null ? t : new Transition(state, Action.NONE);
    }

    private State state = State.IDLE;

    /** Applies {@code event}; returns what to do. */
    Action on(Event event) {
        Transition t = next(state, event);
        state = t.next();
        return t.action();
    }

    State state() {
        return state;
    }
}
