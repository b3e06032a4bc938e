package dev.openport.cli;

import dev.openport.core.AddressFamily;
import dev.openport.core.DiscoveryOptions;
import dev.openport.core.Gateways;
import dev.openport.core.LocalNetwork;
import dev.openport.core.ManagedMapping;
import dev.openport.core.MapOptions;
import dev.openport.core.MappingChange;
import dev.openport.core.MappingRequest;
import dev.openport.core.MappingProtocol;
import dev.openport.core.OpenPort;
import dev.openport.core.PortMapper;
import dev.openport.core.PortMapping;
import dev.openport.core.PortMappingException;
import dev.openport.core.Transport;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;

/** {@code openport map 25565/tcp [--keep]}. */
final class MapCommand extends BaseCommand {

    /** Port(s) on this machine to open (see {@link Catalog#MAP} for what each option means). */
    final List<PortSpec> ports = new ArrayList<>();
    Integer externalPort;
    Duration lifetime;
    InetAddress internalAddress;
    String description;
    boolean keep;
    String onChange;
    Duration hookTimeout;
    Duration verifyInterval;
    /** -4 / -6: one address family only (default: IPv4, plus the IPv6 pinhole when the host has IPv6). */
    boolean ipv4Only;
    boolean ipv6Only;
    /** --echo / --echo-interval: prove the kept mappings from outside ({@link EchoWatch}). */
    EchoTarget echo;
    Duration echoInterval;

    @Override
    void option(String name, String value) {
        switch (name) {
            case "--external-port" -> externalPort = Converters.port(value);
            case "--lifetime" -> lifetime = Converters.duration(value);
            case "--internal-address" -> internalAddress = Converters.ip(value);
            case "--description" -> description = value;
            case "--keep" -> keep = true;
            case "--on-change" -> onChange = value;
            case "--hook-timeout" -> hookTimeout = Converters.duration(value);
            case "--verify-interval" -> verifyInterval = Converters.duration(value);
            case "--ipv4-only" -> ipv4Only = true;
            case "--ipv6-only" -> ipv6Only = true;
            case "--echo" -> echo = echo == null ? EchoTarget.parse(value) : echo.and(EchoTarget.parse(value));
            case "--echo-interval" -> echoInterval = Converters.duration(value);
            default -> throw new IllegalStateException(name);
        }
    }

    @Override
    void positional(String value) {
        ports.add(Converters.portSpec(value));
    }

    @Override
    String name() {
        return "map";
    }

    @Override
    int call() throws Exception {
        List<MappingRequest> requests = requests();
        StateFile state = opts().state();
        if (keep) {
            return keep(state, requests.get(0).lifetime());
        }
        List<PortMapping> made = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        DiscoveryOptions discovery = opts().discovery().build();
        if (ipv6Only) {
            ui().progress("opening the IPv6 pinhole…");
            try {
                Ipv6Half.Result six = Ipv6Half.map(discovery, requests, true, LocalNetwork::ipv6Uplink,
                        Gateways::connect);
                six.made().forEach(m -> remember(state, m, warnings));
                made.addAll(six.made());
            } finally {
                ui().clearProgress();
            }
            report(made, warnings);
            return ExitCodes.OK;
        }
        // dual stack: the IPv6 pinholes are opened at the same time as the IPv4 mappings
        CompletableFuture<Ipv6Half.Result> ipv6 = ipv4Only ? null : Ipv6Half.start(discovery, requests);
        try {
            mapIpv4(discovery, requests, state, made, warnings);
        } catch (PortMappingException e) {
            Ipv6Half.Result six = ipv6 == null ? Ipv6Half.Result.NOTHING : ipv6Result(ipv6);
            if (six.made().isEmpty()) {
                throw e;
            }
            // IPv6 worked: that is a result, with a warning naming the family that failed
            warnings.add("IPv4 not opened: " + Main.oneLine(e.getMessage()));
            six.made().forEach(m -> remember(state, m, warnings));
            report(six.made(), warnings);
            return ExitCodes.OK;
        }
        if (ipv6 != null) {
            Ipv6Half.Result six = ipv6Result(ipv6);
            six.made().forEach(m -> remember(state, m, warnings));
            made.addAll(six.made());
            warnings.addAll(six.warnings());
        }
        warnings.addAll(MapWarnings.of(made, keep));
        report(made, warnings);
        return ExitCodes.OK;
    }

    /** The IPv6 half's outcome; an unexpected failure there is a warning, never the command's failure. */
    private static Ipv6Half.Result ipv6Result(CompletableFuture<Ipv6Half.Result> f) {
        try {
            return f.join();
        } catch (java.util.concurrent.CompletionException | java.util.concurrent.CancellationException e) {
            Throwable c = e.getCause() != null ? e.getCause() : e;
            return new Ipv6Half.Result(List.of(), List.of("IPv6 not opened: " + Main.oneLine(String.valueOf(
                    c.getMessage()))));
        }
    }

