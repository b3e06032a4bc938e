package dev.openport.upnp;

import dev.openport.core.MappingCheck;
import dev.openport.core.MappingProtocol;
import dev.openport.core.MappingRequest;
import dev.openport.core.PortMapper;
import dev.openport.core.PortMapping;
import dev.openport.core.PortMappingException;
import dev.openport.core.PortMappingException.Reason;
import dev.openport.core.spi.AnyPorts;
import dev.openport.core.spi.ProbeContext;
import dev.openport.upnp.AddWithRecovery.Granted;
import dev.openport.upnp.AddWithRecovery.Want;
import dev.openport.upnp.Recovery.Action;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link PortMapper} over UPnP IGD v1/v2. The concerns live apart: what to do about each refusal is
 * {@link Recovery}'s table (carried out by {@link AddWithRecovery}), the lease to send is {@link LeasePolicy}'s,
 * renewal, repair, verification and deletion of our entries are {@link Upkeep}'s, and IPv6 requests (an IPv6
 * internal address) become {@link Pinholes}. This class picks the service, and rediscovers the gateway once
 * when its control URL is refused (a router rebooted onto a new HTTP port). No threads: every call runs on the
 * caller's thread, bounded by the probe context's timeout.
 */
final class UpnpPortMapper implements PortMapper {
    private static final Logger LOG = LoggerFactory.getLogger(UpnpPortMapper.class);
    /** The longest table {@link #list()} reads. */
    static final int MAX_LIST = 1024;

    private final ProbeContext ctx;
    private final LeasePolicy leases;
    private final AddWithRecovery adder;
    private final Upkeep upkeep;
    private volatile Discovery.Found igd;
    /** The external address last read, or {@code null}; re-read by every renewal and check (renumbering). */
    private volatile InetAddress external;

    UpnpPortMapper(ProbeContext ctx, Discovery.Found igd) {
        this.ctx = ctx;
        this.igd = igd;
        this.external = igd.externalAddress();
        this.leases = new LeasePolicy(ctx);
        this.adder = new AddWithRecovery(leases, ctx.gateway());
        this.upkeep = new Upkeep(this);
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
    URI location() {
        return igd.location();
    }

    WanService service() {
        return igd.connection();
    }

    boolean permanentOnly() {
        return leases.permanentOnly();
    }

    @Override
    public InetAddress externalAddress() throws PortMappingException {
        InetAddress a = withRediscovery(this::readExternal);
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
        return withRediscovery(c -> map(c, request));
    }

    @Override
    public PortMapping renew(PortMapping mapping) throws PortMappingException {
        if (Pinholes.isPinhole(mapping)) {
            return withFirewall(fw -> Pinholes.renew(fw, this, mapping));
        }
        return withRediscovery(c -> upkeep.renew(c, mapping));
    }

    /**
     * Deletes and re-adds our entry on the same external port: the only repair for firmware that lists an entry
     * but no longer forwards it (docs/quirks.md), asked for after a failed reachability signal. An entry another
     * client holds now is not deleted.
     */
    @Override
    public PortMapping repair(PortMapping mapping) throws PortMappingException {
        if (Pinholes.isPinhole(mapping)) {
            return withFirewall(fw -> Pinholes.repair(fw, this, mapping));
        }
        return withRediscovery(c -> upkeep.repair(c, mapping));
    }

    /** What the gateway holds now: one GetSpecificPortMappingEntry and one GetExternalIPAddress (pinholes: one). */
    @Override
    public MappingCheck check(PortMapping mapping) throws PortMappingException {
        if (Pinholes.isPinhole(mapping)) {
            return withFirewall(fw -> Pinholes.check(fw, mapping));
        }
        return withRediscovery(c -> upkeep.check(c, mapping));
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
            upkeep.unmap(c, mapping);
            return null;
        });
    }

    @Override
    public List<PortMapping> list() throws PortMappingException {
        return withRediscovery(c -> {
            List<PortMapping> out = new ArrayList<>();
            InetAddress ext = readExternal(c);
            for (int i = 0; i < MAX_LIST; i++) {
                IgdClient.Entry e = c.getGenericPortMappingEntry(i);
                if (e == null) {
                    break;
                }
                PortMapping m = Entries.listed(e, ext, ctx.gateway(), c.service());
                if (m != null) {
                    out.add(m);
                }
            }
            return out;
        });
    }

    @Override
    public void close() {
        // no sockets or threads are held between calls
    }

    // ---- used by Upkeep and Pinholes ----

    /**
     * A fresh mapping for {@code req}: AddAnyPortMapping when the gateway picks the port, else AddPortMapping.
     * An any-port request (internal port follows the external one) suggests its external port, or a random
     * dynamic port, as both ports, and ends as P -> P whichever port P the gateway grants.
     */
    PortMapping map(IgdClient c, MappingRequest req) throws PortMappingException {
        String client = LanAddresses.text(req.internalAddressIfSet().orElse(ctx.localAddress()));
        long lease = leases.seconds(req.lifetime());
        boolean follow = req.followsExternalPort();
        boolean gatewayPicks = req.externalPort() == 0;
        Action action = gatewayPicks && c.service().hasAddAny() ? Action.ADD_ANY : Action.ADD;
        int ext = follow ? (gatewayPicks ? AnyPorts.pick() : req.externalPort())
                : gatewayPicks ? req.internalPort() : req.externalPort();
        int internal = follow ? ext : req.internalPort();
        Granted g = adder.add(c, new Want(action, ext, Entries.protocolName(req.transport()), internal, client,
                req.description(), lease, req.exactExternalPort(), false, follow));
        return granted(c, req, client, g);
    }

    PortMapping granted(IgdClient c, MappingRequest req, String client, Granted g) {
        InetAddress internal = MiniHttp.parseLiteral(client);
        return Entries.granted(req, internal != null ? internal : ctx.localAddress(), knownExternal(c),
                g.externalPort(), g.leaseSeconds(), ctx.gateway(), c.service());
    }

    AddWithRecovery adder() {
        return adder;
    }

    LeasePolicy leases() {
        return leases;
    }

    ProbeContext context() {
        return ctx;
    }

    /** GetExternalIPAddress, remembered for the mappings we report; {@code null} when the gateway says none. */
    InetAddress readExternal(IgdClient c) throws PortMappingException {
        InetAddress a = c.getExternalIPAddress();
        external = a;
        return a;
    }

    /** The last external address read; read again when none is known or it was unspecified (WAN down). */
    private InetAddress knownExternal(IgdClient c) {
        InetAddress a = external;
        if (a != null && !a.isAnyLocalAddress()) {
            return a;
        }
        try {
            return readExternal(c);
        } catch (PortMappingException e) {
            LOG.debug("external address not readable: {}", e.getMessage());
            return a;
        }
    }

    private boolean isIpv6(MappingRequest req) {
        return req.internalAddressIfSet().orElse(ctx.localAddress()) instanceof Inet6Address;
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
            // pinhole requests go out from the address they are for (routers compare it with the sender)
            return op.run(new IgdClient(fw, ctx.gateway(), ctx.timeout(), ctx.localAddress()));
        });
    }
}
