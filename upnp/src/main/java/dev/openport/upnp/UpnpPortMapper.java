package dev.openport.upnp;

import dev.openport.core.MappingProtocol;
import dev.openport.core.MappingRequest;
import dev.openport.core.PortMapper;
import dev.openport.core.PortMapping;
import dev.openport.core.PortMappingException;
import dev.openport.core.PortMappingException.Reason;
import dev.openport.core.Transport;
import dev.openport.core.spi.ProbeContext;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link PortMapper} over UPnP IGD v1/v2 with the router quirks of DESIGN §5 handled as recovery steps:
 * <ul>
 * <li>725 OnlyPermanentLeasesSupported / 402 on a non-zero lease: clamp to the SCPD's range or retry with lease
 * 0, remember the router as permanent-only, report the mapping as permanent;</li>
 * <li>718 ConflictInMappingEntry: look the entry up; ours is success (delete+add on renew); someone else's moves
 * us to AddAnyPortMapping (IGD:2) or a few other ports, unless the caller demanded the exact port;</li>
 * <li>724 SamePortValuesRequired: external port = internal port;</li>
 * <li>a refused connection on the control URL (router rebooted onto a new HTTP port): rediscover once, retry;</li>
 * <li>renew verifies the entry and deletes+adds one the router lists wrongly (listed but not forwarding).</li>
 * </ul>
 * IPv6 requests (an IPv6 internal address) become WANIPv6FirewallControl pinholes. No threads: every call
 * runs on the caller's thread, bounded by the probe context's timeout.
 */
final class UpnpPortMapper implements PortMapper {
    private static final Logger LOG = LoggerFactory.getLogger(UpnpPortMapper.class);
    /** The longest table {@link #list()} reads. */
    static final int MAX_LIST = 1024;
    /** Other external ports tried after a 718 on an IGD:1 router, when the caller allows another port. */
    private static final int OTHER_PORT_TRIES = 3;
    /** IGD:2 §2.3.17: the lease ceiling, 604800 s; also MappingRequest.MAX_LIFETIME. */
    private static final long MAX_LEASE = 604_800;

    private final ProbeContext ctx;
    private volatile Discovery.Found igd;
    /** Learned from 725/402: this router only takes lease 0. Never forgotten for this mapper. */
    private volatile boolean permanentOnly;
    /** The SCPD's lease maximum: 0 = not fetched yet, -1 = none given. */
    private volatile long scpdLeaseMax;

    UpnpPortMapper(ProbeContext ctx, Discovery.Found igd) {
        this.ctx = ctx;
        this.igd = igd;
    }

    @Override
    public MappingProtocol protocol() {
        return MappingProtocol.UPNP;
    }

    @Override
    public InetAddress gateway() {
        return ctx.gateway();
    }

    /** The description URL in use (for logs and callers that want to remember it). */
    java.net.URI location() {
        return igd.location();
    }

    WanService service() {
        return igd.connection();
    }

    boolean permanentOnly() {
        return permanentOnly;
    }

    @Override
    public InetAddress externalAddress() throws PortMappingException {
        InetAddress a = withRediscovery(c -> c.getExternalIPAddress());
        if (a == null) {
            throw new PortMappingException(Reason.NETWORK_FAILURE, "the gateway reports no external address",
                    MappingProtocol.UPNP, ctx.gateway(), null, null);
        }
        return a;
    }

    @Override
    public PortMapping map(MappingRequest request) throws PortMappingException {
        if (isIpv6(request)) {
            return withFirewall(fw -> Pinholes.add(fw, this, request));
        }
        return withRediscovery(c -> doMap(c, request));
    }

    @Override
    public PortMapping renew(PortMapping mapping) throws PortMappingException {
        if (Pinholes.isPinhole(mapping)) {
            return withFirewall(fw -> Pinholes.renew(fw, this, mapping));
        }
        return withRediscovery(c -> doRenew(c, mapping));
    }

    @Override
    public void unmap(PortMapping mapping) throws PortMappingException {
        if (Pinholes.isPinhole(mapping)) {
            withFirewall(fw -> {
                Pinholes.delete(fw, mapping);
                return null;
            });
            return;
        }
        withRediscovery(c -> {
            doUnmap(c, mapping);
            return null;
        });
    }

    @Override
    public List<PortMapping> list() throws PortMappingException {
        return withRediscovery(this::doList);
    }

    @Override
    public void close() {
        // no sockets or threads are held between calls
    }

    // ---- the operations ----

    private PortMapping doMap(IgdClient c, MappingRequest req) throws PortMappingException {
        String proto = protocolName(req.transport());
        String client = internalClient(req);
        long lease = permanentOnly ? 0 : leaseSeconds(req.lifetime());
        if (req.externalPort() == 0 && c.service().hasAddAny()) {
            return addAny(c, req, req.internalPort(), proto, client, lease);
        }
        int ext = req.externalPort() == 0 ? req.internalPort() : req.externalPort();
        return add(c, req, ext, proto, client, lease, false);
    }

