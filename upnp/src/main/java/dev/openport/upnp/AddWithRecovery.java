package dev.openport.upnp;

import dev.openport.core.MappingProtocol;
import dev.openport.core.PortMappingException;
import dev.openport.core.PortMappingException.Reason;
import dev.openport.upnp.Recovery.Action;
import dev.openport.upnp.Recovery.Row;
import dev.openport.upnp.Recovery.Situation;
import dev.openport.upnp.Recovery.Step;
import java.net.InetAddress;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out one AddPortMapping / AddAnyPortMapping with {@link Recovery}'s table: on a UPnP fault it works
 * out the situation (looking the entry up for a 718), takes the row's step, and tries again. Everything else
 * (timeouts, malformed answers) is thrown as is.
 */
final class AddWithRecovery {
    private static final Logger LOG = LoggerFactory.getLogger(AddWithRecovery.class);
    /** A bound on requests per add, whatever the table says (each step is once-only anyway). */
    private static final int MAX_ATTEMPTS = 10;
    /** Random other ports are drawn from the dynamic range (RFC 6335 §6) so they rarely hit a service's port. */
    static final int LOWEST_RANDOM_PORT = 49152;

    /**
     * What to add.
     *
     * @param exact   fail rather than take another external port (the caller demands it, or a renewal)
     * @param refresh our own entry found in the way must be deleted and re-added (a renewal or a repair), not
     *                adopted as it is
     * @param follow  the internal port follows the external one (an "any port" request: P -> P, never 0 on the
     *                wire)
     */
    record Want(Action action, int externalPort, String protocol, int internalPort, String client,
            String description, long leaseSeconds, boolean exact, boolean refresh, boolean follow) {

        Want withPort(int port) {
            return new Want(action, port, protocol, follow ? port : internalPort, client, description, leaseSeconds,
                    exact, refresh, follow);
        }

        Want withLease(long lease) {
            return new Want(action, externalPort, protocol, internalPort, client, description, lease, exact, refresh,
                    follow);
        }

        Want withAction(Action a) {
            return new Want(a, externalPort, protocol, internalPort, client, description, leaseSeconds, exact,
                    refresh, follow);
        }
    }

    /** What the gateway granted. */
    record Granted(int externalPort, long leaseSeconds) {
    }

    private final LeasePolicy leases;
    private final InetAddress gateway;

    AddWithRecovery(LeasePolicy leases, InetAddress gateway) {
        this.leases = leases;
        this.gateway = gateway;
    }

