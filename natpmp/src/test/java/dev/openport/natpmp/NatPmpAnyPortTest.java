package dev.openport.natpmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.openport.core.MappingRequest;
import dev.openport.core.PortMapping;
import dev.openport.core.PortMappingException;
import dev.openport.core.PortMappingException.Reason;
import dev.openport.core.Transport;
import dev.openport.core.spi.ProbeContext;
import dev.openport.core.spi.ProtocolState;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code MappingRequest.anyPort} over NAT-PMP: VPN-style gateways and RFC gateways both end in P -> P. */
class NatPmpAnyPortTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");
    private static final MappingRequest ANY_UDP = MappingRequest.anyPort(Transport.UDP)
            .withLifetime(Duration.ofSeconds(60));

    private FakeNatPmpGateway gw;
    private NatPmpPortMapper mapper;

    @BeforeEach
    void start() throws Exception {
        gw = new FakeNatPmpGateway();
        mapper = new NatPmpPortMapper(new ProbeContext(LOOPBACK, LOOPBACK, Duration.ofSeconds(2), gw.port(), null,
                false), null, Clock.fixed(NOW, ZoneOffset.UTC));
    }

    @AfterEach
    void stop() {
        mapper.close();
        gw.close();
    }

    private List<NatPmpRequest.Map> mapRequests() throws PortMappingException {
        return gw.requests().stream().map(r -> {
            try {
                return r.decoded();
            } catch (PortMappingException e) {
                throw new AssertionError(e);
            }
        }).filter(NatPmpRequest.Map.class::isInstance).map(NatPmpRequest.Map.class::cast).toList();
    }

    @Test
    void vpnGatewayAnsweringInternalPortZeroGrantsPToP() throws Exception {
        gw.grantPort(38534).maxLifetime(60).internalPortField((asked, granted) -> 0);
        PortMapping m = mapper.map(ANY_UDP);
        assertThat(m.externalPort()).isEqualTo(38534);
        assertThat(m.internalPort()).isEqualTo(38534);
        assertThat(m.lifetime()).isEqualTo(Duration.ofSeconds(60));
        List<NatPmpRequest.Map> sent = mapRequests();
        assertThat(sent).hasSize(1); // taken at once: no second round
        assertThat(sent.get(0).internalPort()).isBetween(49152, 65535); // never 0 on the wire (RFC 6886 §3.3)
        assertThat(sent.get(0).suggestedExternalPort()).isEqualTo(sent.get(0).internalPort());
    }

    @Test
    void vpnGatewayAnsweringTheGrantedPortIsTakenToo() throws Exception {
        gw.grantPort(41000).internalPortField((asked, granted) -> granted);
        PortMapping m = mapper.map(ANY_UDP);
        assertThat(m.internalPort()).isEqualTo(41000);
        assertThat(mapRequests()).hasSize(1);
    }

    @Test
    void rfcGatewayGrantingAnotherPortIsAskedAgainForTheSamePort() throws Exception {
        // an RFC gateway echoes our internal port W: 40123 -> W is no use, so ask for 40123 -> 40123
        gw.grantPort(40123);
        PortMapping m = mapper.map(ANY_UDP);
        assertThat(m.externalPort()).isEqualTo(40123);
        assertThat(m.internalPort()).isEqualTo(40123);
        List<NatPmpRequest.Map> sent = mapRequests();
        int first = sent.get(0).internalPort();
        assertThat(sent).extracting(NatPmpRequest.Map::internalPort, NatPmpRequest.Map::lifetimeSeconds)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(first, 60L),
                        org.assertj.core.groups.Tuple.tuple(first, 0L), // the unwanted 40123 -> W deleted
                        org.assertj.core.groups.Tuple.tuple(40123, 60L));
        assertThat(gw.mapped(Transport.UDP, first)).isNull();
        assertThat(gw.mapped(Transport.UDP, 40123)).isEqualTo(40123);
    }

    @Test
    void aSuggestedPortIsSentAsBothPorts() throws Exception {
        PortMapping m = mapper.map(ANY_UDP.withExternalPort(6881));
        assertThat(m.internalPort()).isEqualTo(6881);
        assertThat(mapRequests().get(0)).isEqualTo(new NatPmpRequest.Map(Transport.UDP, 6881, 6881, 60));
    }

    @Test
    void aGatewayThatNeverForwardsToTheSamePortIsAConflictAndLeavesNothingBehind() {
        gw.grantPort(40123).internalPortField((asked, granted) -> asked == 40123 ? 40124 : asked);
        gw.script((req, peer) -> {
            // echo every internal port, and always grant one more than asked
            NatPmpRequest.Map q = (NatPmpRequest.Map) req.decoded();
            gw.grantPort(q.isDelete() ? null : q.internalPort() + 1);
            gw.internalPortField((asked, granted) -> asked);
            peer.answer();
        });
        assertThatThrownBy(() -> mapper.map(ANY_UDP)).isInstanceOfSatisfying(PortMappingException.class, e -> {
            assertThat(e.reason()).isEqualTo(Reason.CONFLICT);
            assertThat(e.getMessage()).contains("never to the same port");
        });
        assertThat(gw.mappedCount()).isZero();
    }

    @Test
    void renewalSendsTheSameWireInternalPortAndReturnsAReassignedPort() throws Exception {
        gw.grantPort(38534).internalPortField((asked, granted) -> 0);
        PortMapping m = mapper.map(ANY_UDP);
        int wire = mapRequests().get(0).internalPort();
        gw.grantPort(45001); // the VPN server reassigned the port
        PortMapping renewed = mapper.renew(m);
        assertThat(renewed.externalPort()).isEqualTo(45001);
        assertThat(renewed.internalPort()).isEqualTo(45001); // a CHANGED mapping, not an error
        assertThat(mapRequests().get(1)).isEqualTo(new NatPmpRequest.Map(Transport.UDP, wire, 38534, 60));
        mapper.unmap(renewed);
        assertThat(mapRequests().get(2)).isEqualTo(NatPmpRequest.Map.delete(Transport.UDP, wire));
    }

    @Test
    void aFixedInternalPortStillWorksWithAVpnStyleAnswer() throws Exception {
        gw.internalPortField((asked, granted) -> 0);
        PortMapping m = mapper.map(MappingRequest.of(Transport.TCP, 25565));
        assertThat(m.externalPort()).isEqualTo(25565);
        assertThat(m.internalPort()).isEqualTo(25565);
        assertThat(m.protocolState().text()).isEmpty();
    }

    @Test
    void aPermanentRequestIsRefusedBeforeAnythingIsSent() {
        assertThatThrownBy(() -> mapper.map(MappingRequest.of(Transport.UDP, 27015).withLifetime(Duration.ZERO)))
                .isInstanceOfSatisfying(PortMappingException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED));
        assertThat(gw.requests()).isEmpty();
    }
}
