package dev.openport.upnp;

import dev.openport.core.MappingProtocol;
import dev.openport.core.PortMappingException;
import dev.openport.core.PortMappingException.Reason;
import dev.openport.core.spi.ProbeContext;
import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the gateway's WAN connection service: a known LOCATION first (given, or remembered from the last good
 * discovery of this gateway), else SSDP; then the description, the control URL, and the best-ranked service.
 */
final class Discovery {
    private static final Logger LOG = LoggerFactory.getLogger(Discovery.class);
    /** Descriptions are a few KiB; the largest seen (FRITZ!Box TR-064) is ~30 KiB. */
    static final int MAX_DESCRIPTION_BYTES = 256 * 1024;
    /**
     * The last LOCATION that worked, per gateway and SSDP port: the fast path of the next probe (checked on use).
     * The port is part of the key because a LOCATION belongs to the SSDP endpoint that announced it (in
     * production always 1900; in tests every fake gateway on 127.0.0.1 has its own).
     */
    private static final Map<CacheKey, URI> LAST_GOOD = new ConcurrentHashMap<>();

    private record CacheKey(InetAddress gateway, int ssdpPort) {
        static CacheKey of(ProbeContext ctx) {
            return new CacheKey(ctx.gateway(), ctx.serverPortOr(Ssdp.PORT));
        }
    }

    private Discovery() {
    }

    /**
     * A usable gateway service.
     *
     * @param location        the description URL (after re-pointing)
     * @param description     the parsed description
     * @param connection      the chosen WAN connection service (control URL re-pointed where needed)
     * @param firewall        the IPv6 firewall service, or {@code null}
     * @param externalAddress what the chosen service reported, or {@code null}
     */
    record Found(URI location, DeviceDescription description, WanService connection, WanService firewall,
            InetAddress externalAddress) {
    }

    /** Forgets every LOCATION remembered for {@code gateway}. */
    static void forget(InetAddress gateway) {
        LAST_GOOD.keySet().removeIf(k -> k.gateway().equals(gateway));
    }

    static URI remembered(ProbeContext ctx) {
        return LAST_GOOD.get(CacheKey.of(ctx));
    }

    static URI remembered(InetAddress gateway, int ssdpPort) {
        return LAST_GOOD.get(new CacheKey(gateway, ssdpPort));
    }

    /** A LOCATION from an earlier process ({@link UpnpLocations#seed}): tried like one this process found. */
    static void seed(InetAddress gateway, int ssdpPort, URI location) {
        LAST_GOOD.putIfAbsent(new CacheKey(gateway, ssdpPort), location);
    }

    /** Finds the gateway's service within {@code ctx.timeout()}. */
    static Found find(ProbeContext ctx) throws PortMappingException {
        long deadline = System.nanoTime() + ctx.timeout().toNanos();
        if (ctx.upnpLocation() != null) {
            Found f = fromLocation(ctx.upnpLocation(), ctx.gateway(), ctx, deadline, true);
            LAST_GOOD.put(CacheKey.of(ctx), f.location());
            return f;
        }
        URI cached = LAST_GOOD.get(CacheKey.of(ctx));
        if (cached != null) {
            try {
                // half the budget at most: a stale cache must leave time for SSDP
                long half = System.nanoTime() + ctx.timeout().toNanos() / 2;
                return fromLocation(cached, MiniHttp.literalHost(cached), ctx, Math.min(half, deadline), false);
            } catch (PortMappingException e) {
                LOG.debug("remembered LOCATION {} failed ({}); searching again", cached, e.getMessage());
                LAST_GOOD.remove(CacheKey.of(ctx), cached);
            }
        }
        Found f = SsdpSearch.search(ctx, deadline);
        LAST_GOOD.put(CacheKey.of(ctx), f.location());
        return f;
    }

