package dev.openport.cli;

import dev.openport.core.AddressClass;
import dev.openport.core.AddressFamily;
import dev.openport.core.MappingProtocol;
import dev.openport.diagnostics.DiagnosticReport;
import dev.openport.diagnostics.GatewayReport;
import dev.openport.diagnostics.NatFinding;
import dev.openport.diagnostics.PublicAddressQuery;
import dev.openport.diagnostics.PublicAddressResult;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** How {@code openport check} looks in text and JSON (fields documented in docs/diagnostics.md). */
final class CheckOutput {
    static final String NOT_PROVEN = "not proven: no --echo service was asked to reach the port from outside";

    private CheckOutput() {
    }

    static void text(Ui ui, DiagnosticReport r, List<PublicAddressQuery> asked, List<CheckCommand.MappingCheck> ms,
            boolean portGiven, boolean echoGiven) {
        for (GatewayReport g : r.gateways()) {
            ui.line(ui.bold("gateway " + g.gateway().address().getHostAddress()));
            for (MappingProtocol p : MappingProtocol.values()) {
                Duration took = g.gateway().protocols().get(p);
                ui.line(String.format(Locale.ROOT, "  %-8s %s", p.displayName(), took == null ? "no answer"
                        : ui.green("answered") + " in " + took.toMillis() + " ms"));
            }
            InetAddress ext = g.gateway().externalAddress();
            ui.line("  external address " + (ext == null ? "unknown"
                    : ext.getHostAddress() + " (" + g.externalAddressClass().id() + ")"));
        }
        ui.line(publicLine(r, asked));
        NatFinding f = r.finding();
        String detail = f.summary();
        InetAddress ext = r.primary().map(g -> g.gateway().externalAddress()).orElse(null);
        if (ext != null) {
            detail += " (router " + ext.getHostAddress()
                    + r.publicAddressIfKnown().map(p -> ", internet " + p.address().getHostAddress()).orElse("")
                    + ")";
        }
        String id = f.reachablePossible() ? ui.green(f.id()) : ui.red(f.id());
        ui.line(id + ": " + detail);
        if (f.advice() != null) {
            ui.line("advice: " + f.advice());
        }
        for (CheckCommand.MappingCheck m : ms) {
            boolean six = m.family() == AddressFamily.IPV6;
            String head = "mapping " + m.transport().lowerName() + (six ? " (IPv6 pinhole)" : "") + ": ";
            if (m.mapping() == null) {
                ui.line(head + ui.red("refused") + " — " + m.error());
                continue;
            }
            String v = switch (m.verified()) {
                case CONFIRMED -> ui.green("read back, the router holds it");
                case MISSING -> ui.red("the router accepted it but does not hold it (silently dropped)");
                case UNKNOWN -> "the router cannot be asked to read it back";
            };
            ui.line(head + Render.mapped(ui, m.mapping()) + "; " + v + "; removed again");
            String reach = "reachability " + m.transport().lowerName() + (six ? " (IPv6)" : "") + ": ";
            if (m.proof() == null && echoGiven) {
                ui.line(reach + "not proven — the echo service has no " + m.family().displayName() + " address");
            } else if (m.proof() != null) {
                ui.line(reach + (m.proof().outcome().proven()
                        ? ui.green("proven") + " — " + m.proof().detail() + " in " + m.proof().took().toMillis()
                                + " ms"
                        : ui.red("not reachable") + " — " + m.proof().detail()));
            }
        }
        if (!echoGiven) {
            ui.line("reachability: " + NOT_PROVEN + (portGiven ? "" : " (give a port and --echo host:port)"));
        }
    }

    private static String publicLine(DiagnosticReport r, List<PublicAddressQuery> asked) {
        if (asked.isEmpty()) {
            return "public address not checked (--no-public-check)";
        }
        PublicAddressResult p = r.publicAddress();
        if (p == null) {
            return "public address unknown: " + Main.oneLine(r.publicAddressError());
        }
        return "public address " + p.address().getHostAddress() + " (" + AddressClass.of(p.address()).id()
                + "), as " + p.query().resolverText() + " sees it (" + p.query().name() + " " + p.query().type()
                + ", " + p.roundTrip().toMillis() + " ms)";
    }

