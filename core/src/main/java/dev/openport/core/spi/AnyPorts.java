package dev.openport.core.spi;

import java.util.concurrent.ThreadLocalRandom;

/**
 * What NAT-PMP and PCP share for requests that {@linkplain dev.openport.core.MappingRequest#followsExternalPort()
 * follow the external port}: both wires need a non-zero internal port (NAT-PMP 0 = delete all, RFC 6886 §3.4;
 * PCP 0 = all ports, RFC 6887 §11.1), so the module picks one, suggests it as the external port too, and when
 * the gateway forwards another external port P to it, deletes that and asks again for P -> P.
 *
 * <pre>{@code
 * int w = request.externalPort() != 0 ? request.externalPort() : AnyPorts.pick();
 * for (int round = 1; ; round++) {
 *     Grant g = send(w, w);                       // internal W, suggested external W
 *     if (g.internal() == g.external()) return g;   // P -> P: done
 *     delete(g);
 *     if (round == AnyPorts.MAX_ROUNDS) throw conflict();
 *     w = g.external();                            // ask P -> P next
 * }
 * }</pre>
 */
public final class AnyPorts {
    /** Rounds of "asked W, got P -> W; ask P -> P" before giving up with CONFLICT. */
    public static final int MAX_ROUNDS = 3;
    /** The dynamic port range, RFC 6335 §6. */
    static final int DYNAMIC_FIRST = 49152;
    static final int DYNAMIC_LAST = 65535;

    private AnyPorts() {
    }

    /**
     * A random port of the dynamic range (RFC 6335 §6), to ask for as internal and external port.
     *
     * @return a port in 49152-65535
     */
    public static int pick() {
        return ThreadLocalRandom.current().nextInt(DYNAMIC_FIRST, DYNAMIC_LAST + 1);
    }
}
