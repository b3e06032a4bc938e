package dev.openport.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The whole state × event table, entry by entry: a change to the table must change this text. */
class LeaseTableTest {
    private static final String TABLE = """
            MAPPING      GRANTED    ACTIVE       SCHEDULE_RENEW
            MAPPING      RENEW_DUE  MAPPING      IGNORE
            MAPPING      FAILURE    RETRYING     SCHEDULE_RETRY
            MAPPING      SILENT     FAILING_OVER REPROBE
            MAPPING      STATE_LOST MAPPING      REDO
            MAPPING      RECHECK    MAPPING      REDO
            MAPPING      CLOSE      CLOSED       UNMAP
            ACTIVE       GRANTED    ACTIVE       IGNORE
            ACTIVE       RENEW_DUE  RENEWING     RENEW
            ACTIVE       FAILURE    ACTIVE       IGNORE
            ACTIVE       SILENT     ACTIVE       IGNORE
            ACTIVE       STATE_LOST RENEWING     RENEW
            ACTIVE       RECHECK    RENEWING     RENEW
            ACTIVE       CLOSE      CLOSED       UNMAP
            RENEWING     GRANTED    ACTIVE       SCHEDULE_RENEW
            RENEWING     RENEW_DUE  RENEWING     IGNORE
            RENEWING     FAILURE    RETRYING     SCHEDULE_RETRY
            RENEWING     SILENT     FAILING_OVER REPROBE
            RENEWING     STATE_LOST RENEWING     REDO
            RENEWING     RECHECK    RENEWING     REDO
            RENEWING     CLOSE      CLOSED       UNMAP
            RETRYING     GRANTED    RETRYING     IGNORE
            RETRYING     RENEW_DUE  RENEWING     RENEW
            RETRYING     FAILURE    RETRYING     IGNORE
            RETRYING     SILENT     RETRYING     IGNORE
            RETRYING     STATE_LOST RENEWING     RENEW
            RETRYING     RECHECK    RENEWING     RENEW
            RETRYING     CLOSE      CLOSED       UNMAP
            FAILING_OVER GRANTED    ACTIVE       SCHEDULE_RENEW
            FAILING_OVER RENEW_DUE  FAILING_OVER IGNORE
            FAILING_OVER FAILURE    RETRYING     SCHEDULE_RETRY
            FAILING_OVER SILENT     RETRYING     SCHEDULE_RETRY
            FAILING_OVER STATE_LOST FAILING_OVER IGNORE
            FAILING_OVER RECHECK    FAILING_OVER IGNORE
            FAILING_OVER CLOSE      CLOSED       UNMAP
            CLOSED       GRANTED    CLOSED       UNMAP_LATE
            CLOSED       RENEW_DUE  CLOSED       IGNORE
            CLOSED       FAILURE    CLOSED       IGNORE
            CLOSED       SILENT     CLOSED       IGNORE
            CLOSED       STATE_LOST CLOSED       IGNORE
            CLOSED       RECHECK    CLOSED       IGNORE
            CLOSED       CLOSE      CLOSED       IGNORE
            """;

    @Test
    void everyStateEventPairIsAsDocumented() {
        Set<String> seen = new HashSet<>();
        for (String line : TABLE.strip().split("\n")) {
            String[] f = line.trim().split("\\s+");
            LeaseState s = LeaseState.valueOf(f[0]);
            LeaseEvent e = LeaseEvent.valueOf(f[1]);
            LeaseTable.Transition t = LeaseTable.next(s, e);
            assertThat(t.next().name() + " " + t.action().name()).as("%s × %s", s, e)
                    .isEqualTo(f[2] + " " + f[3]);
            seen.add(s + "/" + e);
        }
        assertThat(seen).hasSize(LeaseState.values().length * LeaseEvent.values().length);
    }

    @Test
    void closedIsAbsorbingAndEveryOpenStateCanClose() {
        for (LeaseEvent e : LeaseEvent.values()) {
            assertThat(LeaseTable.next(LeaseState.CLOSED, e).next()).isEqualTo(LeaseState.CLOSED);
        }
        for (LeaseState s : LeaseState.values()) {
            if (s != LeaseState.CLOSED) {
                assertThat(LeaseTable.next(s, LeaseEvent.CLOSE).action()).isEqualTo(LeaseTable.Action.UNMAP);
            }
        }
    }
}
