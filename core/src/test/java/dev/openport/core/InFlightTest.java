package dev.openport.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The in-flight guard's table, entry by entry: a change to the table must change this text. */
class InFlightTest {
    private static final String TABLE = """
            IDLE          BEGIN   RUNNING       PROCEED
            IDLE          AGAIN   IDLE          NONE
            IDLE          SETTLED IDLE          NONE
            IDLE          ENDED   IDLE          NONE
            IDLE          CLOSE   RELEASED      RELEASE
            RUNNING       BEGIN   RUNNING       SKIP
            RUNNING       AGAIN   RUNNING_AGAIN NONE
            RUNNING       SETTLED IDLE          NONE
            RUNNING       ENDED   IDLE          NONE
            RUNNING       CLOSE   CLOSING       NONE
            RUNNING_AGAIN BEGIN   RUNNING_AGAIN SKIP
            RUNNING_AGAIN AGAIN   RUNNING_AGAIN NONE
            RUNNING_AGAIN SETTLED IDLE          REPEAT
            RUNNING_AGAIN ENDED   IDLE          NONE
            RUNNING_AGAIN CLOSE   CLOSING       NONE
            CLOSING       BEGIN   CLOSING       SKIP
            CLOSING       AGAIN   CLOSING       NONE
            CLOSING       SETTLED RELEASED      RELEASE
            CLOSING       ENDED   RELEASED      RELEASE
            CLOSING       CLOSE   CLOSING       NONE
            RELEASED      BEGIN   RELEASED      SKIP
            RELEASED      AGAIN   RELEASED      NONE
            RELEASED      SETTLED RELEASED      NONE
            RELEASED      ENDED   RELEASED      NONE
            RELEASED      CLOSE   RELEASED      NONE
            """;

    @Test
    void everyStateEventPairIsAsDocumented() {
        TableRows.assertEveryRow(TABLE, InFlight.State.values().length * InFlight.Event.values().length, (s, e) -> {
            InFlight.Transition t = InFlight.next(InFlight.State.valueOf(s), InFlight.Event.valueOf(e));
            return t.next() + " " + t.action();
        });
    }

    @Test
    void aLeaseIsReleasedExactlyOnceWhicheverOrderCloseAndTheEndOfAnAttemptCome() {
        InFlight closedWhileRunning = new InFlight();
        assertThat(closedWhileRunning.on(InFlight.Event.BEGIN)).isEqualTo(InFlight.Action.PROCEED);
        assertThat(closedWhileRunning.on(InFlight.Event.CLOSE)).isEqualTo(InFlight.Action.NONE);
        assertThat(closedWhileRunning.on(InFlight.Event.ENDED)).isEqualTo(InFlight.Action.RELEASE);
        assertThat(closedWhileRunning.on(InFlight.Event.CLOSE)).isEqualTo(InFlight.Action.NONE);

        InFlight closedWhileIdle = new InFlight();
        assertThat(closedWhileIdle.on(InFlight.Event.CLOSE)).isEqualTo(InFlight.Action.RELEASE);
        assertThat(closedWhileIdle.on(InFlight.Event.BEGIN)).isEqualTo(InFlight.Action.SKIP);
        assertThat(closedWhileIdle.on(InFlight.Event.SETTLED)).isEqualTo(InFlight.Action.NONE);
    }
}
