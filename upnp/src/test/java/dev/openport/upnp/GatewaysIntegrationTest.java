package dev.openport.upnp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.openport.core.DiscoveryOptions;
import dev.openport.core.Gateway;
import dev.openport.core.Gateways;
import dev.openport.core.MappingProtocol;
import dev.openport.core.MappingRequest;
import dev.openport.core.PortMapper;
import dev.openport.core.PortMapping;
import dev.openport.core.Transport;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The module as core sees it through the SPI (what {@code openport map --protocol upnp} and {@code list} use). */
class GatewaysIntegrationTest {
    private FakeIgd igd;

    @BeforeEach
    void start() throws Exception {
        Discovery.forget(FakeIgd.LOOPBACK);
        igd = new FakeIgd();
    }

    @AfterEach
    void stop() {
        igd.close();
        Discovery.forget(FakeIgd.LOOPBACK);
    }

    private DiscoveryOptions options() {
        return DiscoveryOptions.builder().gateway(FakeIgd.LOOPBACK).localAddress(FakeIgd.LOOPBACK)
                .protocols(MappingProtocol.UPNP).serverPort(MappingProtocol.UPNP, igd.ssdpPort())
                .multicast(false).timeout(Duration.ofSeconds(2)).build();
    }

    @Test
    void connectMapListUnmapThroughCore() throws Exception {
        try (PortMapper m = Gateways.connect(options())) {
            assertThat(m.protocol()).isEqualTo(MappingProtocol.UPNP);
            PortMapping p = m.map(MappingRequest.of(Transport.TCP, 25565));
            assertThat(p.protocol()).isEqualTo(MappingProtocol.UPNP);
            assertThat(p.gateway()).isEqualTo(FakeIgd.LOOPBACK);
            List<PortMapping> list = m.list();
            assertThat(list).extracting(PortMapping::externalPort).containsExactly(25565);
            m.unmap(p);
            assertThat(m.list()).isEmpty();
        }
    }

    @Test
    void discoverReportsUpnpAndTheExternalAddress() throws Exception {
        List<Gateway> gws = Gateways.discover(options());
        assertThat(gws).hasSize(1);
        assertThat(gws.get(0).speaks(MappingProtocol.UPNP)).isTrue();
        assertThat(gws.get(0).externalAddress().getHostAddress()).isEqualTo("203.0.113.1");
    }
}
