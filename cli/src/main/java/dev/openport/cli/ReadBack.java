package dev.openport.cli;

import dev.openport.core.PortMapper;
import dev.openport.core.PortMapping;
import dev.openport.core.PortMappingException;

/**
 * What reading a mapping back showed, in the three words {@code check} prints (and its JSON {@code readBack} field):
 * a foreign entry on our port counts as missing, because ours is not there.
 */
enum ReadBack {
    /** The gateway holds it. */
    CONFIRMED,
    /** The gateway does not hold it (or someone else's entry has the port). */
    MISSING,
    /** The gateway cannot be asked. */
    UNKNOWN;

    /** Reads {@code m} back through {@code mapper} ({@link PortMapper#check}: for NAT-PMP and PCP a renewal). */
    static ReadBack of(PortMapper mapper, PortMapping m) throws PortMappingException {
        return switch (mapper.check(m).state()) {
            case HELD -> CONFIRMED;
            case MISSING, FOREIGN -> MISSING;
            case UNKNOWN -> UNKNOWN;
        };
    }
}
