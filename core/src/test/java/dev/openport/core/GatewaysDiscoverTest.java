package dev.openport.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.openport.core.spi.PortMapperProvider;
import dev.openport.core.spi.ProbeContext;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GatewaysDiscoverTest {
    private final FakeGateway lan = new FakeGateway("127.0.0.1", "203.0.113.1");
    private final FakeGateway vpn = new FakeGateway("127.0.0.2", "198.51.100.9");
    private final DiscoveryOptions options = DiscoveryOptions.builder().multicast(false)
            .localAddress(InetAddress.getLoopbackAddress()).timeout(Duration.ofMillis(500)).build();

    /** Providers that ask whichever fake gateway the probe context names. */
    private List<PortMapperProvider> providers() {
        Map<InetAddress, FakeGateway> byAddress = Map.of(lan.address, lan, vpn.address, vpn);
        List<PortMapperProvider> out = new ArrayList<>();
        for (MappingProtocol p : MappingProtocol.values()) {
            out.add(new PortMapperProvider() {
                @Override
                public MappingProtocol protocol() {
                    return p;
                }

                @Override
                public PortMapper probe(ProbeContext c) throws PortMappingException {
                    return byAddress.get(c.gateway()).provider(p, Duration.ofMillis(10)).probe(c);
                }
            });
        }
        return out;
    }

    @Test
    void everyGatewayIsProbedAtOnceAndReportedInRouteOrder() throws Exception {
        vpn.answer(MappingProtocol.PCP, false);
        vpn.answer(MappingProtocol.UPNP, false);
        List<Gateways.GatewayTarget> targets = List.of(
                new Gateways.GatewayTarget(lan.address, InetAddress.getLoopbackAddress()),
                new Gateways.GatewayTarget(vpn.address, InetAddress.getLoopbackAddress()));
        List<Gateway> found = Gateways.discover(options, providers(), targets);
        assertThat(found).extracting(g -> g.address().getHostAddress()).containsExactly("127.0.0.1", "127.0.0.2");
        assertThat(found.get(0).protocols().keySet()).containsExactlyInAnyOrder(MappingProtocol.values());
        assertThat(found.get(1).protocols().keySet()).containsExactly(MappingProtocol.NAT_PMP);
        assertThat(found.get(1).externalAddress().getHostAddress()).isEqualTo("198.51.100.9");
        assertThat(Threads.await(Duration.ofSeconds(5), () -> Threads.named("openport-probe").isEmpty())).isTrue();
    }

    @Test
    void aSilentGatewayIsListedWithNothingItSpeaks() throws Exception {
        for (MappingProtocol p : MappingProtocol.values()) {
            lan.answer(p, false);
        }
        List<Gateway> found = Gateways.discover(options, providers(),
                List.of(new Gateways.GatewayTarget(lan.address, InetAddress.getLoopbackAddress())));
        assertThat(found).singleElement().satisfies(g -> assertThat(g.protocols()).isEmpty());
    }

    @Test
    void noGatewayAtAll() {
        assertThatThrownBy(() -> Gateways.discover(options, providers(), List.of()))
                .isInstanceOf(PortMappingException.class).hasMessageContaining("no default gateway");
    }

    @Test
    void aNamedGatewayIsTheOnlyCandidate() throws Exception {
        assertThat(Gateways.candidates(options.toBuilder().gateway(vpn.address).build()))
                .extracting(t -> t.gateway().getHostAddress()).containsExactly("127.0.0.2");
    }
}
