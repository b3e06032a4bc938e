package dev.openport.cli;

import dev.openport.core.DiscoveryOptions;
import dev.openport.core.MappingProtocol;
import dev.openport.core.MappingRequest;
import dev.openport.core.PortMapper;
import dev.openport.core.PortMapping;
import dev.openport.core.PortMappingException;
import dev.openport.core.Transport;
import dev.openport.core.spi.ProtocolState;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code openport unmap 25565/tcp} and {@code openport unmap --all-mine}. */
final class UnmapCommand extends BaseCommand {

    /** Internal port(s) to unmap; no suffix means TCP. */
    final List<PortSpec> ports = new ArrayList<>();

    /** Remove every mapping openport recorded in its state file. */
    boolean allMine;

    @Override
    void option(String name, String value) {
        if (name.equals("--all-mine")) {
            allMine = true;
        } else {
            throw new IllegalStateException(name);
        }
    }

    @Override
    void positional(String value) throws CliException {
        PortSpec spec = Converters.portSpec(value);
        if (spec.isAny()) {
            throw CliException.usage("unmap needs the port the gateway granted (see 'openport list'), not 'any'");
        }
        ports.add(spec);
    }

    @Override
    String name() {
        return "unmap";
    }

    /** One mapping to remove: from the state file ({@code entry}) or only by port. */
    private record Target(StateFile.Entry entry, Transport transport, int port) {
    }

    private final List<Object> removed = new ArrayList<>();
    private final List<Object> expired = new ArrayList<>();
    private final List<Object> failed = new ArrayList<>();
    private int code = ExitCodes.OK;
    private PortMappingException onlyFailure;
    private boolean single;

