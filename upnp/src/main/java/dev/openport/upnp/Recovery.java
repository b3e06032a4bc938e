package dev.openport.upnp;

import dev.openport.core.PortMappingException.Reason;
import java.util.List;

/**
 * What to do when an add is refused: the whole truth as one table, (action, UPnP error code, situation) → step.
 * Pure data; {@link AddWithRecovery} computes the situation and carries the step out. Each row has a named test
 * in {@code RecoveryTableTest}; the router behaviour behind each quirk row is listed in docs/quirks.md.
 *
 * <p>A step is taken at most once per add ({@link Step#ANOTHER_PORT}: {@link #OTHER_PORT_TRIES} times); a row
 * whose step was already taken gives up with the reason of the error, so no loop can run on.
 */
final class Recovery {
    /** Other external ports tried after a 718 on an IGD:1 router, when the caller allows another port. */
    static final int OTHER_PORT_TRIES = 3;

    /** The action that was refused. */
    enum Action {
        ADD, ADD_ANY
    }

    /** What we know when the refusal comes: about the lease we sent, or about the entry that is in the way. */
    enum Situation {
        /** Nothing more specific applies. */
        ANY,
        /** We sent a finite lease. */
        FINITE_LEASE,
        /** We sent a finite lease above the maximum the SCPD announces. */
        LEASE_ABOVE_SCPD_MAXIMUM,
        /** We sent lease 0 (permanent). */
        PERMANENT_LEASE,
        /** 718 and the entry is ours (same internal client and port) with the lease we want: nothing to do. */
        OUR_ENTRY,
        /** 718 and the entry is ours but must be refreshed: a renewal, a repair, or a change of lease kind. */
        OUR_ENTRY_TO_REFRESH,
        /** 718 but the gateway lists no entry for the port (it vanished between the two calls). */
        ENTRY_GONE,
        /** 718, another client's entry, and the caller demands this exact port (or it is a renewal). */
        OTHER_CLIENT_EXACT_PORT,
        /** 718, another client's entry, for a permanent lease: never a permanent entry on a port we made up. */
        OTHER_CLIENT_PERMANENT_LEASE,
        /** 718, another client's entry, and the gateway offers AddAnyPortMapping (IGD:2). */
        OTHER_CLIENT_ADD_ANY_OFFERED,
        /** 718, another client's entry, IGD:1. */
        OTHER_CLIENT,
        /** 724 and the caller allows the external port to be the internal one. */
        PORTS_DIFFER,
        /** 724 and the caller demands an external port other than the internal one. */
        PORTS_DIFFER_EXACT
    }

    /** A recovery step. */
    enum Step {
        /** Retry with the lease the SCPD allows at most. */
        CLAMP_LEASE,
        /** Retry with lease 0, and remember that this gateway only takes permanent leases. */
        GO_PERMANENT,
        /** Retry with external port = internal port. */
        SAME_PORT,
        /** Retry the same add once (the conflicting entry is gone). */
        RETRY,
        /** The entry in the way is ours and as wanted: success, no request. */
        ADOPT_OUR_ENTRY,
        /** DeletePortMapping, then the same add (listed-but-not-forwarding entries are only repaired so). */
        DELETE_AND_ADD,
        /** Let the gateway choose a free port with AddAnyPortMapping. */
        ADD_ANY,
        /** The gateway advertised IGD:2 but has no AddAnyPortMapping: fall back to AddPortMapping. */
        ADD_PORT_MAPPING,
        /** Retry on a random other high port. */
        ANOTHER_PORT,
        /** Stop; the error is thrown with the row's reason. */
        GIVE_UP
    }

    /**
     * One rule.
     *
     * @param reason for {@link Step#GIVE_UP}, the reason thrown ({@code null}: the error's own); what core's
     *               protocol fallback acts on (NOT_AUTHORIZED and UNSUPPORTED are lasting refusals)
     */
    record Row(Action action, int code, Situation situation, Step step, Reason reason, String why) {
    }

    private static Row row(Action a, int code, Situation s, Step step, String why) {
        return new Row(a, code, s, step, null, why);
    }

    private static Row giveUp(Action a, int code, Situation s, Reason reason, String why) {
        return new Row(a, code, s, Step.GIVE_UP, reason, why);
    }

