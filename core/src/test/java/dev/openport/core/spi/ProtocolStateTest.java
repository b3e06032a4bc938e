package dev.openport.core.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.openport.core.MappingProtocol;
import dev.openport.core.MappingRequest;
import dev.openport.core.PortMapping;
import dev.openport.core.Transport;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ProtocolStateTest {

    @Test
    void emptyAndNullAreNone() {
        assertThat(ProtocolState.of("")).isSameAs(ProtocolState.NONE);
        assertThat(ProtocolState.of(null)).isSameAs(ProtocolState.NONE);
        assertThat(ProtocolState.NONE.isEmpty()).isTrue();
        assertThat(ProtocolState.of("00112233445566778899aabb").text()).isEqualTo("00112233445566778899aabb");
    }

    @Test
    void aStateLongerThanTheBoundIsRefused() {
        // a state file read back from disk is input too: its state must not make us hold an unbounded string
        String max = "a".repeat(ProtocolState.MAX_LENGTH);
        assertThat(ProtocolState.of(max).text()).hasSize(ProtocolState.MAX_LENGTH);
        assertThatThrownBy(() -> ProtocolState.of(max + "a")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ProtocolState(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void aMappingWithoutStateHoldsNoneAndRenewalsKeepTheState() throws Exception {
        InetAddress lan = InetAddress.getByName("192.0.2.10");
        InetAddress gw = InetAddress.getByName("192.0.2.1");
        PortMapping none = new PortMapping(MappingRequest.of(Transport.TCP, 25565), lan, null, 25565,
                Duration.ofHours(1), Instant.EPOCH.plusSeconds(3600), MappingProtocol.PCP, gw, null);
        assertThat(none.protocolState()).isSameAs(ProtocolState.NONE);

        PortMapping made = new PortMapping(MappingRequest.of(Transport.TCP, 25565), lan, null, 25565,
                Duration.ofHours(1), Instant.EPOCH.plusSeconds(3600), MappingProtocol.PCP, gw,
                ProtocolState.of("00112233445566778899aabb"));
        assertThat(made.withLease(Duration.ofHours(2), Instant.EPOCH.plusSeconds(7200)).protocolState())
                .isEqualTo(made.protocolState());
    }
}
