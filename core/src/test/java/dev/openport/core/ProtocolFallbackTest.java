package dev.openport.core;

import static dev.openport.core.MappingProtocol.NAT_PMP;
import static dev.openport.core.MappingProtocol.PCP;
import static dev.openport.core.MappingProtocol.UPNP;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The half-open router (docs/quirks.md): PCP and NAT-PMP answer the probe and refuse every MAP, UPnP works.
 * One-shot ({@link Gateways#connect}) and managed mappings fall back; transient refusals do not switch.
 */
class ProtocolFallbackTest {
    private final FakeScheduler sched = new FakeScheduler();
    private final FakeGateway gw = FakeGateway.loopback();
    private final LeaseManager mgr = new LeaseManager(sched, gw.providers(), () -> 0, false);
    private final DiscoveryOptions discovery = Loopback.discovery(gw.address);

    @BeforeEach
    void clock() {
        gw.clock = () -> Instant.EPOCH.plusNanos(sched.nanoTime());
    }

    @AfterEach
    void nothingLeftBehind() {
        assertThat(Threads.await(Duration.ofSeconds(5), () -> Threads.named("openport-probe").isEmpty())).isTrue();
    }

    private void halfOpen(PortMappingException.Reason reason, MappingProtocol... refusing) {
        gw.refuse = reason;
        gw.refuseOn = EnumSet.copyOf(List.of(refusing));
    }

    private MapOptions.Builder options() {
        return MapOptions.builder().discovery(discovery).checkInterval(Duration.ofHours(1))
                .verifyInterval(Duration.ZERO);
    }

    private PortMapper connect(ProtocolRefusals refusals) throws PortMappingException {
        return Gateways.connect(discovery, new ProtocolProber(gw.providers(), refusals),
                new Gateways.GatewayTarget(gw.address, InetAddress.getLoopbackAddress()));
    }

    @Test
    void managedMappingOnAHalfOpenRouterEndsUpOnUpnp() throws Exception {
        halfOpen(PortMappingException.Reason.NOT_AUTHORIZED, PCP, NAT_PMP);
        try (ManagedMapping m = mgr.map(25565, options().build(), List.of(Transport.TCP))) {
            assertThat(m.protocol()).isEqualTo(UPNP);
            assertThat(m.state()).isEqualTo(LeaseState.ACTIVE);
            assertThat(gw.table()).extracting(PortMapping::protocol).containsExactly(UPNP);
            assertThat(mgr.refusals().refusing(discovery, gw.address)).containsExactlyInAnyOrder(PCP, NAT_PMP);
            assertThat(m.leases()[0].session.health()).isEqualTo(GatewayHealth.State.FAILED_OVER);
        }
        assertThat(gw.table()).isEmpty();
    }

    @Test
    void theRefusalIsRememberedAcrossProbesAndRetriedAfter30Minutes() throws Exception {
        halfOpen(PortMappingException.Reason.UNSUPPORTED, PCP);
        mgr.map(25565, options().build(), List.of(Transport.TCP)).close();
        gw.log.clear();
        // other options: another session, another probe — PCP is not asked again
        try (ManagedMapping m = mgr.map(27015, options().description("second").build(), List.of(Transport.UDP))) {
            assertThat(m.protocol()).isEqualTo(NAT_PMP);
            assertThat(gw.log).noneMatch(l -> l.startsWith("PCP"));
        }
        sched.advance(Duration.ofMinutes(30));
        assertThat(mgr.refusals().refusing(discovery, gw.address)).isEmpty();
        gw.refuse = null;
        try (ManagedMapping m = mgr.map(27016, options().description("third").build(), List.of(Transport.UDP))) {
            assertThat(m.protocol()).as("tried again after the back-off").isEqualTo(PCP);
        }
    }

    @Test
    void aTransientRefusalDoesNotSwitchProtocol() throws Exception {
        halfOpen(PortMappingException.Reason.NO_RESOURCES, PCP);
        assertThatThrownBy(() -> mgr.map(25565, options().build(), List.of(Transport.TCP)))
                .isInstanceOfSatisfying(PortMappingException.class, e -> {
                    assertThat(e.reason()).isEqualTo(PortMappingException.Reason.NO_RESOURCES);
                    assertThat(e.attempts()).isEmpty();
                });
        assertThat(mgr.refusals().refusing(discovery, gw.address)).isEmpty();
        assertThat(gw.table()).isEmpty();
    }

    @Test
    void whenEveryProtocolRefusesTheErrorListsEachAnswer() throws Exception {
        halfOpen(PortMappingException.Reason.NOT_AUTHORIZED, PCP, NAT_PMP, UPNP);
        assertThatThrownBy(() -> mgr.map(25565, options().build(), List.of(Transport.TCP)))
                .isInstanceOfSatisfying(PortMappingException.class, e -> {
                    assertThat(e.reason()).isEqualTo(PortMappingException.Reason.NOT_AUTHORIZED);
                    assertThat(e.attempts()).extracting(PortMappingException::protocol)
                            .containsExactly(PCP, NAT_PMP, UPNP);
                    assertThat(e.attempts()).allSatisfy(a -> assertThat(a.protocolCode()).hasValue(99));
                });
        assertThat(mgr.liveCount()).isZero();
    }

    @Test
    void aRenewalRefusedForGoodMovesTheManagedMappingToTheNextProtocol() throws Exception {
        gw.maxLifetime = Duration.ofSeconds(600);
        List<MappingChange> changes = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (ManagedMapping m = mgr.map(25565, options().listener(changes::add).build(), List.of(Transport.TCP))) {
            assertThat(m.protocol()).isEqualTo(PCP);
            halfOpen(PortMappingException.Reason.NOT_AUTHORIZED, PCP); // firmware setting changed under us
            sched.advance(Duration.ofSeconds(300));
            sched.runDue();
            assertThat(m.protocol()).isEqualTo(NAT_PMP);
            assertThat(m.state()).isEqualTo(LeaseState.ACTIVE);
            assertThat(changes).extracting(MappingChange::kind).contains(MappingChange.Kind.CHANGED);
        }
    }

    @Test
    void oneShotConnectFallsBackAndRoutesEachMappingToTheProtocolThatMadeIt() throws Exception {
        ProtocolRefusals refusals = new ProtocolRefusals(System::nanoTime);
        try (PortMapper mapper = connect(refusals)) {
            assertThat(mapper.protocol()).isEqualTo(PCP);
            PortMapping first = mapper.map(MappingRequest.of(Transport.UDP, 27015));
            halfOpen(PortMappingException.Reason.NOT_AUTHORIZED, PCP, NAT_PMP);
            PortMapping second = mapper.map(MappingRequest.of(Transport.TCP, 25565));
            assertThat(second.protocol()).isEqualTo(UPNP);
            assertThat(mapper.protocol()).isEqualTo(UPNP);
            gw.refuse = null;
            mapper.unmap(first);
            mapper.unmap(second);
            assertThat(gw.log).contains("PCP unmap UDP 27015", "UPNP unmap TCP 25565");
        }
        try (PortMapper again = connect(refusals)) {
            assertThat(again.protocol()).as("remembered for the process").isEqualTo(UPNP);
        }
    }

    @Test
    void oneShotConnectListsEveryAnswerWhenAllRefuse() throws Exception {
        halfOpen(PortMappingException.Reason.NOT_AUTHORIZED, PCP, NAT_PMP, UPNP);
        try (PortMapper mapper = connect(new ProtocolRefusals(System::nanoTime))) {
            assertThatThrownBy(() -> mapper.map(MappingRequest.of(Transport.TCP, 25565)))
                    .isInstanceOfSatisfying(PortMappingException.class, e -> {
                        assertThat(e.attempts()).extracting(PortMappingException::protocol)
                                .containsExactly(PCP, NAT_PMP, UPNP);
                        assertThat(e.getMessage()).contains("PCP: ", "NAT-PMP: ", "UPnP: ");
                    });
        }
    }

    @Test
    void oneShotNeverSendsAPermanentLeaseToNatPmpOrPcp() throws Exception {
        try (PortMapper mapper = connect(new ProtocolRefusals(System::nanoTime))) {
            assertThatThrownBy(() -> mapper.map(MappingRequest.of(Transport.TCP, 25565).withLifetime(Duration.ZERO)))
                    .isInstanceOfSatisfying(PortMappingException.class, e -> assertThat(e.reason())
                            .isEqualTo(PortMappingException.Reason.UNSUPPORTED));
            assertThat(gw.attempts).hasValue(0);
        }
    }
}
