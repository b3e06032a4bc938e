package dev.openport.upnp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.openport.core.MappingRequest;
import dev.openport.core.PortMapping;
import dev.openport.core.PortMappingException;
import dev.openport.core.PortMappingException.Reason;
import dev.openport.core.Transport;
import dev.openport.upnp.Recovery.Action;
import dev.openport.upnp.Recovery.Situation;
import dev.openport.upnp.Recovery.Step;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The AddAnyPortMapping rows of {@link Recovery}'s table (IGD2 only: the gateway chooses the port), one test per
 * row, as in {@link RecoveryTableTest}, which checks that every row has its test.
 */
class RecoveryTableAddAnyTest extends RecoveryRowTest {
    @BeforeEach
    void igd2() {
        igd.igd2 = true;
    }

    /** The refusal of a request that lets the gateway choose the external port (AddAnyPortMapping on IGD2). */
    private PortMappingException refusalOfAnyPort(Transport transport, int internalPort) {
        return refusal(() -> mapper.map(MappingRequest.of(transport, internalPort).withExternalPort(0)));
    }

    @Test
    @Covers(action = Action.ADD_ANY, code = 401, situation = Situation.ANY, step = Step.ADD_PORT_MAPPING)
    void quirk401ForAddAnyOnAnIgd2FallsBackToAddPortMapping() throws Exception {
        probe();
        igd.answerNext("AddAnyPortMapping", Fixtures.bytes("miniupnpd-lab/igd2/unknown-action-401.http"));
        PortMapping m = mapper.map(MappingRequest.of(Transport.UDP, 6027).withExternalPort(0));
        assertThat(m.externalPort()).isEqualTo(6027);
        assertThat(igd.actions()).containsExactly("AddAnyPortMapping", "AddPortMapping");
    }

    @Test
    @Covers(action = Action.ADD_ANY, code = 725, situation = Situation.FINITE_LEASE, step = Step.GO_PERMANENT)
    void quirk725FromAddAnyGoesPermanent() throws Exception {
        igd.only725Permanent = true;
        probe();
        PortMapping m = mapper.map(MappingRequest.of(Transport.TCP, 6028).withExternalPort(0));
        assertThat(m.isPermanent()).isTrue();
        assertThat(igd.requests("AddAnyPortMapping")).extracting(r -> r.args().get("NewLeaseDuration"))
                .containsExactly("7200", "0");
    }

    @Test
    @Covers(action = Action.ADD_ANY, code = 402, situation = Situation.LEASE_ABOVE_SCPD_MAXIMUM,
            step = Step.CLAMP_LEASE)
    void quirk402FromAddAnyForALeaseAboveTheScpdMaximumClampsIt() throws Exception {
        igd.leaseMax = 600;
        probe();
        PortMapping m = mapper.map(MappingRequest.of(Transport.TCP, 6029).withExternalPort(0));
        assertThat(m.lifetime()).isEqualTo(Duration.ofMinutes(10));
        assertThat(igd.table.get("6029/TCP").lease()).isEqualTo(600);
    }

    @Test
    @Covers(action = Action.ADD_ANY, code = 402, situation = Situation.FINITE_LEASE, step = Step.GO_PERMANENT)
    void quirk402FromAddAnyForAFiniteLeaseGoesPermanent() throws Exception {
        igd.invalidArgsOnLease = true;
        probe();
        PortMapping m = mapper.map(MappingRequest.of(Transport.UDP, 6030).withExternalPort(0));
        assertThat(m.isPermanent()).isTrue();
        assertThat(mapper.permanentOnly()).isTrue();
    }

    @Test
    @Covers(action = Action.ADD_ANY, code = 606, situation = Situation.ANY, step = Step.GIVE_UP)
    void refusal606FromAddAnyIsALastingNotAuthorized() throws Exception {
        probe();
        igd.answerNext("AddAnyPortMapping", Fixtures.bytes("miniupnpd-lab/igd2/addportmapping-606-port-below-1024.http"));
        PortMappingException e = refusalOfAnyPort(Transport.TCP, 6031);
        assertThat(e.reason()).isEqualTo(Reason.NOT_AUTHORIZED);
    }

    @Test
    @Covers(action = Action.ADD_ANY, code = 501, situation = Situation.ANY, step = Step.GIVE_UP)
    void refusal501FromAddAnyIsALastingUnsupported() throws Exception {
        igd.alwaysFault.put("AddAnyPortMapping", UpnpErrors.ACTION_FAILED);
        probe();
        PortMappingException e = refusalOfAnyPort(Transport.TCP, 6032);
        assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED);
        assertThat(igd.actions()).containsExactly("AddAnyPortMapping");
    }

    @Test
    @Covers(action = Action.ADD_ANY, code = 728, situation = Situation.ANY, step = Step.GIVE_UP)
    void noFreePort728FromAddAnyIsTransientNoResources() throws Exception {
        igd.alwaysFault.put("AddAnyPortMapping", UpnpErrors.NO_PORT_MAPS_AVAILABLE);
        probe();
        PortMappingException e = refusalOfAnyPort(Transport.TCP, 6033);
        assertThat(e.reason()).isEqualTo(Reason.NO_RESOURCES);
    }
}
