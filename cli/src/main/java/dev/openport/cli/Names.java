package dev.openport.cli;

import dev.openport.core.MappingProtocol;
import java.util.Locale;

/** The stable protocol ids used in JSON and the state file: {@code pcp}, {@code natpmp}, {@code upnp}. */
final class Names {
    private Names() {
    }

    static String id(MappingProtocol p) {
        return switch (p) {
            case PCP -> "pcp";
            case NAT_PMP -> "natpmp";
            case UPNP -> "upnp";
        };
    }

    static MappingProtocol protocol(String id) {
        return MappingProtocol.parse(id.toLowerCase(Locale.ROOT));
    }
}