    /**
     * AddPortMapping with the quirk table applied.
     *
     * @param renewing a renewal: our own entry answering 718 is deleted and re-added (DESIGN §5.3, §5.5)
     */
    private PortMapping add(IgdClient c, MappingRequest req, int ext, String proto, String client, long lease,
            boolean renewing) throws PortMappingException {
        boolean exact = req.exactExternalPort() || renewing;
        boolean leaseFixed = false;
        boolean sameTried = false;
        boolean ownDeleted = false;
        int otherPorts = 0;
        for (int attempt = 0; attempt < 10; attempt++) {
            try {
                c.addPortMapping(ext, proto, req.internalPort(), client, req.description(), lease);
                return mapping(req, client, ext, lease, c);
            } catch (PortMappingException e) {
                int code = e.protocolCode().orElse(0);
                switch (code) {
                    case UpnpErrors.ONLY_PERMANENT_LEASES -> {
                        if (lease == 0) {
                            throw e;
                        }
                        LOG.debug("gateway {} only takes permanent leases (725): retrying with 0", gatewayText());
                        permanentOnly = true;
                        lease = 0;
                    }
                    case UpnpErrors.INVALID_ARGS -> {
                        if (lease == 0 || leaseFixed) {
                            throw e;
                        }
                        leaseFixed = true;
                        long max = scpdLeaseMax(c);
                        if (max > 0 && lease > max) {
                            LOG.debug("402 with lease {}: clamping to the SCPD maximum {}", lease, max);
                            lease = max;
                        } else {
                            LOG.debug("402 with a finite lease: retrying permanent (ARRIS quirk)");
                            permanentOnly = true;
                            lease = 0;
                        }
                    }
                    case UpnpErrors.CONFLICT_IN_MAPPING_ENTRY -> {
                        IgdClient.Entry entry = c.getSpecificPortMappingEntry(ext, proto);
                        if (entry != null && isOurs(entry, client, req.internalPort())) {
                            if (!renewing) {
                                return mapping(req, client, ext, entry.leaseSeconds() >= 0 ? entry.leaseSeconds()
                                        : lease, c);
                            }
                            if (ownDeleted) {
                                throw e;
                            }
                            ownDeleted = true;
                            c.deletePortMapping(ext, proto);
                            continue;
                        }
                        if (entry == null && !ownDeleted) {
                            ownDeleted = true; // vanished between the two calls: try once more
                            continue;
                        }
                        if (exact) {
                            throw e;
                        }
                        if (c.service().hasAddAny()) {
                            return addAny(c, req, ext, proto, client, lease);
                        }
                        if (otherPorts++ >= OTHER_PORT_TRIES) {
                            throw e;
                        }
                        ext = ThreadLocalRandom.current().nextInt(1024, 65536);
                    }
                    case UpnpErrors.SAME_PORT_VALUES_REQUIRED -> {
                        if (sameTried || ext == req.internalPort() || exact) {
                            throw e;
                        }
                        sameTried = true;
                        ext = req.internalPort();
                    }
                    default -> throw e;
                }
            }
        }
        throw new PortMappingException(Reason.PROTOCOL_ERROR, "AddPortMapping kept failing",
                MappingProtocol.UPNP, ctx.gateway(), null, null);
    }

    private PortMapping addAny(IgdClient c, MappingRequest req, int ext, String proto, String client, long lease)
            throws PortMappingException {
        boolean leaseFixed = false;
        for (int attempt = 0; attempt < 3; attempt++) {
            try {
                int got = c.addAnyPortMapping(ext, proto, req.internalPort(), client, req.description(), lease);
                if (req.exactExternalPort() && got != req.externalPort()) {
                    c.deletePortMapping(got, proto);
                    throw new PortMappingException(Reason.CONFLICT, "external port " + req.externalPort()
                            + " is taken (gateway offered " + got + ")", MappingProtocol.UPNP, ctx.gateway(),
                            UpnpErrors.CONFLICT_IN_MAPPING_ENTRY, null);
                }
                return mapping(req, client, got, lease, c);
            } catch (PortMappingException e) {
                int code = e.protocolCode().orElse(0);
                if (code == UpnpErrors.INVALID_ACTION) {
                    // advertised IGD:2 but has no AddAnyPortMapping: fall back to AddPortMapping
                    return add(c, req, ext, proto, client, lease, false);
                }
                if ((code == UpnpErrors.ONLY_PERMANENT_LEASES || code == UpnpErrors.INVALID_ARGS) && lease != 0
                        && !leaseFixed) {
                    leaseFixed = true;
                    long max = code == UpnpErrors.INVALID_ARGS ? scpdLeaseMax(c) : -1;
                    if (max > 0 && lease > max) {
                        lease = max;
                    } else {
                        permanentOnly = true;
                        lease = 0;
                    }
                    continue;
                }
                throw e;
            }
        }
        throw new PortMappingException(Reason.PROTOCOL_ERROR, "AddAnyPortMapping kept failing",
                MappingProtocol.UPNP, ctx.gateway(), null, null);
    }

