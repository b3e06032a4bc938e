package dev.openport.cli;

import dev.openport.core.DiagnosticReport;
import dev.openport.core.Diagnostics;
import dev.openport.core.DiscoveryOptions;
import dev.openport.core.GatewayReport;
import dev.openport.core.MappingProtocol;
import dev.openport.core.MappingRequest;
import dev.openport.core.MappingVerifier;
import dev.openport.core.PortMapper;
import dev.openport.core.PortMapping;
import dev.openport.core.PortMappingException;
import dev.openport.core.PublicAddressQuery;
import dev.openport.core.ReachabilityProbe;
import dev.openport.core.Transport;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code openport check [port[/proto]]}: is my port really reachable? Gateways and protocols, the external
 * address and its class, the public address through DNS, double NAT / CGNAT, and optionally a mapping made,
 * read back and proven through an echo service. Field names documented in docs/diagnostics.md.
 */
@Command(name = "check", mixinStandardHelpOptions = true,
        header = "Check whether the internet can really reach you (double NAT, CGNAT, public address).",
        description = {
            "Asks the router in every protocol (which answered, how fast, which external address), says "
                    + "whether that address is private or CGNAT (double NAT), and asks a DNS resolver which "
                    + "address the internet sees (a \"what is my IP\" name), to compare the two.",
            "With a port, also maps it for the check, reads the mapping back from the router (warns when the "
                    + "router dropped it), and removes it again. With --echo, an echo service outside that you "
                    + "control is asked to send a packet to the external address and port; only that proves "
                    + "reachability.",
            "Exit code 0 when nothing stands in the way as far as the checks can tell, 1 when something does "
                    + "(double NAT, CGNAT, the addresses disagree, the mapping was dropped, the echo did not "
                    + "arrive)."},
        footerHeading = "%nExamples:%n",
        footer = {
            "  openport check",
            "  openport check --resolver 192.0.2.53:5353       ask this DNS server (A myip.opendns.com)",
            "  openport check 25565/tcp --echo 198.51.100.4:7777",
            "  openport check --json | jq -r .finding"})
final class CheckCommand extends BaseCommand {

    @Parameters(index = "0", arity = "0..1", paramLabel = "<port>[/tcp|/udp|/both]",
            converter = Converters.PortSpecs.class,
            description = "Also map this port for the check, read it back, and remove it again.")
    PortSpec port;

    @Option(names = "--resolver", paramLabel = "<host>[:<port>]", converter = Resolvers.class,
            description = "DNS server that answers \"what is my IP\" (repeatable; default: resolver1.opendns.com "
                    + "208.67.222.222, then ns1.google.com 216.239.32.10).")
    List<InetSocketAddress> resolvers = new ArrayList<>();

    @Option(names = "--query-name", paramLabel = "<name>",
            description = "The name to ask --resolver for (default: myip.opendns.com).")
    String queryName;

    @Option(names = "--query-type", paramLabel = "A|AAAA|TXT", converter = QueryTypes.class,
            description = "The record that carries the answer (default: A).")
    PublicAddressQuery.RecordType queryType;

    @Option(names = "--no-public-check", description = "Do not ask any DNS resolver.")
    boolean noPublicCheck;

    @Option(names = "--echo", paramLabel = "<host>:<port>", converter = EchoServices.class,
            description = "An echo service outside your network (docs/diagnostics.md) that sends a packet to "
                    + "the mapped port, to prove it is reachable. Needs a <port>.")
    InetSocketAddress echo;

    @Override
    String name() {
        return "check";
    }

    @Override
    public Integer call() throws Exception {
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

    static final class Resolvers implements ITypeConverter<InetSocketAddress> {
        @Override
        public InetSocketAddress convert(String value) {
            try {
                return PublicAddressQuery.parse(value).resolver();
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    static final class EchoServices implements ITypeConverter<InetSocketAddress> {
        @Override
        public InetSocketAddress convert(String value) {
            if (!value.matches(".+:\\d{1,5}")) {
                throw new TypeConversionException("invalid echo service '" + value + "': use host:port");
            }
            try {
                // same syntax as a resolver, but the port is required
                return PublicAddressQuery.parse(value).resolver();
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage().replace("resolver", "echo service"));
            }
        }
    }

    static final class QueryTypes implements ITypeConverter<PublicAddressQuery.RecordType> {
        @Override
        public PublicAddressQuery.RecordType convert(String value) {
            try {
                return PublicAddressQuery.type(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
