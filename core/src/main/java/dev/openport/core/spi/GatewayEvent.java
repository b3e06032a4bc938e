package dev.openport.core.spi;

import dev.openport.core.MappingProtocol;
import java.net.InetAddress;
import java.util.Objects;

/**
 * Something a gateway signalled about its mappings.
 *
 * <pre>{@code
 * if (event.kind() == GatewayEvent.Kind.STATE_LOST) { remapEverything(); }
 * }</pre>
 *
 * @param kind     what happened
 * @param protocol the protocol that noticed it
 * @param gateway  the gateway it concerns
 * @param detail   a human-readable explanation (e.g. "epoch went from 3600 to 4")
 */
public record GatewayEvent(Kind kind, MappingProtocol protocol, InetAddress gateway, String detail) {

    /** What a gateway signalled. */
    public enum Kind {
        /** The gateway restarted or otherwise lost its mappings: re-create them. */
        STATE_LOST,
        /** The gateway asked clients to re-check their mappings (PCP ANNOUNCE, NAT-PMP address announcement). */
        RECHECK,
        /** The gateway's external address changed. */
        EXTERNAL_ADDRESS_CHANGED
    }

    /**
     * The kind is required.
     *
     * @param kind     what happened
     * @param protocol the protocol that noticed it
     * @param gateway  the gateway it concerns
     * @param detail   a human-readable explanation
     */
    public GatewayEvent {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(gateway, "gateway");
        detail = detail == null ? "" : detail;
    }
}