    /** The IPv4 mappings, all or nothing, as before dual stack. */
    private void mapIpv4(DiscoveryOptions discovery, List<MappingRequest> requests, StateFile state,
            List<PortMapping> made, List<String> warnings) throws PortMappingException {
        try (PortMapper mapper = connect(discovery)) {
            InetAddress fallbackExternal = null;
            boolean askedExternal = false;
            int anyGranted = 0; // any/both: TCP first, then UDP asked for the port TCP got
            for (MappingRequest req : requests) {
                if (req.followsExternalPort() && anyGranted != 0 && externalPort == null) {
                    req = req.withExternalPort(anyGranted);
                }
                ui().progress("mapping " + (req.followsExternalPort() ? "any" : req.internalPort()) + "/"
                        + req.transport().lowerName() + " via " + mapper.protocol().displayName() + "…");
                PortMapping m;
                try {
                    m = mapper.map(req);
                } catch (PortMappingException e) {
                    // all or nothing: a half-done "map 80 443" is harder to reason about than a failure
                    removeAll(mapper, made, state);
                    throw forOtherHost(e);
                }
                if (m.externalAddress() == null) {
                    // some protocols do not say in the MAP answer: ask once
                    if (!askedExternal) {
                        askedExternal = true;
                        try {
                            fallbackExternal = mapper.externalAddress();
                        } catch (PortMappingException e) {
                            warnings.add("could not learn the external address: " + e.getMessage());
                        }
                    }
                    if (fallbackExternal != null) {
                        m = new PortMapping(m.request(), m.internalAddress(), fallbackExternal, m.externalPort(),
                                m.lifetime(), m.expiresAt(), m.protocol(), m.gateway(), m.protocolState());
                    }
                }
                if (req.followsExternalPort() && anyGranted == 0) {
                    anyGranted = m.externalPort(); // MapWarnings says so when UDP got another port
                }
                made.add(m);
                remember(state, m, warnings);
                verifyHeld(mapper, m, warnings);
            }
        } finally {
            ui().clearProgress();
        }
    }

    /** --keep: core's managed mappings renew, restore and fail over; {@link Keeper} reports and cleans up. */
    private int keep(StateFile state, Duration life) throws PortMappingException {
        DiscoveryOptions discovery = opts().discovery().build();
        UpnpLocationFile locations = upnpLocations(discovery);
        LinkedBlockingQueue<MappingChange> changes = new LinkedBlockingQueue<>();
        List<ManagedMapping> handles = new ArrayList<>();
        ui().progress("looking for a gateway and mapping…");
        try {
            for (PortSpec spec : ports) {
                List<Transport> ts = spec.orderedTransports();
                MapOptions.Builder b = MapOptions.builder()
                        .externalPort(externalPort != null ? externalPort : 0)
                        .lifetime(life)
                        .discovery(discovery)
                        .cleanupOnExit(false) // our shutdown hook removes them and says so
                        .listener(Keeper.listener(changes));
                if (description != null) {
                    b.description(description);
                }
                if (internalAddress != null) {
                    b.internalAddress(internalAddress);
                }
                if (verifyInterval != null) {
                    b.verifyInterval(verifyInterval);
                }
                if (ipv4Only || ipv6Only) {
                    b.families(ipv4Only ? AddressFamily.IPV4 : AddressFamily.IPV6);
                }
                handles.add(OpenPort.map(EnumSet.copyOf(ts), spec.port(), b.build()));
            }
        } catch (PortMappingException | RuntimeException e) {
            handles.forEach(ManagedMapping::close); // all or nothing
            throw e;
        } finally {
            ui().clearProgress();
        }
        List<PortMapping> made = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        for (ManagedMapping h : handles) {
            for (PortMapping m : h.mappings()) {
                made.add(m);
                remember(state, m, warnings);
                if (m.protocol() == MappingProtocol.UPNP) {
                    locations.remember(m.gateway(), UpnpLocationFile.ssdpPort(discovery));
                }
            }
        }
        for (ManagedMapping h : handles) {
            // dual stack: one family worked, the other did not
            h.failures().forEach((family, e) -> warnings.add(family.displayName() + " not opened: "
                    + Main.oneLine(e.getMessage())));
        }
        warnings.addAll(MapWarnings.of(made, keep));
        report(made, warnings);
        Keeper keeper = new Keeper(ui(), state, handles, changes, onChange, hookTimeout);
        if (echo != null) {
            keeper.watch(new EchoWatch(echo, handles, echoInterval != null ? echoInterval
                    : EchoWatch.DEFAULT_INTERVAL, opts().timeoutOrDefault(), ManagedMapping::reportUnreachable)
                    .start());
        }
        return keeper.runUntilStopped();
    }

    /**
     * Routers in "secure mode" (miniupnpd's default) refuse a mapping for another LAN host with 718
     * ConflictInMappingEntry or 606 / NOT_AUTHORIZED: say so instead of blaming the port.
     */
    private PortMappingException forOtherHost(PortMappingException e) {
        if (internalAddress == null || (e.reason() != PortMappingException.Reason.CONFLICT
                && e.reason() != PortMappingException.Reason.NOT_AUTHORIZED)) {
            return e;
        }
        return new Hints.ForOtherHost(e);
    }

