package dev.openport.upnp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.openport.core.MappingRequest;
import dev.openport.core.PortMapping;
import dev.openport.core.PortMappingException;
import dev.openport.core.PortMappingException.Reason;
import dev.openport.core.Transport;
import dev.openport.upnp.Recovery.Action;
import dev.openport.upnp.Recovery.Situation;
import dev.openport.upnp.Recovery.Step;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@link Recovery}'s table, one test per row: each names the quirk, makes the fake IGD answer with the bytes a
 * router sent (fixtures, see fixtures/README.md) or with the fault the row is about, and checks what went over
 * the wire and what the caller got. {@link #everyRowOfTheTableHasItsTest()} keeps table and tests in step. The
 * AddAnyPortMapping rows are in {@link RecoveryTableAddAnyTest}.
 */
class RecoveryTableTest extends RecoveryRowTest {
    // ---- the table itself ----

    @Test
    void everyRowOfTheTableHasItsTest() {
        Set<String> tested = new HashSet<>();
        for (Class<?> rows : List.of(RecoveryTableTest.class, RecoveryTableAddAnyTest.class)) {
            for (Method m : rows.getDeclaredMethods()) {
                Covers c = m.getAnnotation(Covers.class);
                if (c != null) {
                    assertThat(Recovery.decide(c.action(), c.code(), c.situation()).step()).as(m.getName())
                            .isEqualTo(c.step());
                    assertThat(tested.add(c.action() + "/" + c.code() + "/" + c.situation())).as(m.getName())
                            .isTrue();
                }
            }
        }
        List<String> rows = new ArrayList<>();
        for (Recovery.Row r : Recovery.TABLE) {
            rows.add(r.action() + "/" + r.code() + "/" + r.situation());
        }
        assertThat(rows).doesNotHaveDuplicates();
        assertThat(tested).containsExactlyInAnyOrderElementsOf(rows);
    }

    @Test
    void aCodeNoRowNamesGivesUpWithTheErrorsOwnReason() throws Exception {
        assertThat(Recovery.decide(Action.ADD, 799, Situation.ANY)).isSameAs(Recovery.UNKNOWN);
        igd.alwaysFault.put("AddPortMapping", 799);
        probe();
        PortMappingException e = refusal(() -> mapper.map(MappingRequest.of(Transport.TCP, 6000)));
        assertThat(e.reason()).isEqualTo(Reason.PROTOCOL_ERROR);
        assertThat(e.protocolCode()).hasValue(799);
        assertThat(igd.requests("AddPortMapping")).hasSize(1);
    }

    @Test
    void aStepThatDidNotHelpIsNotTakenAgain() throws Exception {
        // 724 for every port, even external = internal: SAME_PORT once, then the 724 stands
        igd.alwaysFault.put("AddPortMapping", UpnpErrors.SAME_PORT_VALUES_REQUIRED);
        probe();
        PortMappingException e = refusal(() -> mapper.map(MappingRequest.of(Transport.TCP, 6001)
                .withExternalPort(7001)));
        assertThat(e.protocolCode()).hasValue(724);
        assertThat(igd.requests("AddPortMapping")).extracting(r -> r.args().get("NewExternalPort"))
                .containsExactly("7001", "6001");
    }

    // ---- AddPortMapping ----

    @Test
    @Covers(action = Action.ADD, code = 725, situation = Situation.FINITE_LEASE, step = Step.GO_PERMANENT)
    void quirk725OnlyPermanentLeasesGoesPermanentAndRemembersIt() throws Exception {
        probe();
        igd.faultNext("AddPortMapping", Fixtures.bytes(
                "upnp/soap/synthetic-tailscale-725-only-permanent-leases-capitalised-faultcode.xml"));
        PortMapping m = mapper.map(MappingRequest.of(Transport.TCP, 6010));
        assertThat(m.isPermanent()).isTrue();
        assertThat(m.expiresAt()).isEqualTo(java.time.Instant.MAX);
        assertThat(igd.requests("AddPortMapping")).extracting(r -> r.args().get("NewLeaseDuration"))
                .containsExactly("7200", "0");
        mapper.map(MappingRequest.of(Transport.UDP, 6010));
        assertThat(igd.requests("AddPortMapping").get(2).args()).containsEntry("NewLeaseDuration", "0");
    }

    @Test
    @Covers(action = Action.ADD, code = 725, situation = Situation.PERMANENT_LEASE, step = Step.GIVE_UP)
    void quirk725EvenForLeaseZeroGivesUpAsUnsupported() throws Exception {
        igd.alwaysFault.put("AddPortMapping", UpnpErrors.ONLY_PERMANENT_LEASES);
        probe();
        PortMappingException e = refusal(() -> mapper.map(MappingRequest.of(Transport.TCP, 6011)));
        assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED);
        assertThat(igd.requests("AddPortMapping")).extracting(r -> r.args().get("NewLeaseDuration"))
                .containsExactly("7200", "0");
    }

    @Test
    @Covers(action = Action.ADD, code = 402, situation = Situation.LEASE_ABOVE_SCPD_MAXIMUM,
            step = Step.CLAMP_LEASE)
    void quirk402ForALeaseAboveTheScpdMaximumClampsIt() throws Exception {
        igd.leaseMax = 3600;
        probe();
        igd.answerNext("AddPortMapping", Fixtures.bytes(LAB + "addportmapping-402-bad-args.http"));
        PortMapping m = mapper.map(MappingRequest.of(Transport.TCP, 6012).withLifetime(Duration.ofDays(1)));
        assertThat(m.lifetime()).isEqualTo(Duration.ofHours(1));
        assertThat(mapper.permanentOnly()).isFalse();
        assertThat(igd.table.get("6012/TCP").lease()).isEqualTo(3600);
    }

    @Test
    @Covers(action = Action.ADD, code = 402, situation = Situation.FINITE_LEASE, step = Step.GO_PERMANENT)
    void quirk402ForAnyFiniteLeaseGoesPermanent() throws Exception {
        probe();
        igd.faultNext("AddPortMapping", Fixtures.bytes("upnp/soap/synthetic-tailscale-402-invalid-args-for-lease.xml"));
        PortMapping m = mapper.map(MappingRequest.of(Transport.UDP, 6013));
        assertThat(m.isPermanent()).isTrue();
        assertThat(mapper.permanentOnly()).isTrue();
        assertThat(igd.table.get("6013/UDP").lease()).isZero();
    }

    @Test
    @Covers(action = Action.ADD, code = 402, situation = Situation.PERMANENT_LEASE, step = Step.GIVE_UP)
    void quirk402EvenForLeaseZeroGivesUpWithItsOwnReason() throws Exception {
        igd.alwaysFault.put("AddPortMapping", UpnpErrors.INVALID_ARGS);
        probe();
        PortMappingException e = refusal(() -> mapper.map(MappingRequest.of(Transport.UDP, 6014)));
        assertThat(e.reason()).isEqualTo(Reason.PROTOCOL_ERROR);
        assertThat(igd.requests("AddPortMapping")).hasSize(2);
    }

    @Test
    @Covers(action = Action.ADD, code = 718, situation = Situation.OUR_ENTRY, step = Step.ADOPT_OUR_ENTRY)
    void quirk718ForOurOwnEntryIsSuccessWithoutAnotherRequest() throws Exception {
        probe();
        mapper.map(MappingRequest.of(Transport.TCP, 6015));
        igd.answerNext("AddPortMapping", Fixtures.bytes(LAB + "addportmapping-718-other-client.http"));
        PortMapping again = mapper.map(MappingRequest.of(Transport.TCP, 6015));
        assertThat(again.externalPort()).isEqualTo(6015);
        assertThat(igd.actions()).containsExactly("AddPortMapping", "AddPortMapping", "GetSpecificPortMappingEntry");
    }

    @Test
    @Covers(action = Action.ADD, code = 718, situation = Situation.OUR_ENTRY_TO_REFRESH,
            step = Step.DELETE_AND_ADD)
    void quirk718ForOurOwnEntryOnRenewalDeletesThenAdds() throws Exception {
        probe();
        PortMapping m = mapper.map(MappingRequest.of(Transport.UDP, 6016));
        igd.conflictOnReAdd = true;
        igd.requests.clear();
        PortMapping r = mapper.renew(m);
        assertThat(r.externalPort()).isEqualTo(6016);
        assertThat(igd.actions()).startsWith("AddPortMapping", "GetSpecificPortMappingEntry", "DeletePortMapping",
                "AddPortMapping");
        assertThat(igd.table).containsKey("6016/UDP");
    }

    @Test
    @Covers(action = Action.ADD, code = 718, situation = Situation.ENTRY_GONE, step = Step.RETRY)
    void quirk718ThenTheEntryIsGoneRetriesOnce() throws Exception {
        probe();
        igd.answerNext("AddPortMapping", Fixtures.bytes(LAB + "addportmapping-718-other-client.http"));
        PortMapping m = mapper.map(MappingRequest.of(Transport.TCP, 6017));
        assertThat(m.externalPort()).isEqualTo(6017);
        assertThat(igd.actions()).containsExactly("AddPortMapping", "GetSpecificPortMappingEntry", "AddPortMapping");
    }

    @Test
    @Covers(action = Action.ADD, code = 718, situation = Situation.OTHER_CLIENT_EXACT_PORT, step = Step.GIVE_UP)
    void quirk718FromAnotherClientOnADemandedPortIsAConflict() throws Exception {
        igd.preload(6018, "UDP", 6018, "192.168.1.77", 0);
        probe();
        PortMappingException e = refusal(() -> mapper.map(MappingRequest.of(Transport.UDP, 6018)
                .requireExactExternalPort()));
        assertThat(e.reason()).isEqualTo(Reason.CONFLICT);
        assertThat(e.protocolCode()).hasValue(718);
        assertThat(igd.requests("AddPortMapping")).hasSize(1);
    }

    @Test
    @Covers(action = Action.ADD, code = 718, situation = Situation.OTHER_CLIENT_PERMANENT_LEASE,
            step = Step.GIVE_UP)
    void quirk718ForAPermanentLeaseNeverMovesToAPortWeMadeUp() throws Exception {
        igd.only725Permanent = true;
        igd.preload(6019, "TCP", 6019, "192.168.1.77", 0);
        probe();
        PortMappingException e = refusal(() -> mapper.map(MappingRequest.of(Transport.TCP, 6019)));
        assertThat(e.reason()).isEqualTo(Reason.CONFLICT);
        assertThat(igd.table).hasSize(1);
        assertThat(igd.requests("AddPortMapping")).extracting(r -> r.args().get("NewExternalPort"))
                .containsOnly("6019");
    }

    @Test
    @Covers(action = Action.ADD, code = 718, situation = Situation.OTHER_CLIENT_ADD_ANY_OFFERED,
            step = Step.ADD_ANY)
    void quirk718FromAnotherClientOnIgd2LetsTheGatewayChoose() throws Exception {
        igd.igd2 = true;
        igd.preload(6020, "TCP", 6020, "192.168.1.77", 0);
        probe();
        PortMapping m = mapper.map(MappingRequest.of(Transport.TCP, 6020));
        assertThat(m.externalPort()).isEqualTo(6021);
        assertThat(igd.actions()).containsExactly("AddPortMapping", "GetSpecificPortMappingEntry",
                "AddAnyPortMapping");
    }

    @Test
    @Covers(action = Action.ADD, code = 718, situation = Situation.OTHER_CLIENT, step = Step.ANOTHER_PORT)
    void quirk718FromAnotherClientOnIgd1TriesARandomHighPort() throws Exception {
        igd.preload(6022, "TCP", 6022, "192.168.1.77", 0);
        probe();
        PortMapping m = mapper.map(MappingRequest.of(Transport.TCP, 6022));
        assertThat(m.externalPort()).isBetween(AddWithRecovery.LOWEST_RANDOM_PORT, 65535);
        assertThat(igd.table.get(m.externalPort() + "/TCP").client()).isEqualTo("127.0.0.1");
        assertThat(igd.table.get("6022/TCP").client()).isEqualTo("192.168.1.77");
    }

    @Test
    @Covers(action = Action.ADD, code = 724, situation = Situation.PORTS_DIFFER, step = Step.SAME_PORT)
    void quirk724SamePortValuesRequiredMapsPortToSamePort() throws Exception {
        igd.samePortRequired = true;
        probe();
        PortMapping m = mapper.map(MappingRequest.of(Transport.TCP, 6023).withExternalPort(7023));
        assertThat(m.externalPort()).isEqualTo(6023);
        assertThat(igd.table).containsOnlyKeys("6023/TCP");
    }

    @Test
    @Covers(action = Action.ADD, code = 724, situation = Situation.PORTS_DIFFER_EXACT, step = Step.GIVE_UP)
    void quirk724WithADemandedOtherPortIsUnsupported() throws Exception {
        igd.samePortRequired = true;
        probe();
        PortMappingException e = refusal(() -> mapper.map(MappingRequest.of(Transport.TCP, 6024)
                .withExternalPort(7024).requireExactExternalPort()));
        assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED);
        assertThat(e.protocolCode()).hasValue(724);
    }

    @Test
    @Covers(action = Action.ADD, code = 606, situation = Situation.ANY, step = Step.GIVE_UP)
    void refusal606IsALastingNotAuthorized() throws Exception {
        probe();
        igd.answerNext("AddPortMapping", Fixtures.bytes(LAB + "addportmapping-606-port-below-1024.http"));
        PortMappingException e = refusal(() -> mapper.map(MappingRequest.of(Transport.TCP, 80)));
        assertThat(e.reason()).isEqualTo(Reason.NOT_AUTHORIZED);
        assertThat(e.protocolCode()).hasValue(606);
        assertThat(e.getMessage()).containsOnlyOnce("code 606");
        assertThat(igd.requests("AddPortMapping")).hasSize(1);
    }

    @Test
    @Covers(action = Action.ADD, code = 501, situation = Situation.ANY, step = Step.GIVE_UP)
    void refusal501OnAddIsALastingUnsupported() throws Exception {
        igd.alwaysFault.put("AddPortMapping", UpnpErrors.ACTION_FAILED);
        probe();
        PortMappingException e = refusal(() -> mapper.map(MappingRequest.of(Transport.UDP, 6025)));
        assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED);
        assertThat(igd.requests("AddPortMapping")).hasSize(1);
    }

    @Test
    @Covers(action = Action.ADD, code = 728, situation = Situation.ANY, step = Step.GIVE_UP)
    void tableFull728IsTransientNoResources() throws Exception {
        igd.alwaysFault.put("AddPortMapping", UpnpErrors.NO_PORT_MAPS_AVAILABLE);
        probe();
        PortMappingException e = refusal(() -> mapper.map(MappingRequest.of(Transport.UDP, 6026)));
        assertThat(e.reason()).isEqualTo(Reason.NO_RESOURCES);
        assertThat(igd.requests("AddPortMapping")).hasSize(1);
    }

    @Test
    void rowsThatGiveUpThrowTheReasonCoreFallsBackOn() {
        for (Recovery.Row r : Recovery.TABLE) {
            if (r.step() == Step.GIVE_UP && r.reason() != null) {
                String action = r.action() == Action.ADD ? "AddPortMapping" : "AddAnyPortMapping";
                assertThat(UpnpErrors.reasonOf(action, r.code())).as(r.why()).isEqualTo(r.reason());
            }
        }
        assertThatThrownBy(() -> {
            throw UpnpErrors.toException("GetExternalIPAddress", 501, "Action Failed", LO);
        }).isInstanceOfSatisfying(PortMappingException.class,
                e -> assertThat(e.reason()).isEqualTo(Reason.PROTOCOL_ERROR));
    }
}
