package dev.openport.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class MapOptionsTest {
    @Test
    void defaultsAskForTheSamePortATwoHourLeaseAndCleanUp() {
        MapOptions o = MapOptions.defaults();
        MappingRequest r = o.request(Transport.UDP, 27015);
        assertThat(r.externalPort()).isEqualTo(27015);
        assertThat(r.exactExternalPort()).isFalse();
        assertThat(r.lifetime()).isEqualTo(Duration.ofHours(2));
        assertThat(o.cleanupOnExit()).isTrue();
        assertThat(o.checkInterval()).isEqualTo(MapOptions.DEFAULT_CHECK_INTERVAL);
    }

    @Test
    void externalPortAndProtocolChoice() {
        MapOptions o = MapOptions.builder().externalPort(443).exactExternalPort(true)
                .protocols(MappingProtocol.UPNP).description("web").build();
        MappingRequest r = o.request(Transport.TCP, 8443);
        assertThat(r.externalPort()).isEqualTo(443);
        assertThat(r.exactExternalPort()).isTrue();
        assertThat(r.description()).isEqualTo("web");
        assertThat(o.discovery().protocols()).containsExactly(MappingProtocol.UPNP);
    }

    @Test
    void badValuesFailAtBuildTime() {
        assertThatThrownBy(() -> MapOptions.builder().lifetime(Duration.ofDays(8)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("7 days");
        assertThatThrownBy(() -> MapOptions.builder().checkInterval(Duration.ofMillis(10)).build())
                .hasMessageContaining("500 ms");
        assertThatThrownBy(() -> MapOptions.builder().externalPort(70000).build())
                .hasMessageContaining("0-65535");
        assertThatThrownBy(() -> MapOptions.builder().description("x".repeat(300)).build())
                .hasMessageContaining("256");
    }

    @Test
    void transportsAreDedupedInOrder() {
        assertThat(OpenPort.transports(Transport.UDP, Transport.TCP, Transport.UDP))
                .isEqualTo(List.of(Transport.UDP, Transport.TCP));
        assertThatThrownBy(() -> OpenPort.transports(null)).isInstanceOf(NullPointerException.class);
    }
}
