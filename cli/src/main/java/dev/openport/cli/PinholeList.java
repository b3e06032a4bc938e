package dev.openport.cli;

import dev.openport.core.DiscoveryOptions;
import dev.openport.core.MappingCheck;
import dev.openport.core.MappingProtocol;
import dev.openport.core.PortMapper;
import dev.openport.core.PortMapping;
import dev.openport.core.PortMappingException;
import java.net.Inet6Address;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code openport list}'s IPv6 pinholes. No protocol lists a router's pinholes, so the state file says which ones
 * openport opened, and the router is asked about each where a question changes nothing: UPnP answers
 * GetPinholePackets for the pinhole's UniqueID (WANIPv6FirewallControl:1 §2.5.6). PCP's only read-back is a
 * renewal, which would extend the lease (or re-create a pinhole the router dropped), so a PCP pinhole is shown
 * as {@code recorded}: what openport knows, not what the router says.
 */
final class PinholeList {
    private PinholeList() {
    }

    /** What the router says of a recorded pinhole. */
    enum Status {
        /** The router confirms it (UPnP GetPinholePackets answered). */
        HELD,
        /** The router says there is no such pinhole (it expired or was dropped). */
        MISSING,
        /** Not asked: the protocol cannot read a pinhole back without changing it (PCP). */
        RECORDED,
        /** The router could not be asked, or gave no clear answer. */
        UNKNOWN;

        String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * One pinhole as listed.
     *
     * @param detail why the status is {@code unknown}, else {@code null}
     */
    record Row(PortMapping mapping, Status status, String detail) {
    }

    /** How list connects to a pinhole's gateway (the command's {@code connect}, with its UPnP cache). */
    interface Connector {
        PortMapper connect(DiscoveryOptions options) throws PortMappingException;
    }

    /** An IPv6 pinhole entry: no translation, an IPv6 client and gateway. */
    static boolean isPinhole(StateFile.Entry e) {
        return e.gateway() instanceof Inet6Address && e.internalAddress() instanceof Inet6Address;
    }

    /**
     * The recorded pinholes whose lease has not ended, each with what its router says.
     *
     * @param base the command's discovery options (timeout, --upnp-url, test ports)
     */
    static List<Row> rows(List<StateFile.Entry> entries, Supplier<DiscoveryOptions.Builder> base,
            Connector connector, Instant now) {
        Map<String, List<StateFile.Entry>> groups = new LinkedHashMap<>();
        for (StateFile.Entry e : entries) {
            if (isPinhole(e) && !e.expired(now)) {
                groups.computeIfAbsent(e.gateway().getHostAddress() + "/" + e.protocol() + "/"
                        + e.internalAddress().getHostAddress(), k -> new ArrayList<>()).add(e);
            }
        }
        List<Row> rows = new ArrayList<>();
        for (List<StateFile.Entry> group : groups.values()) {
            StateFile.Entry first = group.get(0);
            if (first.protocol() != MappingProtocol.UPNP) {
                group.forEach(e -> rows.add(new Row(e.toMapping(), Status.RECORDED, null)));
                continue;
            }
            // asked from the address the pinhole is for, as unmap deletes it: routers compare the sender
            DiscoveryOptions.Builder b = base.get().gateway(first.gateway()).protocols(MappingProtocol.UPNP)
                    .localAddress(first.internalAddress());
            if (first.gateway().isLoopbackAddress()) {
                b.multicast(false);
            }
            int before = rows.size();
            try (PortMapper mapper = connector.connect(b.build())) {
                for (StateFile.Entry e : group) {
                    rows.add(check(mapper, e.toMapping()));
                }
            } catch (PortMappingException ex) {
                String why = Main.oneLine(ex.getMessage()); // no gateway answered: each one not yet asked
                group.subList(rows.size() - before, group.size())
                        .forEach(e -> rows.add(new Row(e.toMapping(), Status.UNKNOWN, why)));
            }
        }
        return rows;
    }

    private static Row check(PortMapper mapper, PortMapping m) {
        try {
            MappingCheck c = mapper.check(m);
            return switch (c.state()) {
                case HELD -> new Row(m, Status.HELD, null);
                case MISSING, FOREIGN -> new Row(m, Status.MISSING, null);
                case UNKNOWN -> new Row(m, Status.UNKNOWN, "the router gave no clear answer");
            };
        } catch (PortMappingException e) {
            return new Row(m, Status.UNKNOWN, Main.oneLine(e.getMessage()));
        }
    }

    /** The JSON of one row: the mapping's fields plus {@code status} and {@code statusDetail}. */
    static Map<String, Object> json(Row r) {
        Map<String, Object> doc = new LinkedHashMap<>(Render.json(r.mapping()));
        doc.put("status", r.status().id());
        doc.put("statusDetail", r.detail());
        return doc;
    }
}
