package dev.openport.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The whole state × event table, entry by entry: a change to the table must change this text. */
class LeaseTableTest {
    private static final String TABLE = """
            MAPPING         GRANTED     ACTIVE          SCHEDULE_RENEW
            MAPPING         RENEW_DUE   MAPPING         IGNORE
            MAPPING         FAILURE     RETRYING        SCHEDULE_RETRY
            MAPPING         SILENT      FAILING_OVER    REPROBE
            MAPPING         REFUSED     FAILING_OVER    REPROBE
            MAPPING         VERIFY_DUE  MAPPING         IGNORE
            MAPPING         HELD        MAPPING         IGNORE
            MAPPING         MISSING     MAPPING         IGNORE
            MAPPING         NO_WAN      MAPPING         IGNORE
            MAPPING         UNREACHABLE MAPPING         IGNORE
            MAPPING         STATE_LOST  MAPPING         REDO
            MAPPING         RECHECK     MAPPING         REDO
            MAPPING         CLOSE       CLOSED          UNMAP
            ACTIVE          GRANTED     ACTIVE          IGNORE
            ACTIVE          RENEW_DUE   RENEWING        RENEW
            ACTIVE          FAILURE     ACTIVE          IGNORE
            ACTIVE          SILENT      ACTIVE          IGNORE
            ACTIVE          REFUSED     ACTIVE          IGNORE
            ACTIVE          VERIFY_DUE  VERIFYING       VERIFY
            ACTIVE          HELD        ACTIVE          IGNORE
            ACTIVE          MISSING     ACTIVE          IGNORE
            ACTIVE          NO_WAN      ACTIVE          IGNORE
            ACTIVE          UNREACHABLE REPAIRING       REPAIR
            ACTIVE          STATE_LOST  RENEWING        RENEW
            ACTIVE          RECHECK     RENEWING        RENEW
            ACTIVE          CLOSE       CLOSED          UNMAP
            VERIFYING       GRANTED     ACTIVE          SCHEDULE_RENEW
            VERIFYING       RENEW_DUE   VERIFYING       IGNORE
            VERIFYING       FAILURE     RETRYING        SCHEDULE_RETRY
            VERIFYING       SILENT      FAILING_OVER    REPROBE
            VERIFYING       REFUSED     FAILING_OVER    REPROBE
            VERIFYING       VERIFY_DUE  VERIFYING       IGNORE
            VERIFYING       HELD        ACTIVE          SCHEDULE_RENEW
            VERIFYING       MISSING     REPAIRING       REPAIR
            VERIFYING       NO_WAN      WAITING_FOR_WAN SCHEDULE_VERIFY
            VERIFYING       UNREACHABLE REPAIRING       REPAIR
            VERIFYING       STATE_LOST  VERIFYING       REDO
            VERIFYING       RECHECK     VERIFYING       REDO
            VERIFYING       CLOSE       CLOSED          UNMAP
            WAITING_FOR_WAN GRANTED     WAITING_FOR_WAN IGNORE
            WAITING_FOR_WAN RENEW_DUE   RENEWING        RENEW
            WAITING_FOR_WAN FAILURE     WAITING_FOR_WAN IGNORE
            WAITING_FOR_WAN SILENT      WAITING_FOR_WAN IGNORE
            WAITING_FOR_WAN REFUSED     WAITING_FOR_WAN IGNORE
            WAITING_FOR_WAN VERIFY_DUE  VERIFYING       VERIFY
            WAITING_FOR_WAN HELD        WAITING_FOR_WAN IGNORE
            WAITING_FOR_WAN MISSING     WAITING_FOR_WAN IGNORE
            WAITING_FOR_WAN NO_WAN      WAITING_FOR_WAN IGNORE
            WAITING_FOR_WAN UNREACHABLE REPAIRING       REPAIR
            WAITING_FOR_WAN STATE_LOST  RENEWING        RENEW
            WAITING_FOR_WAN RECHECK     RENEWING        RENEW
            WAITING_FOR_WAN CLOSE       CLOSED          UNMAP
            RENEWING        GRANTED     ACTIVE          SCHEDULE_RENEW
            RENEWING        RENEW_DUE   RENEWING        IGNORE
            RENEWING        FAILURE     RETRYING        SCHEDULE_RETRY
            RENEWING        SILENT      FAILING_OVER    REPROBE
            RENEWING        REFUSED     FAILING_OVER    REPROBE
            RENEWING        VERIFY_DUE  RENEWING        IGNORE
            RENEWING        HELD        RENEWING        IGNORE
            RENEWING        MISSING     RENEWING        IGNORE
            RENEWING        NO_WAN      RENEWING        IGNORE
            RENEWING        UNREACHABLE REPAIRING       REPAIR
            RENEWING        STATE_LOST  RENEWING        REDO
            RENEWING        RECHECK     RENEWING        REDO
            RENEWING        CLOSE       CLOSED          UNMAP
            REPAIRING       GRANTED     ACTIVE          SCHEDULE_RENEW
            REPAIRING       RENEW_DUE   REPAIRING       IGNORE
            REPAIRING       FAILURE     RETRYING_REPAIR SCHEDULE_RETRY
            REPAIRING       SILENT      FAILING_OVER    REPROBE
            REPAIRING       REFUSED     FAILING_OVER    REPROBE
            REPAIRING       VERIFY_DUE  REPAIRING       IGNORE
            REPAIRING       HELD        REPAIRING       IGNORE
            REPAIRING       MISSING     REPAIRING       IGNORE
            REPAIRING       NO_WAN      REPAIRING       IGNORE
            REPAIRING       UNREACHABLE REPAIRING       IGNORE
            REPAIRING       STATE_LOST  REPAIRING       REDO
            REPAIRING       RECHECK     REPAIRING       REDO
            REPAIRING       CLOSE       CLOSED          UNMAP
            RETRYING        GRANTED     RETRYING        IGNORE
            RETRYING        RENEW_DUE   RENEWING        RENEW
            RETRYING        FAILURE     RETRYING        IGNORE
            RETRYING        SILENT      RETRYING        IGNORE
            RETRYING        REFUSED     RETRYING        IGNORE
            RETRYING        VERIFY_DUE  RENEWING        RENEW
            RETRYING        HELD        RETRYING        IGNORE
            RETRYING        MISSING     RETRYING        IGNORE
            RETRYING        NO_WAN      RETRYING        IGNORE
            RETRYING        UNREACHABLE REPAIRING       REPAIR
            RETRYING        STATE_LOST  RENEWING        RENEW
            RETRYING        RECHECK     RENEWING        RENEW
            RETRYING        CLOSE       CLOSED          UNMAP
            RETRYING_REPAIR GRANTED     RETRYING_REPAIR IGNORE
            RETRYING_REPAIR RENEW_DUE   REPAIRING       REPAIR
            RETRYING_REPAIR FAILURE     RETRYING_REPAIR IGNORE
            RETRYING_REPAIR SILENT      RETRYING_REPAIR IGNORE
            RETRYING_REPAIR REFUSED     RETRYING_REPAIR IGNORE
            RETRYING_REPAIR VERIFY_DUE  REPAIRING       REPAIR
            RETRYING_REPAIR HELD        RETRYING_REPAIR IGNORE
            RETRYING_REPAIR MISSING     RETRYING_REPAIR IGNORE
            RETRYING_REPAIR NO_WAN      RETRYING_REPAIR IGNORE
            RETRYING_REPAIR UNREACHABLE REPAIRING       REPAIR
            RETRYING_REPAIR STATE_LOST  REPAIRING       REPAIR
            RETRYING_REPAIR RECHECK     REPAIRING       REPAIR
            RETRYING_REPAIR CLOSE       CLOSED          UNMAP
            FAILING_OVER    GRANTED     ACTIVE          SCHEDULE_RENEW
            FAILING_OVER    RENEW_DUE   FAILING_OVER    IGNORE
            FAILING_OVER    FAILURE     RETRYING        SCHEDULE_RETRY
            FAILING_OVER    SILENT      RETRYING        SCHEDULE_RETRY
            FAILING_OVER    REFUSED     RETRYING        SCHEDULE_RETRY
            FAILING_OVER    VERIFY_DUE  FAILING_OVER    IGNORE
            FAILING_OVER    HELD        FAILING_OVER    IGNORE
            FAILING_OVER    MISSING     FAILING_OVER    IGNORE
            FAILING_OVER    NO_WAN      FAILING_OVER    IGNORE
            FAILING_OVER    UNREACHABLE FAILING_OVER    IGNORE
            FAILING_OVER    STATE_LOST  FAILING_OVER    IGNORE
            FAILING_OVER    RECHECK     FAILING_OVER    IGNORE
            FAILING_OVER    CLOSE       CLOSED          UNMAP
            CLOSED          GRANTED     CLOSED          UNMAP_LATE
            CLOSED          RENEW_DUE   CLOSED          IGNORE
            CLOSED          FAILURE     CLOSED          IGNORE
            CLOSED          SILENT      CLOSED          IGNORE
            CLOSED          REFUSED     CLOSED          IGNORE
            CLOSED          VERIFY_DUE  CLOSED          IGNORE
            CLOSED          HELD        CLOSED          IGNORE
            CLOSED          MISSING     CLOSED          IGNORE
            CLOSED          NO_WAN      CLOSED          IGNORE
            CLOSED          UNREACHABLE CLOSED          IGNORE
            CLOSED          STATE_LOST  CLOSED          IGNORE
            CLOSED          RECHECK     CLOSED          IGNORE
            CLOSED          CLOSE       CLOSED          IGNORE
            """;

    @Test
    void everyStateEventPairIsAsDocumented() {
        TableRows.assertEveryRow(TABLE, LeasePhase.values().length * LeaseEvent.values().length, (s, e) -> {
            LeaseTable.Transition t = LeaseTable.next(LeasePhase.valueOf(s), LeaseEvent.valueOf(e));
            return t.next() + " " + t.action();
        });
    }

    @Test
    void closedIsAbsorbingAndEveryOpenStateCanClose() {
        for (LeaseEvent e : LeaseEvent.values()) {
            assertThat(LeaseTable.next(LeasePhase.CLOSED, e).next()).isEqualTo(LeasePhase.CLOSED);
        }
        for (LeasePhase s : LeasePhase.values()) {
            if (s != LeasePhase.CLOSED) {
                assertThat(LeaseTable.next(s, LeaseEvent.CLOSE).action()).isEqualTo(LeaseTable.Action.UNMAP);
            }
        }
    }
}
