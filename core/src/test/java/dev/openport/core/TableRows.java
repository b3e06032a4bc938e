package dev.openport.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import java.util.function.BiFunction;

/**
 * Checks a state machine against its table written out as text, one row per state × input pair: "STATE INPUT NEXT
 * WHAT". Every row must match the code and every pair must have a row, so a change to the table must change the
 * text (LeaseTable, InFlight, GatewayHealth).
 */
final class TableRows {
    private TableRows() {
    }

    /**
     * Asserts each row against the code, then that the rows cover every pair.
     *
     * @param text  the rows
     * @param pairs how many state × input pairs the table has
     * @param entry for a state and an input name, the code's "NEXT WHAT"
     */
    static void assertEveryRow(String text, int pairs, BiFunction<String, String, String> entry) {
        Set<String> seen = new HashSet<>();
        for (String line : text.strip().split("\n")) {
            String[] f = line.trim().split("\\s+");
            assertThat(entry.apply(f[0], f[1])).as("%s x %s", f[0], f[1]).isEqualTo(f[2] + " " + f[3]);
            seen.add(f[0] + "/" + f[1]);
        }
        assertThat(seen).hasSize(pairs);
    }
}