    static Map<String, Object> json(String command, DiagnosticReport r, List<PublicAddressQuery> asked,
            List<CheckCommand.MappingCheck> ms, boolean portGiven, boolean echoGiven, boolean good) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("command", command);
        doc.put("ok", good);
        List<Object> gs = new ArrayList<>();
        for (GatewayReport g : r.gateways()) {
            Map<String, Object> gj = new LinkedHashMap<>();
            gj.put("address", g.gateway().address().getHostAddress());
            List<Object> ps = new ArrayList<>();
            for (MappingProtocol p : MappingProtocol.values()) {
                Duration took = g.gateway().protocols().get(p);
                Map<String, Object> pj = new LinkedHashMap<>();
                pj.put("protocol", Names.id(p));
                pj.put("name", p.displayName());
                pj.put("answered", took != null);
                pj.put("millis", took == null ? null : took.toMillis());
                ps.add(pj);
            }
            gj.put("protocols", ps);
            gj.put("externalAddress", Render.ip(g.gateway().externalAddress()));
            gj.put("addressClass", g.externalAddressClass() == null ? null : g.externalAddressClass().id());
            gj.put("public", g.externalAddressClass() == null ? null : g.externalAddressClass().isPublic());
            gs.add(gj);
        }
        doc.put("gateways", gs);
        doc.put("resolvers", asked.stream().map(PublicAddressQuery::resolverText).toList());
        PublicAddressResult p = r.publicAddress();
        if (p == null) {
            doc.put("publicAddress", null);
        } else {
            Map<String, Object> pj = new LinkedHashMap<>();
            pj.put("address", p.address().getHostAddress());
            pj.put("addressClass", AddressClass.of(p.address()).id());
            pj.put("resolver", p.query().resolverText());
            pj.put("queryName", p.query().name());
            pj.put("queryType", p.query().type().name());
            pj.put("millis", p.roundTrip().toMillis());
            doc.put("publicAddress", pj);
        }
        doc.put("publicAddressError", asked.isEmpty() ? null : r.publicAddressError());
        doc.put("agrees", r.agrees().orElse(null));
        NatFinding f = r.finding();
        doc.put("finding", f.id());
        doc.put("summary", f.summary());
        doc.put("advice", f.advice());
        doc.put("behindAnotherNat", switch (f) {
            case CGNAT, DOUBLE_NAT, DISAGREE -> Boolean.TRUE;
            case AGREE -> Boolean.FALSE;
            default -> null;
        });
        List<Object> mj = new ArrayList<>();
        for (CheckCommand.MappingCheck m : ms) {
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("transport", m.transport().lowerName());
            j.put("family", m.family() == AddressFamily.IPV6 ? "ipv6" : "ipv4");
            j.put("mapping", m.mapping() == null ? null : Render.json(m.mapping()));
            j.put("error", m.error());
            j.put("readBack", m.verified() == null ? null : m.verified().name().toLowerCase(Locale.ROOT));
            j.put("reachability", m.proof() == null ? null : proof(m));
            mj.add(j);
        }
        doc.put("mappings", mj);
        Map<String, Object> reach = new LinkedHashMap<>();
        boolean tested = ms.stream().anyMatch(m -> m.proof() != null);
        reach.put("tested", tested);
        // a mapping the echo service has no address for (its family) is not proven, and does not count
        reach.put("proven", tested && ms.stream().filter(m -> m.proof() != null || m.mapping() == null)
                .allMatch(m -> m.proof() != null && m.proof().outcome().proven()));
        reach.put("detail", echoGiven ? null : NOT_PROVEN);
        doc.put("reachability", reach);
        return doc;
    }

    private static Map<String, Object> proof(CheckCommand.MappingCheck m) {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("arrived", m.proof().arrived());
        j.put("proven", m.proof().outcome().proven()); // also true when a program here accepted the echo's connection
        j.put("outcome", m.proof().outcome().name().toLowerCase(Locale.ROOT));
        j.put("detail", m.proof().detail());
        j.put("millis", m.proof().took().toMillis());
        return j;
    }
}
