package dev.openport.upnp;

import dev.openport.core.MappingCheck;
import dev.openport.core.MappingProtocol;
import dev.openport.core.MappingRequest;
import dev.openport.core.PortMapping;
import dev.openport.core.PortMappingException;
import dev.openport.core.PortMappingException.Reason;
import dev.openport.upnp.AddWithRecovery.Granted;
import dev.openport.upnp.AddWithRecovery.Want;
import dev.openport.upnp.Recovery.Action;
import java.net.InetAddress;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Looking after entries we made: renewal, repair (delete + add), verification and deletion. An entry is keyed
 * by external port and protocol on the gateway; whether it is ours is decided by the internal client and port
 * recorded in the mapping, never by the local address now (it may have changed since: DHCP).
 */
final class Upkeep {
    private static final Logger LOG = LoggerFactory.getLogger(Upkeep.class);

    private final UpnpPortMapper mapper;

    Upkeep(UpnpPortMapper mapper) {
        this.mapper = mapper;
    }

    /**
     * Re-adds the entry on its external port (a renewal must not move it, and never piles up permanent rules),
     * for the internal client it was made for. Also re-creates an entry the gateway lost (reboot, broken lease
     * clock); only when another client took the port meanwhile does a non-exact mapping move.
     */
    PortMapping renew(IgdClient c, PortMapping m) throws PortMappingException {
        MappingRequest req = m.request();
        String client = LanAddresses.text(m.internalAddress());
        Granted g;
        try {
            g = mapper.adder().add(c, sameEntry(m, client, true));
        } catch (PortMappingException e) {
            if (e.reason() == Reason.CONFLICT && !req.exactExternalPort() && !m.isPermanent()) {
                return mapper.map(c, req); // we lost our port (reboot): map afresh, the caller sees the move
            }
            throw e;
        }
        verifyAfterRenewal(c, m, client, g);
        try {
            mapper.readExternal(c); // renumbering: the address the renewed mapping reports is read now
        } catch (PortMappingException e) {
            // the entry is renewed: a failed address read must not fail the renewal (the last address stays)
            LOG.debug("external address not readable after renewal: {}", e.getMessage());
        }
        return mapper.granted(c, req, client, g);
    }

    /** Deletes our entry and adds it again on the same port (listed-but-not-forwarding firmware). */
    PortMapping repair(IgdClient c, PortMapping m) throws PortMappingException {
        String client = LanAddresses.text(m.internalAddress());
        String proto = Entries.protocolName(m.transport());
        IgdClient.Entry e = c.getSpecificPortMappingEntry(m.externalPort(), proto);
        if (e != null && Entries.isOurs(e, client, m.internalPort())) {
            delete(c, m.externalPort(), proto);
        }
        return renew(c, m);
    }

    /**
     * One GetSpecificPortMappingEntry and one GetExternalIPAddress: cheap enough for a 60 s cadence. Never
     * creates an entry. The external address is reported as the gateway says it (0.0.0.0 included: core decides).
     * A disabled entry forwards nothing: MISSING (with its client), so the caller repairs it.
     */
    MappingCheck check(IgdClient c, PortMapping m) throws PortMappingException {
        IgdClient.Entry e;
        try {
            e = c.getSpecificPortMappingEntry(m.externalPort(), Entries.protocolName(m.transport()));
        } catch (PortMappingException ex) {
            if (ex.reason() == Reason.TIMEOUT || ex instanceof MiniHttp.Unreachable) {
                throw ex;
            }
            LOG.debug("GetSpecificPortMappingEntry refused: {}", ex.getMessage());
            return MappingCheck.unknown(externalOrNull(c));
        }
        InetAddress external = externalOrNull(c);
        if (e == null) {
            return MappingCheck.missing(external);
        }
        InetAddress client = MiniHttp.parseLiteral(e.internalClient());
        Duration left = e.leaseSeconds() < 0 ? null : Duration.ofSeconds(e.leaseSeconds());
        MappingCheck.State state = !Entries.isOurs(e, LanAddresses.text(m.internalAddress()), m.internalPort())
                ? MappingCheck.State.FOREIGN : e.enabled() ? MappingCheck.State.HELD : MappingCheck.State.MISSING;
        return new MappingCheck(state, external, client, left);
    }

