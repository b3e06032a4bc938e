package dev.openport.cli;

import dev.openport.core.AddressFamily;
import dev.openport.core.DiscoveryOptions;
import dev.openport.core.LocalNetwork;
import dev.openport.core.MappingProtocol;
import dev.openport.core.MappingRequest;
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
import java.util.Optional;
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
    EchoTarget echo;

    @Override
    void option(String name, String value) {
        switch (name) {
            case "--resolver" -> resolvers.add(PublicAddressQuery.parse(value).resolver());
            case "--query-name" -> queryName = value;
            case "--query-type" -> queryType = PublicAddressQuery.type(value);
            case "--no-public-check" -> noPublicCheck = true;
            case "--echo" -> echo = echo == null ? EchoTarget.parse(value) : echo.and(EchoTarget.parse(value));
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

    @Override
    String name() {
        return "check";
    }

    @Override
    int call() throws Exception {
        if (echo != null && port == null) {
            throw new CliException(ExitCodes.USAGE, "--echo needs a port to check, e.g. 'check 25565/tcp --echo "
                    + echo.text() + "'");
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

    /**
     * Maps each transport, reads it back, proves it through the echo service if given, and unmaps it; then the
     * same for the IPv6 pinholes when the echo service has an IPv6 address and this host has IPv6.
     */
    private List<MappingCheck> checkMappings(DiscoveryOptions d) throws PortMappingException {
        List<MappingCheck> out = new ArrayList<>();
        try (PortMapper mapper = connect(d)) {
            checkEach(mapper, AddressFamily.IPV4, out);
        }
        boolean echoHasIpv6 = echo != null && echo.hasIpv6();
        if (echoHasIpv6) {
            // a pinhole is proven only through an IPv6 echo address: the service reaches our IPv6 address itself
            Optional<DiscoveryOptions> six = d.gateway() != null || d.localAddress() != null ? Optional.empty()
                    : LocalNetwork.ipv6Uplink().flatMap(u -> u.discovery(d));
            if (six.isEmpty()) {
                ui().warn("IPv6 not checked: " + (d.gateway() != null ? "--gateway names an IPv4 router"
                        : "this host has no IPv6 default route with a stable global address (or only NAT-PMP "
                                + "was allowed)"));
            } else {
                try (PortMapper mapper = connect(six.get())) {
                    checkEach(mapper, AddressFamily.IPV6, out);
                } catch (PortMappingException e) { // the IPv4 result stands; this family's failure is a row
                    for (Transport t : port.orderedTransports()) {
                        out.add(new MappingCheck(t, AddressFamily.IPV6, null, null, null, Hints.explain(e, 0)));
                    }
                }
            }
        }
        return out;
    }

    private void checkEach(PortMapper mapper, AddressFamily family, List<MappingCheck> out)
            throws PortMappingException {
        for (Transport t : port.orderedTransports()) {
            PortMapping m;
            try {
                m = mapper.map(MappingRequest.of(t, port.port()).withDescription("openport check"));
            } catch (PortMappingException e) {
                if (e.reason() == PortMappingException.Reason.TIMEOUT) {
                    throw e;
                }
                out.add(new MappingCheck(t, family, null, null, null, Hints.explain(e, 0)));
                continue;
            }
            try {
                ui().progress("reading " + port.port() + "/" + t.lowerName() + " back…");
                ReadBack v = ReadBack.of(mapper, m);
                ReachabilityProbe.Result proof = null;
                Optional<InetSocketAddress> service = echo == null || m.externalAddress() == null
                        ? Optional.empty() : echo.forFamilyOf(m.externalAddress());
                if (service.isPresent()) {
                    ui().progress("asking " + echo.text() + " to reach " + Render.host(m.externalAddress())
                            + ":" + m.externalPort() + "…");
                    proof = prove(service.get(), m);
                }
                out.add(new MappingCheck(t, family, m, v, proof, null));
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

    /**
     * The echo proof; while a program listens on the TCP port here (the probe cannot), the echo service's accepted
     * connection is the proof. A busy UDP port stays a CONFLICT: nothing could tell the echo's datagram apart.
     */
    private ReachabilityProbe.Result prove(InetSocketAddress service, PortMapping m) throws PortMappingException {
        try {
            return ReachabilityProbe.prove(service, m, opts().timeoutOrDefault());
        } catch (PortMappingException e) {
            if (e.reason() != PortMappingException.Reason.CONFLICT || m.transport() != Transport.TCP) {
                throw e;
            }
            return ReachabilityProbe.proveConnect(service, m, opts().timeoutOrDefault());
        }
    }

    /**
     * One transport's mapping check.
     *
     * @param family   IPv4 mapping or IPv6 pinhole
     * @param mapping  what the gateway granted, {@code null} when it refused
     * @param verified the read-back, {@code null} when refused
     * @param proof    the echo result, {@code null} without --echo or when the echo service has no address in
     *                 this family (then not proven, and not counted against the check)
     * @param error    why the gateway refused, or {@code null}
     */
    record MappingCheck(Transport transport, AddressFamily family, PortMapping mapping,
            ReadBack verified, ReachabilityProbe.Result proof, String error) {
        boolean good() {
            return mapping != null && verified != ReadBack.MISSING
                    && (proof == null || proof.outcome().proven());
        }
    }
}