    /** The table. The first row matching (action, code, situation) wins; then (action, code, ANY). */
    static final List<Row> TABLE = List.of(
            row(Action.ADD, UpnpErrors.ONLY_PERMANENT_LEASES, Situation.FINITE_LEASE, Step.GO_PERMANENT,
                    "725 OnlyPermanentLeasesSupported (MikroTik, DD-WRT)"),
            giveUp(Action.ADD, UpnpErrors.ONLY_PERMANENT_LEASES, Situation.PERMANENT_LEASE, Reason.UNSUPPORTED,
                    "725 for lease 0: nothing left to try"),
            row(Action.ADD, UpnpErrors.INVALID_ARGS, Situation.LEASE_ABOVE_SCPD_MAXIMUM, Step.CLAMP_LEASE,
                    "402 for a lease above the SCPD's allowedValueRange"),
            row(Action.ADD, UpnpErrors.INVALID_ARGS, Situation.FINITE_LEASE, Step.GO_PERMANENT,
                    "402 for any finite lease (ARRIS)"),
            giveUp(Action.ADD, UpnpErrors.INVALID_ARGS, Situation.PERMANENT_LEASE, null,
                    "402 for lease 0: the arguments are wrong for another reason"),
            row(Action.ADD, UpnpErrors.CONFLICT_IN_MAPPING_ENTRY, Situation.OUR_ENTRY, Step.ADOPT_OUR_ENTRY,
                    "718 for our own entry (firmware refusing identical re-adds)"),
            row(Action.ADD, UpnpErrors.CONFLICT_IN_MAPPING_ENTRY, Situation.OUR_ENTRY_TO_REFRESH,
                    Step.DELETE_AND_ADD, "718 for our own entry that must be refreshed"),
            row(Action.ADD, UpnpErrors.CONFLICT_IN_MAPPING_ENTRY, Situation.ENTRY_GONE, Step.RETRY,
                    "718, then the entry is gone"),
            giveUp(Action.ADD, UpnpErrors.CONFLICT_IN_MAPPING_ENTRY, Situation.OTHER_CLIENT_EXACT_PORT,
                    Reason.CONFLICT, "718 from another client on a port the caller demands"),
            giveUp(Action.ADD, UpnpErrors.CONFLICT_IN_MAPPING_ENTRY, Situation.OTHER_CLIENT_PERMANENT_LEASE,
                    Reason.CONFLICT, "718 for a permanent lease: moving would pile up permanent rules"),
            row(Action.ADD, UpnpErrors.CONFLICT_IN_MAPPING_ENTRY, Situation.OTHER_CLIENT_ADD_ANY_OFFERED,
                    Step.ADD_ANY, "718 from another client on IGD:2"),
            row(Action.ADD, UpnpErrors.CONFLICT_IN_MAPPING_ENTRY, Situation.OTHER_CLIENT, Step.ANOTHER_PORT,
                    "718 from another client on IGD:1"),
            row(Action.ADD, UpnpErrors.SAME_PORT_VALUES_REQUIRED, Situation.PORTS_DIFFER, Step.SAME_PORT,
                    "724 SamePortValuesRequired"),
            giveUp(Action.ADD, UpnpErrors.SAME_PORT_VALUES_REQUIRED, Situation.PORTS_DIFFER_EXACT,
                    Reason.UNSUPPORTED, "724 and the caller demands another external port"),
            giveUp(Action.ADD, UpnpErrors.NOT_AUTHORIZED, Situation.ANY, Reason.NOT_AUTHORIZED,
                    "606: a lasting refusal (secure mode, port below 1024, UPnP disabled)"),
            giveUp(Action.ADD, UpnpErrors.ACTION_FAILED, Situation.ANY, Reason.UNSUPPORTED,
                    "501 on Add: a lasting refusal (half-open routers)"),
            giveUp(Action.ADD, UpnpErrors.NO_PORT_MAPS_AVAILABLE, Situation.ANY, Reason.NO_RESOURCES,
                    "728 table full: transient"),
            row(Action.ADD_ANY, UpnpErrors.INVALID_ACTION, Situation.ANY, Step.ADD_PORT_MAPPING,
                    "401 for AddAnyPortMapping on an IGD:2 that lacks it"),
            row(Action.ADD_ANY, UpnpErrors.ONLY_PERMANENT_LEASES, Situation.FINITE_LEASE, Step.GO_PERMANENT,
                    "725 from AddAnyPortMapping"),
            row(Action.ADD_ANY, UpnpErrors.INVALID_ARGS, Situation.LEASE_ABOVE_SCPD_MAXIMUM, Step.CLAMP_LEASE,
                    "402 from AddAnyPortMapping for a lease above the SCPD maximum"),
            row(Action.ADD_ANY, UpnpErrors.INVALID_ARGS, Situation.FINITE_LEASE, Step.GO_PERMANENT,
                    "402 from AddAnyPortMapping for a finite lease"),
            giveUp(Action.ADD_ANY, UpnpErrors.NOT_AUTHORIZED, Situation.ANY, Reason.NOT_AUTHORIZED,
                    "606 from AddAnyPortMapping"),
            giveUp(Action.ADD_ANY, UpnpErrors.ACTION_FAILED, Situation.ANY, Reason.UNSUPPORTED,
                    "501 from AddAnyPortMapping"),
            giveUp(Action.ADD_ANY, UpnpErrors.NO_PORT_MAPS_AVAILABLE, Situation.ANY, Reason.NO_RESOURCES,
                    "728 from AddAnyPortMapping: no free port"));

    /** A code no row names: give up with the error's own reason. */
    static final Row UNKNOWN = new Row(null, 0, Situation.ANY, Step.GIVE_UP, null, "no recovery known");

    private Recovery() {
    }

    /** The row for a refusal: exact situation first, then the code's ANY row, else {@link #UNKNOWN}. */
    static Row decide(Action action, int code, Situation situation) {
        Row fallback = UNKNOWN;
        for (Row r : TABLE) {
            if (r.action() == action && r.code() == code) {
                if (r.situation() == situation) {
                    return r;
                }
                if (r.situation() == Situation.ANY) {
                    fallback = r;
                }
            }
        }
        return fallback;
    }

    /** Whether rows for {@code code} depend on the entry in the way (the executor must look it up first). */
    static boolean needsEntry(int code) {
        return code == UpnpErrors.CONFLICT_IN_MAPPING_ENTRY;
    }
}
