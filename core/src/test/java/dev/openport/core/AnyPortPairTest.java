package dev.openport.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code any/both}: the gateway picks the port for TCP, and UDP asks for that same port, so a service that listens
 * on one port for both transports is reachable on both (VPN gateways grant one port for both: docs/quirks.md).
 */
class AnyPortPairTest {
    private final FakeGateway gw = FakeGateway.loopback();
    private final DiscoveryOptions discovery = Loopback.discovery(gw.address, Duration.ofSeconds(2));
    private final MapOptions options = MapOptions.builder().discovery(discovery).cleanupOnExit(false)
            .checkInterval(Duration.ofHours(1)).verifyInterval(Duration.ZERO).build();

    @Test
    void udpAsksForThePortTheGatewayGaveTcp() throws Exception {
        // another client holds TCP 40000, the port this gateway hands out first: TCP is granted 40001, while
        // UDP 40000 is free, so a UDP request that did not follow TCP would end on another port than TCP
        MappingRequest other = MappingRequest.of(Transport.TCP, 1234).withExternalPort(40000);
        gw.grant(new FakeGateway.FakeMapper(gw, MappingProtocol.NAT_PMP), other, 40000);
        LeaseManager mgr = new LeaseManager(new FakeScheduler(), gw.providers(), () -> 0, false);

        try (ManagedMapping m = mgr.map(MappingRequest.FOLLOW_EXTERNAL_PORT, options,
                List.of(Transport.TCP, Transport.UDP))) {
            PortMapping tcp = m.mapping(Transport.TCP);
            PortMapping udp = m.mapping(Transport.UDP);
            assertThat(tcp.externalPort()).isEqualTo(40001);
            assertThat(udp.externalPort()).as("UDP follows the port TCP was granted").isEqualTo(40001);
            assertThat(udp.internalPort()).isEqualTo(40001);
        }
        assertThat(gw.table()).extracting(PortMapping::externalPort).containsExactly(40000);
    }

    @Test
    void aSingleAnyPortMappingTakesWhatTheGatewayChooses() throws Exception {
        LeaseManager mgr = new LeaseManager(new FakeScheduler(), gw.providers(), () -> 0, false);
        try (ManagedMapping m = mgr.map(MappingRequest.FOLLOW_EXTERNAL_PORT, options, List.of(Transport.UDP))) {
            assertThat(m.mapping(Transport.UDP).externalPort()).isEqualTo(40000);
            assertThat(m.mapping(Transport.UDP).internalPort()).isEqualTo(40000);
        }
        assertThat(gw.table()).isEmpty();
    }
}
