package dev.openport.cli;

import dev.openport.core.AddressClass;
import dev.openport.core.DiscoveryOptions;
import dev.openport.core.Gateway;
import dev.openport.core.Gateways;
import dev.openport.core.MappingProtocol;
import dev.openport.core.PortMappingException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** {@code openport discover}: every protocol the gateway answered, how fast, and its external address. */
final class DiscoverCommand extends BaseCommand {

    @Override
    String name() {
        return "discover";
    }

    @Override
    int call() throws Exception {
        DiscoveryOptions d = opts().discovery().build();
        List<MappingProtocol> asked = new ArrayList<>(EnumSet.copyOf(d.protocols()));
        ui().progress("asking " + (d.gateway() == null ? "the default gateway" : d.gateway().getHostAddress())
                + " (" + asked.stream().map(MappingProtocol::displayName).collect(Collectors.joining(", "))
                + ")…");
        List<Gateway> gateways;
        try {
            gateways = Gateways.discover(d);
        } finally {
            ui().clearProgress();
        }
        boolean any = gateways.stream().anyMatch(g -> !g.protocols().isEmpty());
        if (!any) {
            String where = gateways.isEmpty() ? "" : " on " + gateways.get(0).address().getHostAddress();
            throw new PortMappingException(PortMappingException.Reason.GATEWAY_NOT_FOUND, "no gateway answered"
                    + where + " (tried " + asked.stream().map(MappingProtocol::displayName)
                            .collect(Collectors.joining(", ")) + ") — is UPnP/NAT-PMP enabled on your router?");
        }
        if (ui().json) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("command", name());
            doc.put("ok", true);
            List<Object> gs = new ArrayList<>();
            for (Gateway g : gateways) {
                Map<String, Object> gj = new LinkedHashMap<>();
                gj.put("address", g.address().getHostAddress());
                gj.put("externalAddress", g.externalAddress() == null ? null : g.externalAddress().getHostAddress());
                gj.put("addressClass", g.externalAddress() == null ? null : AddressClass.of(g.externalAddress()).id());
                List<Object> ps = new ArrayList<>();
                for (MappingProtocol p : asked) {
                    Map<String, Object> pj = new LinkedHashMap<>();
                    Duration took = g.protocols().get(p);
                    pj.put("protocol", Names.id(p));
                    pj.put("name", p.displayName());
                    pj.put("answered", took != null);
                    pj.put("millis", took == null ? null : took.toMillis());
                    ps.add(pj);
                }
                gj.put("protocols", ps);
                gs.add(gj);
            }
            doc.put("gateways", gs);
            ui().json(doc);
        } else {
            for (Gateway g : gateways) {
                ui().line(ui().bold("gateway " + g.address().getHostAddress()));
                for (MappingProtocol p : asked) {
                    Duration took = g.protocols().get(p);
                    ui().line(String.format("  %-8s %s", p.displayName(), took == null ? "no answer"
                            : ui().green("answered") + " in " + took.toMillis() + " ms"));
                }
                ui().line("external address " + (g.externalAddress() == null ? "unknown"
                        : g.externalAddress().getHostAddress()));
            }
        }
        for (Gateway g : gateways) {
            if (g.externalAddress() != null) {
                String w = Render.doubleNatWarning(g.externalAddress(), 0);
                if (w != null) {
                    ui().warn(w);
                }
            }
        }
        return ExitCodes.OK;
    }
}
