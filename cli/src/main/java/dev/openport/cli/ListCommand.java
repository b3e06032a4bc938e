package dev.openport.cli;

import dev.openport.core.DiscoveryOptions;
import dev.openport.core.MappingProtocol;
import dev.openport.core.PortMapper;
import dev.openport.core.PortMapping;
import dev.openport.core.PortMappingException;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code openport list}: the gateway's table (UPnP), else what this tool made (state file). */
final class ListCommand extends BaseCommand {

    @Override
    String name() {
        return "list";
    }

    @Override
    int call() throws Exception {
        GlobalOptions o = opts();
        String note = null;
        List<PortMapping> mappings = null;
        PortMapper used = null;
        if (o.protocol == null || o.protocol == MappingProtocol.UPNP) {
            // only UPnP can list: ask it alone, so a faster PCP/NAT-PMP answer does not win the probe
            DiscoveryOptions d = o.discovery().protocols(MappingProtocol.UPNP).build();
            try (PortMapper mapper = connect(d)) {
                used = mapper;
                mappings = mapper.list();
            } catch (PortMappingException e) {
                if (o.protocol != null) {
                    throw e; // the user asked for UPnP: its failure is the answer
                }
                note = "UPnP did not answer (" + firstPart(e.getMessage()) + "); showing the mappings openport made";
                used = null;
            }
        } else {
            note = o.protocol.displayName() + " cannot list a router's mappings; showing the mappings openport made";
        }
        String source = mappings != null ? "gateway" : "state";
        List<StateFile.Entry> recorded;
        try {
            recorded = o.state().read();
        } catch (IOException e) {
            throw new CliException(ExitCodes.FAILED, e.getMessage());
        }
        if (mappings == null) {
            mappings = new ArrayList<>();
            for (StateFile.Entry e : recorded) {
                if (!PinholeList.isPinhole(e) && (o.gateway == null || o.gateway.equals(e.gateway()))) {
                    mappings.add(e.toMapping());
                }
            }
        }
        Instant now = Instant.now();
        // IPv6 pinholes: no router lists them, so the state file says which, and the router confirms where it can
        List<PinholeList.Row> pinholes = PinholeList.rows(recorded.stream()
                .filter(e -> o.gateway == null || !(o.gateway instanceof java.net.Inet6Address)
                        || o.gateway.equals(e.gateway())).toList(), o::discovery, this::connect, now);
        if (ui().json) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("command", name());
            doc.put("ok", true);
            doc.put("source", source);
            doc.put("gateway", used == null ? null : used.gateway().getHostAddress());
            doc.put("protocol", used == null ? null : Names.id(used.protocol()));
            List<Object> list = new ArrayList<>();
            mappings.forEach(m -> list.add(Render.json(m)));
            doc.put("mappings", list);
            doc.put("pinholes", pinholes.stream().map(PinholeList::json).toList());
            doc.put("note", note);
            ui().json(doc);
            return ExitCodes.OK;
        }
        if (note != null) {
            ui().err.println(note + " (" + o.state().path() + ")");
        }
        if (mappings.isEmpty()) {
            ui().line(source.equals("gateway") ? "no mappings on " + used.gateway().getHostAddress()
                    : "no mappings recorded");
            pinholes(pinholes, now);
            return ExitCodes.OK;
        }
        // from the gateway's table the protocol column would only say how we listed it: name the source instead
        boolean fromGateway = source.equals("gateway");
        if (fromGateway) {
            ui().line("mappings on " + used.gateway().getHostAddress() + " (listed over "
                    + used.protocol().displayName() + "):");
        }
        String fmt = fromGateway ? "%-5s %-27s %-27s %-10s %s" : "%-5s %-27s %-27s %-10s %-8s %s";
        ui().line(ui().bold(fromGateway ? String.format(fmt, "PROTO", "EXTERNAL", "INTERNAL", "LEASE", "DESCRIPTION")
                : String.format(fmt, "PROTO", "EXTERNAL", "INTERNAL", "LEASE", "VIA", "DESCRIPTION")));
        for (PortMapping m : mappings) {
            String ext = Render.host(m.externalAddress()) + ":" + m.externalPort();
            String in = Render.host(m.internalAddress()) + ":" + m.internalPort();
            ui().line(fromGateway ? String.format(fmt, m.transport().lowerName(), ext, in, Render.remaining(m, now),
                    m.request().description())
                    : String.format(fmt, m.transport().lowerName(), ext, in, Render.remaining(m, now),
                            m.protocol().displayName(), m.request().description()));
        }
        pinholes(pinholes, now);
        return ExitCodes.OK;
    }

    /** The pinhole table, after the IPv4 one; nothing at all without pinholes (IPv4-only output unchanged). */
    private void pinholes(List<PinholeList.Row> rows, Instant now) {
        if (rows.isEmpty()) {
            return;
        }
        ui().line("IPv6 pinholes openport opened (its state file; held/missing = what the router says, recorded = "
                + "the router cannot be asked without changing it):");
        String fmt = "%-5s %-44s %-10s %-8s %-9s %s";
        ui().line(ui().bold(String.format(fmt, "PROTO", "ADDRESS", "LEASE", "VIA", "STATUS", "DESCRIPTION")));
        for (PinholeList.Row r : rows) {
            PortMapping m = r.mapping();
            ui().line(String.format(fmt, m.transport().lowerName(), Render.host(m.internalAddress()) + ":"
                    + m.externalPort(), Render.remaining(m, now), m.protocol().displayName(), r.status().id(),
                    m.request().description()) + (r.detail() == null ? "" : " (" + r.detail() + ")"));
        }
    }

    private static String firstPart(String message) {
        String m = Main.oneLine(message);
        int cut = m.indexOf(" — ");
        return cut > 0 ? m.substring(0, cut) : m;
    }
}