    private PortMapping doRenew(IgdClient c, PortMapping m) throws PortMappingException {
        MappingRequest req = m.request();
        String proto = protocolName(req.transport());
        String client = LanAddresses.text(m.internalAddress());
        long lease = m.isPermanent() || permanentOnly ? 0 : leaseSeconds(req.lifetime());
        PortMapping renewed;
        try {
            // same external port: a renewal must not move a mapping, and never piles up permanent rules
            renewed = add(c, req, m.externalPort(), proto, client, lease, true);
        } catch (PortMappingException e) {
            if (e.reason() == Reason.CONFLICT && !req.exactExternalPort() && !m.isPermanent()) {
                // someone else holds our port now (we lost it in a reboot): map afresh, the caller sees the move
                return doMap(c, req);
            }
            throw e;
        }
        // verify (broken lease clocks, listed-but-not-forwarding firmware): DESIGN §5.2, §5.5
        IgdClient.Entry entry = c.getSpecificPortMappingEntry(m.externalPort(), proto);
        if (entry == null) {
            LOG.debug("renewed {}/{} but the gateway does not list it: adding again", m.externalPort(), proto);
            c.addPortMapping(m.externalPort(), proto, req.internalPort(), client, req.description(),
                    renewed.lifetime().getSeconds());
        } else if (!sameClient(entry, client)) {
            throw new PortMappingException(Reason.CONFLICT, "external port " + m.externalPort()
                    + " now forwards to " + SafeXml.shorten(entry.internalClient()), MappingProtocol.UPNP,
                    ctx.gateway(), UpnpErrors.CONFLICT_IN_MAPPING_ENTRY, null);
        } else if (entry.internalPort() != req.internalPort() || !entry.enabled()) {
            LOG.debug("gateway lists {}/{} wrongly ({}): delete then add", m.externalPort(), proto, entry);
            c.deletePortMapping(m.externalPort(), proto);
            c.addPortMapping(m.externalPort(), proto, req.internalPort(), client, req.description(),
                    renewed.lifetime().getSeconds());
        }
        return renewed;
    }

    private void doUnmap(IgdClient c, PortMapping m) throws PortMappingException {
        String proto = protocolName(m.transport());
        try {
            c.deletePortMapping(m.externalPort(), proto);
        } catch (PortMappingException e) {
            if (e.protocolCode().orElse(0) == UpnpErrors.NO_SUCH_ENTRY) {
                return; // already gone: success
            }
            throw e;
        }
    }

    private List<PortMapping> doList(IgdClient c) throws PortMappingException {
        List<PortMapping> out = new ArrayList<>();
        InetAddress ext = externalOrNull(c);
        for (int i = 0; i < MAX_LIST; i++) {
            IgdClient.Entry e = c.getGenericPortMappingEntry(i);
            if (e == null) {
                break;
            }
            PortMapping m = fromEntry(e, ext, c);
            if (m != null) {
                out.add(m);
            }
        }
        return out;
    }

    private PortMapping fromEntry(IgdClient.Entry e, InetAddress ext, IgdClient c) {
        Transport t;
        try {
            t = Transport.parse(e.protocol());
        } catch (IllegalArgumentException ex) {
            return null;
        }
        InetAddress internal = MiniHttp.parseLiteral(e.internalClient());
        if (internal == null || e.internalPort() < 1 || e.externalPort() < 1) {
            return null;
        }
        long lease = e.leaseSeconds();
        Duration requested = lease <= 0 ? MappingRequest.DEFAULT_LIFETIME
                : Duration.ofSeconds(Math.min(lease, MAX_LEASE));
        String desc = e.description().length() > 256 ? e.description().substring(0, 256) : e.description();
        MappingRequest req = new MappingRequest(t, e.internalPort(), internal, e.externalPort(), false, requested,
                desc);
        Duration granted = lease <= 0 ? Duration.ZERO : Duration.ofSeconds(lease);
        Instant expiry = lease <= 0 ? Instant.MAX : Instant.now().plusSeconds(lease);
        return new PortMapping(req, internal, ext, e.externalPort(), granted, expiry, MappingProtocol.UPNP,
                ctx.gateway(), state(c.service(), e.externalPort(), t));
    }

    // ---- helpers ----

