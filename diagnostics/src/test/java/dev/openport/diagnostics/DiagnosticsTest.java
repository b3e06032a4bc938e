package dev.openport.diagnostics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.openport.core.Gateway;
import dev.openport.core.MappingProtocol;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The conclusion drawn from a gateway's external address and the public address. */
class DiagnosticsTest {

    static GatewayReport gateway(String external) throws Exception {
        return GatewayReport.of(new Gateway(InetAddress.getByName("192.168.1.1"),
                Map.of(MappingProtocol.NAT_PMP, Duration.ofMillis(3)),
                external == null ? null : InetAddress.getByName(external)));
    }

    static PublicAddressResult seen(String address) throws Exception {
        return address == null ? null : new PublicAddressResult(InetAddress.getByName(address),
                PublicAddressQuery.parse("127.0.0.1"), Duration.ofMillis(1));
    }

    @ParameterizedTest(name = "router says {0}, internet sees {1}: {2}")
    @CsvSource(nullValues = "-", value = {
        "203.0.113.1, 203.0.113.1, AGREE",
        "203.0.113.1, 198.51.100.9, DISAGREE",
        "203.0.113.1, -, UNVERIFIED",
        "100.64.0.1, 203.0.113.1, CGNAT",
        "100.64.0.1, -, CGNAT",
        "192.168.0.2, 203.0.113.1, DOUBLE_NAT",
        "10.1.2.3, -, DOUBLE_NAT",
        "0.0.0.0, -, NO_WAN_ADDRESS",
        "127.0.0.1, -, NO_WAN_ADDRESS",
        "-, 203.0.113.1, UNKNOWN"
    })
    void finding(String external, String publicAddress, NatFinding expected) throws Exception {
        DiagnosticReport r = Diagnostics.report(List.of(gateway(external)), seen(publicAddress), null);
        assertThat(r.finding()).isEqualTo(expected);
        assertThat(r.finding().reachablePossible()).isEqualTo(expected == NatFinding.AGREE
                || expected == NatFinding.UNVERIFIED);
        if (expected == NatFinding.CGNAT || expected == NatFinding.DOUBLE_NAT) {
            assertThat(r.finding().advice()).isNotBlank();
        }
    }

    @Test
    void cgnatAdviceNamesPcpAndTheIspAndDoubleNatAdviceNamesBridgeMode() {
        assertThat(NatFinding.CGNAT.advice()).contains("PCP").contains("ISP");
        assertThat(NatFinding.DOUBLE_NAT.advice()).contains("bridge mode");
        assertThat(NatFinding.AGREE.advice()).isNull();
    }

    @Test
    void theFirstGatewayWithAnExternalAddressDecides() throws Exception {
        DiagnosticReport r = Diagnostics.report(List.of(gateway(null), gateway("100.100.0.1"),
                gateway("203.0.113.1")), seen("203.0.113.1"), null);
        assertThat(r.finding()).isEqualTo(NatFinding.CGNAT);
        assertThat(r.primary().orElseThrow().gateway().externalAddress().getHostAddress())
                .isEqualTo("100.100.0.1");
        assertThat(r.agrees()).contains(false);
    }

    @Test
    void agreesIsEmptyWithoutAPublicAddress() throws Exception {
        DiagnosticReport r = Diagnostics.report(List.of(gateway("203.0.113.1")), null, "timeout");
        assertThat(r.agrees()).isEmpty();
        assertThat(r.publicAddressError()).isEqualTo("timeout");
    }
}