    /**
     * Some UPnP firmware answers AddPortMapping with success and keeps nothing (docs/quirks.md): read the
     * table back and say so. NAT-PMP and PCP answers already carry what the gateway holds, so they are not asked
     * twice. Advisory only: a failed read-back never fails the command.
     */
    private static void verifyHeld(PortMapper mapper, PortMapping m, List<String> warnings) {
        if (m.protocol() != MappingProtocol.UPNP) {
            return;
        }
        try {
            if (ReadBack.of(mapper, m) == ReadBack.MISSING) {
                warnings.add("the router accepted " + m.externalPort() + "/" + m.transport().lowerName()
                        + " but does not list it: it may have dropped it silently; run the command again, or use"
                        + " --keep (it re-adds a vanished mapping)");
            }
        } catch (PortMappingException e) {
            warnings.add("could not read the mapping back: " + e.getMessage());
        }
    }

    private void report(List<PortMapping> made, List<String> warnings) {
        if (ui().json && keep) {
            // --keep --json is NDJSON: the Keeper prints a "mapped" event per mapping
            warnings.forEach(ui()::warn);
        } else if (ui().json) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("command", name());
            doc.put("ok", true);
            List<Object> list = new ArrayList<>();
            made.forEach(m -> list.add(Render.json(m)));
            doc.put("mappings", list);
            doc.put("warnings", warnings);
            doc.put("keep", keep);
            ui().json(doc);
            for (String w : warnings) {
                ui().warn(w);
            }
        } else {
            made.forEach(m -> ui().line(Render.mapped(ui(), m)));
            for (String w : warnings) {
                ui().warn(w);
            }
        }
    }

    private List<MappingRequest> requests() throws CliException {
        if (ipv4Only && ipv6Only) {
            throw CliException.usage("-4 (--ipv4-only) and -6 (--ipv6-only) exclude each other");
        }
        if (!keep && (onChange != null || verifyInterval != null || echo != null)) {
            throw CliException.usage((onChange != null ? "--on-change" : verifyInterval != null
                    ? "--verify-interval" : "--echo (one-shot: 'openport check PORT --echo HOST:PORT')")
                    + " needs --keep");
        }
        if (echoInterval != null && (echo == null || echoInterval.compareTo(Duration.ofSeconds(1)) < 0)) {
            throw CliException.usage(echo == null ? "--echo-interval needs --echo"
                    : "--echo-interval must be at least 1s");
        }
        if (hookTimeout != null && onChange == null) {
            throw CliException.usage("--hook-timeout needs --on-change");
        }
        if (hookTimeout != null && hookTimeout.compareTo(Duration.ofSeconds(1)) < 0) {
            throw CliException.usage("--hook-timeout must be at least 1s");
        }
        if (verifyInterval != null && !verifyInterval.isZero()
                && verifyInterval.compareTo(Duration.ofSeconds(1)) < 0) {
            throw CliException.usage("--verify-interval must be at least 1s (or 0: off)");
        }
        if (externalPort != null && (ports.size() > 1)) {
            throw CliException.usage("--external-port works with one port only (got " + ports.size() + ")");
        }
        Duration life = lifetime == null ? MappingRequest.DEFAULT_LIFETIME : lifetime;
        if (life.compareTo(Duration.ofSeconds(1)) < 0 || life.compareTo(MappingRequest.MAX_LIFETIME) > 0) {
            throw CliException.usage("--lifetime must be between 1s and 7d, was " + Durations.format(life));
        }
        if (description != null && (description.length() > 256 || !description.matches("[\\x20-\\x7e]*"))) {
            throw CliException.usage("--description must be at most 256 printable ASCII characters");
        }
        List<MappingRequest> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (PortSpec spec : ports) {
            for (Transport t : spec.orderedTransports()) {
                if (!seen.add(spec.port() + "/" + t)) {
                    throw CliException.usage("port " + spec.port() + "/" + t.lowerName() + " given twice");
                }
                MappingRequest r = spec.isAny()
                        ? MappingRequest.anyPort(t).withExternalPort(externalPort != null ? externalPort : 0)
                        : MappingRequest.of(t, spec.port())
                                .withExternalPort(externalPort != null ? externalPort : spec.port());
                r = r.withLifetime(life)
                        .withInternalAddress(internalAddress);
                if (description != null) {
                    r = r.withDescription(description);
                }
                out.add(r);
            }
        }
        return out;
    }

    private void remember(StateFile state, PortMapping m, List<String> warnings) {
        try {
            state.put(StateFile.Entry.of(m));
        } catch (IOException | RuntimeException e) {
            warnings.add("could not record the mapping in " + state.path() + ": " + e.getMessage());
        }
    }

    /** Best effort: removes the mappings made before a failure. */
    static void removeAll(PortMapper mapper, List<PortMapping> made, StateFile state) {
        for (PortMapping m : made) {
            try {
                mapper.unmap(m);
                state.remove(StateFile.Entry.of(m));
            } catch (IOException | RuntimeException e) {
                // the lease ends on its own; the state file still lists it for unmap --all-mine
            }
        }
    }
}
