package dev.openport.upnp;

import dev.openport.core.PortMappingException;
import dev.openport.upnp.Recovery.Action;
import dev.openport.upnp.Recovery.Situation;
import dev.openport.upnp.Recovery.Step;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * What the tests of {@link Recovery}'s table share: each test covers one row ({@link Covers}), drives the fake IGD
 * into it and looks at the refusal the caller gets.
 */
abstract class RecoveryRowTest extends LoopbackIgdTest {
    /** miniupnpd 2.3.1's own fault bytes, captured in the lab. */
    static final String LAB = "miniupnpd-lab/igd1/";

    /** The table row a test covers. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.METHOD)
    @interface Covers {
        Action action();

        int code();

        Situation situation();

        Step step();
    }

    static PortMappingException refusal(ThrowingCall call) {
        try {
            call.run();
        } catch (PortMappingException e) {
            return e;
        }
        throw new AssertionError("expected a PortMappingException");
    }

    @FunctionalInterface
    interface ThrowingCall {
        void run() throws PortMappingException;
    }
}