    private PortMapping mapping(MappingRequest req, String client, int ext, long lease, IgdClient c)
            throws PortMappingException {
        InetAddress internal = MiniHttp.parseLiteral(client);
        if (internal == null) {
            internal = ctx.localAddress();
        }
        Duration granted = lease == 0 ? Duration.ZERO : Duration.ofSeconds(lease);
        Instant expiry = lease == 0 ? Instant.MAX : Instant.now().plusSeconds(lease);
        return new PortMapping(req, internal, cachedExternal(c), ext, granted, expiry, MappingProtocol.UPNP,
                ctx.gateway(), state(c.service(), ext, req.transport()));
    }

    /**
     * Opaque state to act on the mapping from another process: the control URL and service type (the external
     * port and protocol are in the mapping itself).
     */
    static String state(WanService s, int ext, Transport t) {
        return "upnp;st=" + s.serviceType() + ";ctl=" + s.controlUrl() + ";ext=" + ext + ";proto=" + t.name();
    }

    private InetAddress cachedExternal(IgdClient c) {
        Discovery.Found f = igd;
        if (f.externalAddress() != null) {
            return f.externalAddress();
        }
        InetAddress a = externalOrNull(c);
        if (a != null) {
            igd = new Discovery.Found(f.location(), f.description(), f.connection(), f.firewall(), a);
        }
        return a;
    }

    private InetAddress externalOrNull(IgdClient c) {
        try {
            return c.getExternalIPAddress();
        } catch (PortMappingException e) {
            return null;
        }
    }

    private long scpdLeaseMax(IgdClient c) {
        long v = scpdLeaseMax;
        if (v != 0) {
            return v;
        }
        v = -1;
        java.net.URI scpd = c.service().scpdUrl();
        if (scpd != null) {
            try {
                MiniHttp.Response r = MiniHttp.get(scpd, System.nanoTime() + ctx.timeout().toNanos(),
                        Discovery.MAX_DESCRIPTION_BYTES);
                if (r.status() == 200) {
                    v = Scpd.maxLeaseSeconds(r.body());
                }
            } catch (PortMappingException e) {
                LOG.debug("SCPD {} not readable: {}", scpd, e.getMessage());
            }
        }
        scpdLeaseMax = v;
        return v;
    }

    private static boolean isOurs(IgdClient.Entry e, String client, int internalPort) {
        return sameClient(e, client) && e.internalPort() == internalPort;
    }

    private static boolean sameClient(IgdClient.Entry e, String client) {
        InetAddress a = MiniHttp.parseLiteral(e.internalClient());
        InetAddress b = MiniHttp.parseLiteral(client);
        return a != null && a.equals(b);
    }

    private String internalClient(MappingRequest req) {
        return LanAddresses.text(req.internalAddressIfSet().orElse(ctx.localAddress()));
    }

    private boolean isIpv6(MappingRequest req) {
        return req.internalAddressIfSet().orElse(ctx.localAddress()) instanceof Inet6Address;
    }

    /** Always upper case: some routers reject "tcp" (DESIGN §5.7). */
    static String protocolName(Transport t) {
        return t == Transport.TCP ? "TCP" : "UDP";
    }

    private static long leaseSeconds(Duration d) {
        return Math.max(1, Math.min(MAX_LEASE, d.getSeconds()));
    }

    private String gatewayText() {
        return ctx.gateway().getHostAddress();
    }

    ProbeContext context() {
        return ctx;
    }

    // ---- rediscovery ----

    @FunctionalInterface
    interface Op<T> {
        T run(IgdClient c) throws PortMappingException;
    }

    /** Runs {@code op}; when the control URL is refused (rebooted router, new port), rediscovers once and retries. */
    private <T> T withRediscovery(Op<T> op) throws PortMappingException {
        Discovery.Found f = igd;
        try {
            return op.run(new IgdClient(f.connection(), ctx.gateway(), ctx.timeout()));
        } catch (MiniHttp.Unreachable e) {
            LOG.debug("control URL {} refused ({}): rediscovering", f.connection().controlUrl(), e.getMessage());
            Discovery.forget(ctx.gateway());
            ProbeContext fresh = new ProbeContext(ctx.gateway(), ctx.localAddress(), ctx.timeout(),
                    ctx.serverPort(), null, ctx.multicast());
            Discovery.Found again = Discovery.find(fresh);
            igd = again;
            return op.run(new IgdClient(again.connection(), ctx.gateway(), ctx.timeout()));
        }
    }

    private <T> T withFirewall(Op<T> op) throws PortMappingException {
        return withRediscovery(c -> {
            WanService fw = igd.firewall();
            if (fw == null) {
                throw new PortMappingException(Reason.UNSUPPORTED, "the gateway has no WANIPv6FirewallControl "
                        + "service for IPv6 pinholes", MappingProtocol.UPNP, ctx.gateway(), null, null);
            }
            return op.run(new IgdClient(fw, ctx.gateway(), ctx.timeout()));
        });
    }
}