    private InetAddress externalOrNull(IgdClient c) throws PortMappingException {
        try {
            return mapper.readExternal(c);
        } catch (PortMappingException ex) {
            if (ex.reason() == Reason.TIMEOUT || ex instanceof MiniHttp.Unreachable) {
                throw ex;
            }
            return null;
        }
    }

    /**
     * Deletes the entry when it is still ours (made for the mapping's internal client, even when our local
     * address has changed since); an entry another client holds now is left alone, and a missing one is
     * success. Gateways that let only the entry's own client delete it (miniupnpd secure mode, after our address
     * changed) refuse with 606: thrown as NOT_AUTHORIZED; the entry then ends with its lease.
     */
    void unmap(IgdClient c, PortMapping m) throws PortMappingException {
        String proto = Entries.protocolName(m.transport());
        IgdClient.Entry e;
        try {
            e = c.getSpecificPortMappingEntry(m.externalPort(), proto);
        } catch (PortMappingException ex) {
            if (ex.protocolCode().isEmpty()) {
                throw ex;
            }
            // the lookup is refused (some firmware): delete blindly, as the spec intends
            delete(c, m.externalPort(), proto);
            return;
        }
        if (e == null) {
            return;
        }
        if (!Entries.isOurs(e, LanAddresses.text(m.internalAddress()), m.internalPort())) {
            LOG.debug("{}/{} now forwards to {}: not ours to delete", m.externalPort(), proto,
                    SafeXml.shorten(e.internalClient()));
            return;
        }
        delete(c, m.externalPort(), proto);
    }

    /**
     * After the add: the entry must be listed as asked. Broken lease clocks drop it at once (add again);
     * listed-but-not-forwarding firmware keeps a wrong or disabled entry that a re-add does not touch (delete,
     * then add).
     */
    private void verifyAfterRenewal(IgdClient c, PortMapping m, String client, Granted g)
            throws PortMappingException {
        MappingRequest req = m.request();
        String proto = Entries.protocolName(m.transport());
        IgdClient.Entry entry = c.getSpecificPortMappingEntry(g.externalPort(), proto);
        if (entry == null) {
            LOG.debug("renewed {}/{} but the gateway does not list it: adding again", g.externalPort(), proto);
            c.addPortMapping(g.externalPort(), proto, m.internalPort(), client, req.description(),
                    g.leaseSeconds());
        } else if (!Entries.sameClient(entry, client)) {
            throw new PortMappingException(Reason.CONFLICT, "external port " + g.externalPort()
                    + " now forwards to " + SafeXml.shorten(entry.internalClient()), MappingProtocol.UPNP,
                    mapper.gateway(), UpnpErrors.CONFLICT_IN_MAPPING_ENTRY, null);
        } else if (entry.internalPort() != m.internalPort() || !entry.enabled()) {
            LOG.debug("gateway lists {}/{} wrongly ({}): delete then add", g.externalPort(), proto, entry);
            delete(c, g.externalPort(), proto);
            c.addPortMapping(g.externalPort(), proto, m.internalPort(), client, req.description(),
                    g.leaseSeconds());
        }
    }

    private Want sameEntry(PortMapping m, String client, boolean refresh) {
        MappingRequest req = m.request();
        long lease = mapper.leases().renewalSeconds(req.lifetime(), m.isPermanent());
        return new Want(Action.ADD, m.externalPort(), Entries.protocolName(m.transport()), m.internalPort(),
                client, req.description(), lease, true, refresh, req.followsExternalPort());
    }

    private static void delete(IgdClient c, int port, String proto) throws PortMappingException {
        try {
            c.deletePortMapping(port, proto);
        } catch (PortMappingException e) {
            if (e.protocolCode().orElse(0) != UpnpErrors.NO_SUCH_ENTRY) {
                throw e;
            }
        }
    }
}
