package dev.openport.cli;

import dev.openport.core.DiscoveryOptions;
import dev.openport.core.MappingProtocol;
import dev.openport.core.MappingRequest;
import dev.openport.core.MappingVerifier;
import dev.openport.core.PortMapper;
import dev.openport.core.PortMapping;
import dev.openport.core.PortMappingException;
import dev.openport.core.Transport;
import dev.openport.diagnostics.DiagnosticReport;
import dev.openport.diagnostics.Diagnostics;
import dev.openport.diagnostics.GatewayReport;
import dev.openport.diagnostics.PublicAddressQuery;
import dev.openport.diagnostics.ReachabilityProbe;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * {@code openport check [port[/proto]]}: is my port really reachable? Gateways and protocols, the external
 * address and its class, the public address through DNS, double NAT / CGNAT, and optionally a mapping made,
 * read back and proven through an echo service. Field names documented in docs/diagnostics.md.
 */
final class CheckCommand extends BaseCommand {

    /** Options as {@link Catalog#CHECK} describes them. */
    PortSpec port;
    final List<InetSocketAddress> resolvers = new ArrayList<>();
    String queryName;
    PublicAddressQuery.RecordType queryType;
    boolean noPublicCheck;
    InetSocketAddress echo;

    @Override
    void option(String name, String value) {
        switch (name) {
            case "--resolver" -> resolvers.add(PublicAddressQuery.parse(value).resolver());
            case "--query-name" -> queryName = value;
            case "--query-type" -> queryType = PublicAddressQuery.type(value);
            case "--no-public-check" -> noPublicCheck = true;
            case "--echo" -> echo = echoService(value);
            default -> throw new IllegalStateException(name);
        }
    }

    @Override
    void positional(String value) throws CliException {
        if (port != null) {
            throw CliException.usage("check takes one port (got '" + port + "' and '" + value + "')");
        }
        port = Converters.portSpec(value);
        if (port.isAny()) {
            throw CliException.usage("check needs a port number, not 'any'");
        }
    }

    private static InetSocketAddress echoService(String value) {
        if (!value.matches(".+:\\d{1,5}")) {
            throw new IllegalArgumentException("invalid echo service '" + value + "': use host:port");
        }
        try {
            // same syntax as a resolver, but the port is required
            return PublicAddressQuery.parse(value).resolver();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage().replace("resolver", "echo service"));
        }
    }

    @Override
    String name() {
        return "check";
    }

    @Override
    int call() throws Exception {
        if (echo != null && port == null) {
            throw new CliException(ExitCodes.USAGE, "--echo needs a port to check, e.g. 'check 25565/tcp --echo "
                    + echo.getHostString() + ":" + echo.getPort() + "'");
        }
        DiscoveryOptions d = opts().discovery().build();
        List<PublicAddressQuery> queries = queries();
        ui().progress("asking " + (d.gateway() == null ? "the default gateway" : d.gateway().getHostAddress())
                + (queries.isEmpty() ? "" : " and " + queries.get(0).resolverText()) + "…");
        DiagnosticReport report;
        try {
            report = Diagnostics.run(d, queries);
        } finally {
            ui().clearProgress();
        }
        if (report.gateways().stream().noneMatch(GatewayReport::answered)) {
            String where = report.gateways().isEmpty() ? ""
                    : " on " + report.gateways().get(0).gateway().address().getHostAddress();
            throw new PortMappingException(PortMappingException.Reason.GATEWAY_NOT_FOUND, "no gateway answered"
                    + where + " (tried " + d.protocols().stream().sorted().map(MappingProtocol::displayName)
                            .collect(Collectors.joining(", ")) + ") — is UPnP/NAT-PMP enabled on your router?");
        }
        List<MappingCheck> mappings = port == null ? List.of() : checkMappings(d);
        boolean good = report.finding().reachablePossible()
                && mappings.stream().allMatch(MappingCheck::good);
        if (ui().json) {
            ui().json(CheckOutput.json(name(), report, queries, mappings, port != null, echo != null, good));
        } else {
            CheckOutput.text(ui(), report, queries, mappings, port != null, echo != null);
        }
        return good ? ExitCodes.OK : ExitCodes.FAILED;
    }

    private List<PublicAddressQuery> queries() {
        if (noPublicCheck) {
            return List.of();
        }
        if (resolvers.isEmpty()) {
            if (queryName == null && queryType == null) {
                return PublicAddressQuery.defaults();
            }
            return PublicAddressQuery.defaults().stream().map(q -> new PublicAddressQuery(q.resolver(),
                    queryName != null ? queryName : q.name(), queryType != null ? queryType : q.type())).toList();
        }
        return resolvers.stream().map(r -> new PublicAddressQuery(r,
                queryName != null ? queryName : PublicAddressQuery.OPENDNS_NAME,
                queryType != null ? queryType : PublicAddressQuery.RecordType.A)).toList();
    }

    /** Maps each transport, reads it back, proves it through the echo service if given, and unmaps it. */
    private List<MappingCheck> checkMappings(DiscoveryOptions d) throws PortMappingException {
        List<MappingCheck> out = new ArrayList<>();
        try (PortMapper mapper = connect(d)) {
            for (Transport t : port.orderedTransports()) {
                PortMapping m;
                try {
                    m = mapper.map(MappingRequest.of(t, port.port()).withDescription("openport check"));
                } catch (PortMappingException e) {
                    if (e.reason() == PortMappingException.Reason.TIMEOUT) {
                        throw e;
                    }
                    out.add(new MappingCheck(t, null, null, null, Hints.explain(e, 0)));
                    continue;
                }
                try {
                    ui().progress("reading " + port.port() + "/" + t.lowerName() + " back…");
                    MappingVerifier.Result v = MappingVerifier.verify(mapper, m);
                    ReachabilityProbe.Result proof = null;
                    if (echo != null) {
                        ui().progress("asking " + echo.getHostString() + ":" + echo.getPort() + " to reach "
                                + Render.host(m.externalAddress()) + ":" + m.externalPort() + "…");
                        proof = ReachabilityProbe.prove(echo, m, opts().timeoutOrDefault());
                    }
                    out.add(new MappingCheck(t, m, v, proof, null));
                } finally {
                    ui().clearProgress();
                    try {
                        mapper.unmap(m);
                    } catch (PortMappingException e) {
                        ui().warn("could not remove the check's mapping " + Render.arrow(m) + ": "
                                + Hints.explain(e, 0));
                    }
                }
            }
        }
        return out;
    }

    /**
     * One transport's mapping check.
     *
     * @param mapping  what the gateway granted, {@code null} when it refused
     * @param verified the read-back, {@code null} when refused
     * @param proof    the echo result, {@code null} without --echo
     * @param error    why the gateway refused, or {@code null}
     */
    record MappingCheck(Transport transport, PortMapping mapping, MappingVerifier.Result verified,
            ReachabilityProbe.Result proof, String error) {
        boolean good() {
            return mapping != null && verified != MappingVerifier.Result.MISSING
                    && (proof == null || proof.arrived());
        }
    }
}