    Granted add(IgdClient c, Want first) throws PortMappingException {
        Want w = first;
        Map<Step, Integer> taken = new EnumMap<>(Step.class);
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            try {
                return once(c, w, first);
            } catch (PortMappingException e) {
                if (e.protocolCode().isEmpty()) {
                    throw e; // no UPnP fault: nothing in the table applies
                }
                int code = e.protocolCode().getAsInt();
                IgdClient.Entry entry = Recovery.needsEntry(code)
                        ? c.getSpecificPortMappingEntry(w.externalPort(), w.protocol()) : null;
                Situation s = situation(c, w, code, entry, taken);
                Row row = Recovery.decide(w.action(), code, s);
                Step step = row.step();
                int limit = step == Step.ANOTHER_PORT ? Recovery.OTHER_PORT_TRIES : 1;
                if (step != Step.GIVE_UP && taken.getOrDefault(step, 0) >= limit) {
                    throw e; // this step did not help: the error stands with its own reason
                }
                taken.merge(step, 1, Integer::sum);
                LOG.debug("{} {}/{} refused with {} ({}): {}", w.action(), w.externalPort(), w.protocol(), code, s,
                        step);
                switch (step) {
                    case GIVE_UP -> throw retyped(e, row.reason());
                    case ADOPT_OUR_ENTRY -> {
                        return new Granted(w.externalPort(), entry.leaseSeconds() >= 0 ? entry.leaseSeconds()
                                : w.leaseSeconds());
                    }
                    case CLAMP_LEASE -> w = w.withLease(leases.scpdMaximum(c));
                    case GO_PERMANENT -> {
                        leases.learnPermanentOnly();
                        w = w.withLease(0);
                    }
                    case SAME_PORT -> w = w.withPort(w.internalPort());
                    case RETRY -> {
                        // the same add again
                    }
                    case DELETE_AND_ADD -> deleteIgnoringGone(c, w.externalPort(), w.protocol());
                    case ADD_ANY -> w = w.withAction(Action.ADD_ANY);
                    case ADD_PORT_MAPPING -> w = w.withAction(Action.ADD);
                    case ANOTHER_PORT -> w = w.withPort(ThreadLocalRandom.current().nextInt(LOWEST_RANDOM_PORT,
                            65536));
                    default -> throw e;
                }
            }
        }
        throw new PortMappingException(Reason.PROTOCOL_ERROR, "AddPortMapping kept failing", MappingProtocol.UPNP,
                gateway, null, null);
    }

    private Granted once(IgdClient c, Want w, Want first) throws PortMappingException {
        if (w.action() == Action.ADD) {
            c.addPortMapping(w.externalPort(), w.protocol(), w.internalPort(), w.client(), w.description(),
                    w.leaseSeconds());
            return new Granted(w.externalPort(), w.leaseSeconds());
        }
        int got = c.addAnyPortMapping(w.externalPort(), w.protocol(), w.internalPort(), w.client(),
                w.description(), w.leaseSeconds());
        if (first.exact() && got != first.externalPort()) {
            c.deletePortMapping(got, w.protocol());
            throw new PortMappingException(Reason.CONFLICT, "external port " + first.externalPort() + " is taken "
                    + "(gateway offered " + got + ")", MappingProtocol.UPNP, gateway, null, null);
        }
        if (w.follow() && got != w.internalPort()) {
            follow(c, w, got);
        }
        return new Granted(got, w.leaseSeconds());
    }

    /**
     * AddAnyPortMapping granted {@code got} -> our suggested internal port; an any-port request listens on
     * {@code got}: replace the entry by {@code got -> got} (the port is ours now, so the add cannot conflict unless
     * another client races us, which is then a plain CONFLICT).
     */
    private void follow(IgdClient c, Want w, int got) throws PortMappingException {
        c.deletePortMapping(got, w.protocol());
        try {
            c.addPortMapping(got, w.protocol(), got, w.client(), w.description(), w.leaseSeconds());
        } catch (PortMappingException e) {
            throw new PortMappingException(e.reason() == Reason.TIMEOUT ? Reason.TIMEOUT : Reason.CONFLICT,
                    "external port " + got + " could not be forwarded to the same internal port",
                    MappingProtocol.UPNP, gateway, null, e);
        }
    }

    /** The situation column of the table for this refusal. */
    private Situation situation(IgdClient c, Want w, int code, IgdClient.Entry entry, Map<Step, Integer> taken) {
        switch (code) {
            case UpnpErrors.ONLY_PERMANENT_LEASES -> {
                return w.leaseSeconds() == 0 ? Situation.PERMANENT_LEASE : Situation.FINITE_LEASE;
            }
            case UpnpErrors.INVALID_ARGS -> {
                if (w.leaseSeconds() == 0) {
                    return Situation.PERMANENT_LEASE;
                }
                long max = leases.scpdMaximum(c);
                return max > 0 && w.leaseSeconds() > max ? Situation.LEASE_ABOVE_SCPD_MAXIMUM : Situation.FINITE_LEASE;
            }
            case UpnpErrors.CONFLICT_IN_MAPPING_ENTRY -> {
                if (entry == null) {
                    return Situation.ENTRY_GONE;
                }
                if (Entries.isOurs(entry, w.client(), w.internalPort())) {
                    boolean leaseKindDiffers = (entry.leaseSeconds() == 0) != (w.leaseSeconds() == 0);
                    return w.refresh() || leaseKindDiffers ? Situation.OUR_ENTRY_TO_REFRESH : Situation.OUR_ENTRY;
                }
                if (w.exact()) {
                    return Situation.OTHER_CLIENT_EXACT_PORT;
                }
                if (w.leaseSeconds() == 0) {
                    return Situation.OTHER_CLIENT_PERMANENT_LEASE;
                }
                // a gateway that answered 401 to AddAnyPortMapping lacks it, whatever its version says
                return c.service().hasAddAny() && !taken.containsKey(Step.ADD_PORT_MAPPING)
                        ? Situation.OTHER_CLIENT_ADD_ANY_OFFERED : Situation.OTHER_CLIENT;
            }
            case UpnpErrors.SAME_PORT_VALUES_REQUIRED -> {
                if (w.externalPort() == w.internalPort()) {
                    return Situation.ANY;
                }
                return w.exact() ? Situation.PORTS_DIFFER_EXACT : Situation.PORTS_DIFFER;
            }
            default -> {
                return Situation.ANY;
            }
        }
    }

    private static void deleteIgnoringGone(IgdClient c, int port, String protocol) throws PortMappingException {
        try {
            c.deletePortMapping(port, protocol);
        } catch (PortMappingException e) {
            if (e.protocolCode().orElse(0) != UpnpErrors.NO_SUCH_ENTRY) {
                throw e;
            }
        }
    }

    /** The error with the table's reason, where the row names one (message and UPnP code kept). */
    private PortMappingException retyped(PortMappingException e, Reason reason) {
        if (reason == null || reason == e.reason()) {
            return e;
        }
        String message = e.getMessage();
        int context = message.lastIndexOf(" (" + MappingProtocol.UPNP.displayName());
        return new PortMappingException(reason, context > 0 ? message.substring(0, context) : message,
                MappingProtocol.UPNP, gateway, e.protocolCode().isPresent() ? e.protocolCode().getAsInt() : null, e);
    }
}
