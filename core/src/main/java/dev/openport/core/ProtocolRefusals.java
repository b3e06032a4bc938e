package dev.openport.core;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Which protocols a gateway answered but refused to map with, for the life of the process: the "half-open
 * router" (docs/quirks.md) answers the PCP or NAT-PMP probe and refuses every MAP while UPnP works. A protocol
 * refused with a lasting reason is skipped by later probes of that gateway until {@link #RETRY_AFTER} has
 * passed (firmware settings change; the refusal may not last forever). A server is the gateway, the protocol,
 * and the server port (and UPnP description URL) the discovery options name: two servers on one address are
 * two servers. Thread-safe.
 */
final class ProtocolRefusals {
    /** How long a lasting refusal keeps a protocol out of the probes of its gateway. */
    static final long RETRY_AFTER = TimeUnit.MINUTES.toNanos(30);

    private static final ProtocolRefusals SHARED = new ProtocolRefusals(System::nanoTime);

    private record Refusal(PortMappingException answer, long at) {
    }

    /** One protocol server: the gateway, and the non-standard port or UPnP location the options name, if any. */
    private record Server(InetAddress gateway, int port, java.net.URI location) {
        static Server of(DiscoveryOptions options, InetAddress gateway, MappingProtocol p) {
            return new Server(gateway, options.serverPort(p), p == MappingProtocol.UPNP ? options.upnpLocation()
                    : null);
        }
    }

    private final LongSupplier nanoClock;
    private final Map<Server, Map<MappingProtocol, Refusal>> byServer = new HashMap<>(); // guarded by this

    ProtocolRefusals(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
    }

    /** The process-wide memory used by {@link Gateways} and the lease manager. */
    static ProtocolRefusals shared() {
        return SHARED;
    }

    /**
     * Whether {@code e} is a refusal that will not go away by asking again: NOT_AUTHORIZED (PCP NOT_AUTHORIZED,
     * NAT-PMP "not authorized/refused", UPnP 606) or UNSUPPORTED (PCP UNSUPP_OPCODE, UPnP 501 on Add).
     * NO_RESOURCES, CONFLICT and TIMEOUT are transient and never switch protocol.
     */
    static boolean isLasting(PortMappingException e) {
        return e.reason() == PortMappingException.Reason.NOT_AUTHORIZED
                || e.reason() == PortMappingException.Reason.UNSUPPORTED;
    }

    /** Remembers that {@code protocol} on {@code gateway} (as {@code options} reach it) refused with {@code answer}. */
    synchronized void refused(DiscoveryOptions options, InetAddress gateway, MappingProtocol protocol,
            PortMappingException answer) {
        byServer.computeIfAbsent(Server.of(options, gateway, protocol), g -> new EnumMap<>(MappingProtocol.class))
                .put(protocol, new Refusal(answer, nanoClock.getAsLong()));
    }

    /** Forgets a refusal: the protocol granted a mapping after all. */
    synchronized void granted(DiscoveryOptions options, InetAddress gateway, MappingProtocol protocol) {
        Server key = Server.of(options, gateway, protocol);
        Map<MappingProtocol, Refusal> m = byServer.get(key);
        if (m != null && m.remove(protocol) != null && m.isEmpty()) {
            byServer.remove(key);
        }
    }

    private Refusal inForce(DiscoveryOptions options, InetAddress gateway, MappingProtocol p, long now) {
        Map<MappingProtocol, Refusal> m = byServer.get(Server.of(options, gateway, p));
        Refusal r = m == null ? null : m.get(p);
        return r != null && now - r.at() < RETRY_AFTER ? r : null;
    }

    /** The protocols to leave out when probing {@code gateway} now. */
    synchronized Set<MappingProtocol> refusing(DiscoveryOptions options, InetAddress gateway) {
        Set<MappingProtocol> out = EnumSet.noneOf(MappingProtocol.class);
        long now = nanoClock.getAsLong();
        for (MappingProtocol p : MappingProtocol.values()) {
            if (inForce(options, gateway, p, now) != null) {
                out.add(p);
            }
        }
        return out;
    }

    /** The refusals still in force on {@code gateway}, most preferred protocol first (for error messages). */
    synchronized List<PortMappingException> answers(DiscoveryOptions options, InetAddress gateway) {
        List<PortMappingException> out = new ArrayList<>();
        long now = nanoClock.getAsLong();
        for (MappingProtocol p : MappingProtocol.values()) {
            Refusal r = inForce(options, gateway, p, now);
            if (r != null) {
                out.add(r.answer());
            }
        }
        return out;
    }
}
