package dev.openport.natpmp;

import static dev.openport.natpmp.Hex.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.openport.core.MappingProtocol;
import dev.openport.core.PortMapper;
import dev.openport.core.PortMappingException;
import dev.openport.core.PortMappingException.Reason;
import dev.openport.core.spi.PortMapperProvider;
import dev.openport.core.spi.ProbeContext;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class NatPmpProviderTest extends LoopbackNatPmpGatewayTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private ProbeContext context(Duration timeout) {
        return new ProbeContext(LOOPBACK, LOOPBACK, timeout, gw.port(), null, false);
    }

    @Test
    void registeredWithServiceLoader() {
        assertThat(ServiceLoader.load(PortMapperProvider.class).stream().map(ServiceLoader.Provider::type))
                .contains(NatPmpProvider.class);
        assertThat(new NatPmpProvider().protocol()).isEqualTo(MappingProtocol.NAT_PMP);
    }

    @Test
    void probeIsOneExternalAddressExchange() throws Exception {
        try (PortMapper m = new NatPmpProvider().probe(context(Duration.ofSeconds(2)))) {
            assertThat(m.protocol()).isEqualTo(MappingProtocol.NAT_PMP);
            assertThat(m.gateway()).isEqualTo(LOOPBACK);
            assertThat(gw.requests()).hasSize(1);
            assertThat(gw.requests().get(0).bytes()).isEqualTo(bytes("0000"));
        }
    }

    @Test
    void openSendsNothing() throws Exception {
        try (PortMapper m = new NatPmpProvider().open(context(Duration.ofSeconds(2)))) {
            assertThat(m).isInstanceOf(NatPmpPortMapper.class);
        }
        assertThat(gw.requests()).isEmpty();
    }

    @Test
    void unsupportedVersionAnswerIsUnsupported() {
        gw.resultCode(1);
        assertThatThrownBy(() -> new NatPmpProvider().probe(context(Duration.ofSeconds(2))))
                .isInstanceOfSatisfying(PortMappingException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED));
    }

    @Test
    void pcpOnlyGatewayIsUnsupported() {
        gw.script((req, peer) -> peer.send(bytes("02800001 00000000 00000007 000000000000000000000000")));
        assertThatThrownBy(() -> new NatPmpProvider().probe(context(Duration.ofSeconds(2))))
                .isInstanceOfSatisfying(PortMappingException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED));
    }

    @Test
    void silentGatewayTimesOutWithinTheProbeDeadline() {
        gw.dropFirst(Integer.MAX_VALUE);
        long start = System.nanoTime();
        assertThatThrownBy(() -> new NatPmpProvider().probe(context(Duration.ofMillis(400))))
                .isInstanceOfSatisfying(PortMappingException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.TIMEOUT));
        assertThat((System.nanoTime() - start) / 1_000_000).isBetween(390L, 1000L);
    }
}
