package dev.openport.core;

import java.util.EnumMap;
import java.util.Map;

/**
 * How one gateway session's gateway is doing, as an explicit state × signal table (the whole truth; tested row by
 * row in {@code GatewayHealthTest}). Leases report what their attempts showed; the session acts on the
 * transitions: while {@link State#DOWN} only one lease at a time talks to the gateway, and leaving DOWN wakes the
 * leases waiting out a backoff.
 *
 * <pre>
 * state \ signal   ANSWERED           UNANSWERED  REFUSED    FAILED_OVER  NO_WAN           WAN_BACK
 * UP               UP                 DOWN        REFUSING   FAILED_OVER  WAITING_FOR_WAN  UP
 * DOWN             UP  wake           DOWN        REFUSING   FAILED_OVER  WAITING_FOR_WAN  UP  wake
 *                                                 wake       wake         wake
 * REFUSING         UP                 DOWN        REFUSING   FAILED_OVER  WAITING_FOR_WAN  UP
 * FAILED_OVER      FAILED_OVER        DOWN        REFUSING   FAILED_OVER  WAITING_FOR_WAN  FAILED_OVER
 * WAITING_FOR_WAN  WAITING_FOR_WAN    DOWN        REFUSING   FAILED_OVER  WAITING_FOR_WAN  UP
 * </pre>
 */
final class GatewayHealth {
    /** What the gateway looks like. */
    enum State {
        /** Answering and granting on the preferred protocol. */
        UP,
        /** Not answering: attempts are gated (one lease at a time). */
        DOWN,
        /** The protocol in use refused with a lasting reason; the next one is being tried (docs/quirks.md). */
        REFUSING,
        /** Working, on a protocol we moved to after the preferred one went silent or refused. */
        FAILED_OVER,
        /** Answering, but reporting no usable external address (0.0.0.0: its WAN link is down). */
        WAITING_FOR_WAN
    }

    /** What an attempt or a session event showed. */
    enum Signal {
        /** The gateway answered (a grant, a read-back, or a transient refusal such as CONFLICT). */
        ANSWERED,
        /** No answer in time (TIMEOUT, GATEWAY_NOT_FOUND). */
        UNANSWERED,
        /** A lasting refusal (NOT_AUTHORIZED, UNSUPPORTED): the half-open router of docs/quirks.md. */
        REFUSED,
        /** The session moved to another protocol. */
        FAILED_OVER,
        /** A read-back reported no usable external address (0.0.0.0). */
        NO_WAN,
        /** A read-back reported a usable external address again. */
        WAN_BACK
    }

    /** One entry: the next state, and whether leases waiting out a backoff should try again now. */
    record Transition(State next, boolean wake) {
    }

    private static final Map<State, Map<Signal, Transition>> TABLE = new EnumMap<>(State.class);

    static {
        for (State s : State.values()) {
            Map<Signal, Transition> row = new EnumMap<>(Signal.class);
            boolean down = s == State.DOWN;
            // common to every state: silence is DOWN, a refusal is REFUSING, a failover is FAILED_OVER, 0.0.0.0 waits
            row.put(Signal.UNANSWERED, new Transition(State.DOWN, false));
            row.put(Signal.REFUSED, new Transition(State.REFUSING, down));
            row.put(Signal.FAILED_OVER, new Transition(State.FAILED_OVER, down));
            row.put(Signal.NO_WAN, new Transition(State.WAITING_FOR_WAN, down));
            TABLE.put(s, row);
        }
        on(State.UP, Signal.ANSWERED, State.UP, false);
        on(State.UP, Signal.WAN_BACK, State.UP, false);
        on(State.DOWN, Signal.ANSWERED, State.UP, true);
        on(State.DOWN, Signal.WAN_BACK, State.UP, true);
        on(State.REFUSING, Signal.ANSWERED, State.UP, false);
        on(State.REFUSING, Signal.WAN_BACK, State.UP, false);
        on(State.FAILED_OVER, Signal.ANSWERED, State.FAILED_OVER, false);
        on(State.FAILED_OVER, Signal.WAN_BACK, State.FAILED_OVER, false);
        on(State.WAITING_FOR_WAN, Signal.ANSWERED, State.WAITING_FOR_WAN, false);
        on(State.WAITING_FOR_WAN, Signal.WAN_BACK, State.UP, false);
    }

    private static void on(State s, Signal signal, State next, boolean wake) {
        TABLE.get(s).put(signal, new Transition(next, wake));
    }

    private GatewayHealth() {
    }

    /** The entry for {@code state} × {@code signal}. */
    static Transition next(State state, Signal signal) {
        return TABLE.get(state).get(signal);
    }
}
