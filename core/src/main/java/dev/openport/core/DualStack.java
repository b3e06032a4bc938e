package dev.openport.core;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link OpenPort#map} on both address families: the IPv4 mapping as always and, when this host has an
 * {@link Ipv6Uplink}, the IPv6 pinhole for the same port and transports, both at once (the IPv6 half probes PCP
 * and UPnP on the IPv6 gateway in parallel, like the IPv4 half). Succeeds when at least one family worked; the
 * other family's failure is kept on the handle ({@link ManagedMapping#failures()}) for the caller to show.
 *
 * <p>The IPv6 half is only added when the caller left the choice of gateway to us: a discovery that names a
 * gateway or a local address, or a mapping for another LAN host ({@code internalAddress}), stays exactly as
 * asked. Without an uplink (an IPv4-only network, or only temporary/ULA addresses) nothing changes and nothing is
 * reported: that is the normal case on most networks.
 */
final class DualStack {
    private static final Logger LOG = LoggerFactory.getLogger(DualStack.class);

    private DualStack() {
    }

    /** What to map: the IPv4 options, the IPv6 options, or both ({@code null} = that family is not mapped). */
    record Plan(MapOptions four, MapOptions six) {
    }

    /** The IPv6 half's options, decided on the IPv6 thread; empty = no IPv6 here (not a failure). */
    @FunctionalInterface
    interface SixOptions {
        Optional<MapOptions> get() throws PortMappingException;
    }

    static ManagedMapping map(LeaseManager manager, int port, MapOptions options, List<Transport> transports,
            Supplier<Optional<Ipv6Uplink>> uplinks) throws PortMappingException {
        if (options.families().contains(AddressFamily.IPV4) && options.families().contains(AddressFamily.IPV6)
                && leftToUs(options)) {
            // reading route and address tables runs commands on macOS and Windows (tens of ms): do it on the
            // IPv6 thread, while the IPv4 half maps
            return both(manager, port, options, () -> Optional.ofNullable(plan(options, uplinks).six()), transports);
        }
        Plan plan = plan(options, uplinks);
        if (plan.six() == null) {
            return manager.map(port, plan.four(), transports);
        }
        if (plan.four() == null) {
            return manager.map(port, plan.six(), transports);
        }
        return both(manager, port, plan.four(), () -> Optional.of(plan.six()), transports);
    }

    /**
     * Decides the families: the uplink is only looked up when IPv6 is wanted and the gateway is left to us.
     *
     * @throws PortMappingException {@code GATEWAY_NOT_FOUND} when only IPv6 is wanted and there is no uplink,
     *                              {@code UNSUPPORTED} when only IPv6 is wanted but an IPv4 gateway was named
     */
    static Plan plan(MapOptions options, Supplier<Optional<Ipv6Uplink>> uplinks) throws PortMappingException {
        boolean want4 = options.families().contains(AddressFamily.IPV4);
        boolean want6 = options.families().contains(AddressFamily.IPV6);
        if (!want6 || !leftToUs(options)) {
            if (!want4 && !explicitlyIpv6(options)) {
                throw new PortMappingException(PortMappingException.Reason.UNSUPPORTED, "IPv6 only was asked, but "
                        + "the gateway, local or internal address given is IPv4");
            }
            return new Plan(options, null);
        }
        Optional<Ipv6Uplink> up = uplinks.get();
        Optional<DiscoveryOptions> v6 = up.flatMap(u -> u.discovery(options.discovery()));
        if (v6.isEmpty()) {
            if (!want4) {
                throw new PortMappingException(PortMappingException.Reason.GATEWAY_NOT_FOUND, up.isEmpty()
                        ? "no IPv6: this host has no IPv6 default route with a stable global address on its interface"
                        : "no IPv6: of the protocols allowed only PCP and UPnP open IPv6 pinholes");
            }
            return new Plan(options, null);
        }
        LOG.debug("dual stack: {}", up.get());
        MapOptions six = options.forFamily(AddressFamily.IPV6, v6.get());
        return new Plan(want4 ? options : null, six);
    }

    /** IPv4 on the calling thread, IPv6 on a daemon thread at the same time; then put the outcomes together. */
    static ManagedMapping both(LeaseManager manager, int port, MapOptions four, SixOptions six,
            List<Transport> transports) throws PortMappingException {
        FutureTask<ManagedMapping> v6 = new FutureTask<>(() -> {
            Optional<MapOptions> o = six.get();
            return o.isEmpty() ? null : manager.map(port, o.get(), transports);
        });
        Thread t = new Thread(v6, "openport-map-ipv6");
        t.setDaemon(true);
        t.start();
        ManagedMapping m4 = null;
        PortMappingException e4 = null;
        try {
            m4 = manager.map(port, four, transports);
        } catch (PortMappingException e) {
            e4 = e;
        } catch (RuntimeException e) {
            closeWhenDone(v6);
            throw e;
        }
        ManagedMapping m6 = null;
        PortMappingException e6 = null;
        try {
            m6 = v6.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closeWhenDone(v6);
            if (m4 != null) {
                m4.close();
            }
            throw new PortMappingException(PortMappingException.Reason.TIMEOUT, "interrupted while mapping");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof PortMappingException pme) {
                e6 = pme;
            } else {
                if (m4 != null) {
                    m4.close();
                }
                throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
            }
        }
        return combine(m4, e4, m6, e6);
    }

    /**
     * The handle to return: IPv4 with the IPv6 part beside it, or whichever family worked, with the failure.
     * Neither an IPv6 handle nor an IPv6 failure means the host has no IPv6 uplink: IPv4 alone, as before.
     */
    static ManagedMapping combine(ManagedMapping m4, PortMappingException e4, ManagedMapping m6,
            PortMappingException e6) throws PortMappingException {
        if (m6 == null && e6 == null) {
            if (m4 == null) {
                throw e4;
            }
            return m4;
        }
        if (m4 != null && m6 != null) {
            m4.attachIpv6(m6);
            return m4;
        }
        if (m4 != null) {
            LOG.debug("IPv6 pinhole failed, IPv4 mapped: {}", e6.getMessage());
            m4.failed(AddressFamily.IPV6, e6);
            return m4;
        }
        if (m6 != null) {
            LOG.debug("IPv4 mapping failed, IPv6 pinhole opened: {}", e4.getMessage());
            m6.failed(AddressFamily.IPV4, e4);
            return m6;
        }
        e4.addSuppressed(e6);
        throw e4;
    }

    /** Whether the caller left gateway, local and internal address to us (only then is IPv6 added). */
    static boolean leftToUs(MapOptions o) {
        return o.internalAddress() == null && o.discovery().gateway() == null && o.discovery().localAddress() == null;
    }

    private static boolean explicitlyIpv6(MapOptions o) {
        return o.discovery().gateway() instanceof java.net.Inet6Address
                || o.discovery().localAddress() instanceof java.net.Inet6Address
                || o.internalAddress() instanceof java.net.Inet6Address;
    }

    /** An IPv6 map still running when we give up: whatever it makes is closed, not leaked. */
    private static void closeWhenDone(FutureTask<ManagedMapping> task) {
        Thread reaper = new Thread(() -> {
            try {
                task.get().close();
            } catch (InterruptedException | ExecutionException | RuntimeException e) {
                // nothing was made, or it is gone
            }
        }, "openport-map-reaper");
        reaper.setDaemon(true);
        reaper.start();
    }
}
