package dev.openport.cli;

import dev.openport.core.DiscoveryOptions;
import dev.openport.core.Gateways;
import dev.openport.core.Ipv6Uplink;
import dev.openport.core.LocalNetwork;
import dev.openport.core.MappingRequest;
import dev.openport.core.PortMapper;
import dev.openport.core.PortMapping;
import dev.openport.core.PortMappingException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * The IPv6 half of a one-shot {@code map} (dual stack): the pinholes for the same ports on the host's IPv6
 * uplink, beside the IPv4 mappings. {@code --keep} gets the same from {@code OpenPort.map}.
 *
 * <p>Only when the gateway is left to us (no {@code --gateway}, no {@code --internal-address}) and the host has
 * an IPv6 default route with a stable global address; otherwise nothing happens and nothing is said. A failure
 * is a warning naming IPv6 (the IPv4 mappings stand), unless IPv6 is all that was asked ({@code -6}).
 */
final class Ipv6Half {
    /** What was opened, and the warnings for the user (empty when all went well or IPv6 was not tried). */
    record Result(List<PortMapping> made, List<String> warnings) {
        static final Result NOTHING = new Result(List.of(), List.of());
    }

    /** Opens a mapper for options (tests pass their own). */
    @FunctionalInterface
    interface Connector {
        PortMapper connect(DiscoveryOptions options) throws PortMappingException;
    }

    private Ipv6Half() {
    }

    /** {@link #map} on a daemon thread, so the IPv4 half runs meanwhile. */
    static CompletableFuture<Result> start(DiscoveryOptions discovery, List<MappingRequest> requests) {
        CompletableFuture<Result> f = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                f.complete(map(discovery, requests, false, LocalNetwork::ipv6Uplink, Gateways::connect));
            } catch (PortMappingException | RuntimeException e) {
                f.completeExceptionally(e);
            }
        }, "openport-map-ipv6");
        t.setDaemon(true);
        t.start();
        return f;
    }

    /**
     * Maps every request on the IPv6 uplink: all or nothing (what was opened is closed again on a failure).
     *
     * @param ipv6Only {@code -6}: a missing uplink or a failure is an error, not a warning
     * @throws PortMappingException only when {@code ipv6Only}
     */
    static Result map(DiscoveryOptions discovery, List<MappingRequest> requests, boolean ipv6Only,
            Supplier<Optional<Ipv6Uplink>> uplinks, Connector connector) throws PortMappingException {
        boolean leftToUs = discovery.gateway() == null && discovery.localAddress() == null
                && requests.stream().allMatch(r -> r.internalAddressIfSet().isEmpty());
        if (!leftToUs) {
            if (ipv6Only) {
                throw new PortMappingException(PortMappingException.Reason.UNSUPPORTED,
                        "-6 finds the IPv6 gateway itself: leave out --gateway and --internal-address");
            }
            return Result.NOTHING;
        }
        Optional<Ipv6Uplink> up = uplinks.get();
        Optional<DiscoveryOptions> six = up.flatMap(u -> u.discovery(discovery));
        if (six.isEmpty()) {
            if (ipv6Only) {
                throw new PortMappingException(PortMappingException.Reason.GATEWAY_NOT_FOUND, up.isEmpty()
                        ? "no IPv6: this host has no IPv6 default route with a stable global address"
                        : "no IPv6: only PCP and UPnP open IPv6 pinholes (see --protocol)");
            }
            return Result.NOTHING;
        }
        List<PortMapping> made = new ArrayList<>();
        try (PortMapper mapper = connector.connect(six.get())) {
            for (MappingRequest r : requests) {
                try {
                    made.add(mapper.map(r));
                } catch (PortMappingException e) {
                    undo(mapper, made);
                    throw e;
                }
            }
        } catch (PortMappingException e) {
            if (ipv6Only) {
                throw e;
            }
            return new Result(List.of(), List.of("IPv6 not opened: " + oneLine(e.getMessage())));
        }
        return new Result(made, List.of());
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s*[\\r\\n]+\\s*", " ").trim();
    }

    private static void undo(PortMapper mapper, List<PortMapping> made) {
        for (PortMapping m : made) {
            try {
                mapper.unmap(m);
            } catch (PortMappingException e) {
                // best effort: its lease runs out
            }
        }
        made.clear();
    }
}
