package dev.openport.core;

import org.junit.jupiter.api.Test;

/** The gateway health table, entry by entry: a change to the table must change this text. */
class GatewayHealthTest {
    private static final String TABLE = """
            UP              ANSWERED    UP              -
            UP              UNANSWERED  DOWN            -
            UP              REFUSED     REFUSING        -
            UP              FAILED_OVER FAILED_OVER     -
            UP              NO_WAN      WAITING_FOR_WAN -
            UP              WAN_BACK    UP              -
            DOWN            ANSWERED    UP              wake
            DOWN            UNANSWERED  DOWN            -
            DOWN            REFUSED     REFUSING        wake
            DOWN            FAILED_OVER FAILED_OVER     wake
            DOWN            NO_WAN      WAITING_FOR_WAN wake
            DOWN            WAN_BACK    UP              wake
            REFUSING        ANSWERED    UP              -
            REFUSING        UNANSWERED  DOWN            -
            REFUSING        REFUSED     REFUSING        -
            REFUSING        FAILED_OVER FAILED_OVER     -
            REFUSING        NO_WAN      WAITING_FOR_WAN -
            REFUSING        WAN_BACK    UP              -
            FAILED_OVER     ANSWERED    FAILED_OVER     -
            FAILED_OVER     UNANSWERED  DOWN            -
            FAILED_OVER     REFUSED     REFUSING        -
            FAILED_OVER     FAILED_OVER FAILED_OVER     -
            FAILED_OVER     NO_WAN      WAITING_FOR_WAN -
            FAILED_OVER     WAN_BACK    FAILED_OVER     -
            WAITING_FOR_WAN ANSWERED    WAITING_FOR_WAN -
            WAITING_FOR_WAN UNANSWERED  DOWN            -
            WAITING_FOR_WAN REFUSED     REFUSING        -
            WAITING_FOR_WAN FAILED_OVER FAILED_OVER     -
            WAITING_FOR_WAN NO_WAN      WAITING_FOR_WAN -
            WAITING_FOR_WAN WAN_BACK    UP              -
            """;

    @Test
    void everyStateSignalPairIsAsDocumented() {
        TableRows.assertEveryRow(TABLE, GatewayHealth.State.values().length * GatewayHealth.Signal.values().length,
                (s, g) -> {
                    GatewayHealth.Transition t = GatewayHealth.next(GatewayHealth.State.valueOf(s),
                            GatewayHealth.Signal.valueOf(g));
                    return t.next() + " " + (t.wake() ? "wake" : "-");
                });
    }
}