    /**
     * Fetches and parses a description and picks its best service.
     *
     * @param answeredFrom the host that told us this LOCATION (for re-pointing control URLs)
     * @param trusted      a LOCATION the user gave: no LAN-address restriction on it
     */
    static Found fromLocation(URI location, InetAddress answeredFrom, ProbeContext ctx, long deadline,
            boolean trusted) throws PortMappingException {
        if (!trusted && LanAddresses.candidates(location, answeredFrom, ctx.gateway()).isEmpty()) {
            throw new PortMappingException(Reason.PROTOCOL_ERROR, "LOCATION " + location
                    + " is not on the LAN: ignored", MappingProtocol.UPNP, ctx.gateway(), null, null);
        }
        MiniHttp.Response r = MiniHttp.get(location, deadline, MAX_DESCRIPTION_BYTES);
        if (r.status() != 200) {
            throw new PortMappingException(Reason.PROTOCOL_ERROR, "description " + location + ": HTTP "
                    + r.status(), MappingProtocol.UPNP, ctx.gateway(), null, null);
        }
        DeviceDescription d = DeviceDescription.parse(r.body(), location);
        InetAddress descHost = MiniHttp.literalHost(location);
        List<WanService> connections = new ArrayList<>();
        for (WanService s : d.connections()) {
            WanService usable = repoint(s, descHost, ctx.gateway());
            if (usable != null) {
                connections.add(usable);
            }
        }
        if (connections.isEmpty()) {
            throw new PortMappingException(Reason.UNSUPPORTED, "no usable WANIPConnection/WANPPPConnection in "
                    + location, MappingProtocol.UPNP, ctx.gateway(), null, null);
        }
        WanService firewall = null;
        for (WanService s : d.firewalls()) {
            firewall = repoint(s, descHost, ctx.gateway());
            if (firewall != null) {
                break;
            }
        }
        return rank(location, d, connections, firewall, ctx, deadline);
    }

    private static WanService repoint(WanService s, InetAddress descHost, InetAddress gateway) {
        List<URI> c = LanAddresses.candidates(s.controlUrl(), descHost, gateway);
        if (c.isEmpty()) {
            LOG.debug("control URL {} is not on the LAN: ignored", s.controlUrl());
            return null;
        }
        URI scpd = s.scpdUrl() == null ? null : LanAddresses.candidates(s.scpdUrl(), descHost, gateway).stream()
                .findFirst().orElse(null);
        // for control URLs prefer the description's own host when the announced one is another LAN address:
        // that one answered us already
        URI control = c.size() > 1 ? c.get(1) : c.get(0);
        return s.withUrls(control, scpd);
    }

    /**
     * Picks the service to use (docs/quirks.md): Connected with a public external address first, then Connected,
     * then whatever answers. With one service, its GetExternalIPAddress is the check that SOAP works.
     */
    private static Found rank(URI location, DeviceDescription d, List<WanService> connections,
            WanService firewall, ProbeContext ctx, long deadline) throws PortMappingException {
        Duration perCall = remaining(deadline, ctx);
        if (connections.size() == 1) {
            IgdClient c = new IgdClient(connections.get(0), ctx.gateway(), perCall);
            InetAddress ext = null;
            try {
                ext = c.getExternalIPAddress();
            } catch (MiniHttp.Unreachable e) {
                throw e;
            } catch (PortMappingException e) {
                if (e.reason() == Reason.TIMEOUT) {
                    throw e;
                }
                // a fault (e.g. 501 while disconnected) still proves a UPnP control point answers
                LOG.debug("GetExternalIPAddress on {} failed: {}", connections.get(0).controlUrl(), e.getMessage());
            }
            return new Found(location, d, connections.get(0), firewall, ext);
        }
        WanService best = null;
        InetAddress bestExt = null;
        int bestScore = -1;
        PortMappingException last = null;
        for (WanService s : connections) {
            IgdClient c = new IgdClient(s, ctx.gateway(), remaining(deadline, ctx));
            int score = 0;
            InetAddress ext = null;
            try {
                if (c.getStatusInfo().connected()) {
                    score += 2;
                }
            } catch (PortMappingException e) {
                last = e;
                if (e instanceof MiniHttp.Unreachable) {
                    continue;
                }
            }
            try {
                ext = c.getExternalIPAddress();
                if (ext != null && !LanAddresses.isLan(ext) && !ext.isAnyLocalAddress() && !isCgnat(ext)) {
                    score += 1;
                }
            } catch (PortMappingException e) {
                last = e;
            }
            if (score > bestScore) {
                best = s;
                bestExt = ext;
                bestScore = score;
            }
            if (score == 3) {
                break;
            }
        }
        if (best == null) {
            throw last != null ? last : new PortMappingException(Reason.GATEWAY_NOT_FOUND, "no service answered");
        }
        return new Found(location, d, best, firewall, bestExt);
    }

    /** 100.64.0.0/10, RFC 6598 shared address space (carrier-grade NAT). */
    static boolean isCgnat(InetAddress a) {
        byte[] b = a.getAddress();
        return b.length == 4 && (b[0] & 0xff) == 100 && (b[1] & 0xc0) == 64;
    }

    static Duration remaining(long deadline, ProbeContext ctx) throws PortMappingException {
        long ns = deadline - System.nanoTime();
        if (ns <= 0) {
            throw new PortMappingException(Reason.TIMEOUT, "UPnP discovery ran out of time", MappingProtocol.UPNP,
                    ctx.gateway(), null, null);
        }
        return Duration.ofNanos(Math.max(ns, TimeUnit.MILLISECONDS.toNanos(1)));
    }
}