    @Override
    int call() throws Exception {
        if (allMine == !ports.isEmpty()) {
            throw CliException.usage(allMine ? "give either ports or --all-mine, not both"
                    : "say what to unmap: a port like 25565/tcp, or --all-mine");
        }
        StateFile state = opts().state();
        List<StateFile.Entry> entries;
        try {
            entries = state.read();
        } catch (IOException e) {
            throw new CliException(ExitCodes.FAILED, e.getMessage());
        }
        List<Target> targets = new ArrayList<>();
        Instant now = Instant.now();
        if (allMine) {
            for (StateFile.Entry e : entries) {
                if (e.expired(now)) {
                    // the gateway dropped it when the lease ended: nothing to send
                    forget(state, e);
                    expired.add(Render.json(e.toMapping()));
                    ui().line("expired " + Render.arrow(e.toMapping()) + " (lease ended; forgotten)");
                } else {
                    targets.add(new Target(e, e.transport(), e.internalPort()));
                }
            }
            if (targets.isEmpty() && expired.isEmpty()) {
                ui().line("nothing to remove: no mappings recorded in " + state.path());
            }
        } else {
            for (PortSpec spec : ports) {
                for (Transport t : spec.orderedTransports()) {
                    boolean found = false;
                    for (StateFile.Entry e : entries) {
                        if (e.internalPort() == spec.port() && e.transport() == t
                                && (opts().gateway == null || opts().gateway.equals(e.gateway()))) {
                            targets.add(new Target(e, t, spec.port()));
                            found = true;
                        }
                    }
                    if (!found) {
                        targets.add(new Target(null, t, spec.port()));
                    }
                }
            }
        }
        single = targets.size() == 1;
        // one connection per (gateway, protocol) from the state file, one for the rest
        Map<String, List<Target>> groups = new LinkedHashMap<>();
        for (Target t : targets) {
            String key = t.entry() == null ? "" : t.entry().gateway().getHostAddress() + "/" + t.entry().protocol();
            groups.computeIfAbsent(key, k -> new ArrayList<>()).add(t);
        }
        for (List<Target> group : groups.values()) {
            StateFile.Entry first = group.get(0).entry();
            DiscoveryOptions.Builder b = opts().discovery();
            if (first != null) {
                b.gateway(first.gateway()).protocols(first.protocol());
                if (first.gateway() instanceof java.net.Inet6Address
                        && first.internalAddress() instanceof java.net.Inet6Address) {
                    // an IPv6 pinhole: delete it from the address it is for (routers check the sender; the
                    // kernel's default source may be a temporary address)
                    b.localAddress(first.internalAddress());
                }
                if (first.gateway().isLoopbackAddress()) {
                    b.multicast(false);
                }
            }
            PortMapper mapper;
            try {
                mapper = connect(b.build());
            } catch (PortMappingException e) {
                group.forEach(t -> failure(t, null, e));
                continue;
            }
            try (mapper) {
                for (Target t : group) {
                    PortMapping m = t.entry() != null ? t.entry().toMapping() : byPort(mapper, t);
                    if (t.entry() == null && mapper.protocol() == MappingProtocol.PCP) {
                        ui().warn("no record of " + t.port() + "/" + t.transport().lowerName()
                                + " in the state file: PCP may refuse to delete a mapping without its nonce");
                    }
                    try {
                        mapper.unmap(m);
                        if (t.entry() != null) {
                            forget(state, t.entry());
                        }
                        removed.add(Render.json(m));
                        ui().line("removed " + Render.arrow(m) + " (" + m.protocol().displayName() + ", gateway "
                                + m.gateway().getHostAddress() + ")");
                    } catch (PortMappingException e) {
                        failure(t, m, e);
                    }
                }
            }
        }
        if (single && onlyFailure != null) {
            throw onlyFailure; // one target: the usual one-line error and its exit code
        }
        if (ui().json) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("command", name());
            doc.put("ok", failed.isEmpty());
            doc.put("removed", removed);
            doc.put("expired", expired);
            doc.put("failed", failed);
            ui().json(doc);
        }
        return code;
    }

    /** A mapping we have no record of: internal port = external port, on this host. */
    private PortMapping byPort(PortMapper mapper, Target t) {
        InetAddress local = localAddressTowards(mapper.gateway());
        MappingRequest req = MappingRequest.of(t.transport(), t.port());
        return new PortMapping(req, local, null, t.port(), MappingRequest.DEFAULT_LIFETIME, Instant.now()
                .plus(Duration.ofHours(2)), mapper.protocol(), mapper.gateway(), ProtocolState.NONE);
    }

    static InetAddress localAddressTowards(InetAddress gateway) {
        try (DatagramSocket s = new DatagramSocket()) {
            s.connect(new InetSocketAddress(gateway, 9)); // asks the routing table; sends nothing
            InetAddress a = s.getLocalAddress();
            if (a != null && !a.isAnyLocalAddress()) {
                return a;
            }
        } catch (IOException | RuntimeException e) {
            // below
        }
        return gateway.isLoopbackAddress() ? gateway : InetAddress.getLoopbackAddress();
    }

    private void failure(Target t, PortMapping m, PortMappingException e) {
        if (code == ExitCodes.OK) {
            code = ExitCodes.of(e);
        }
        onlyFailure = e;
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("transport", t.transport().lowerName());
        j.put("internalPort", t.port());
        j.put("externalPort", t.entry() != null ? t.entry().externalPort() : m != null ? m.externalPort() : null);
        j.put("gateway", t.entry() != null ? t.entry().gateway().getHostAddress()
                : m != null ? m.gateway().getHostAddress() : null);
        j.put("protocol", t.entry() != null ? Names.id(t.entry().protocol()) : m != null ? Names.id(m.protocol())
                : null);
        j.put("reason", e.reason().name());
        j.put("message", Main.oneLine(e.getMessage()));
        failed.add(j);
        if (!ui().json && !single) {
            ui().error("could not remove " + t.port() + "/" + t.transport().lowerName() + ": "
                    + Hints.explain(e, ui().verbosity));
        }
    }

    private void forget(StateFile state, StateFile.Entry e) {
        try {
            state.remove(e);
        } catch (IOException | RuntimeException ex) {
            ui().warn("could not update " + state.path() + ": " + ex.getMessage());
        }
    }
}
