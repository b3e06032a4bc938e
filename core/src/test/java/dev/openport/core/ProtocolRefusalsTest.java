package dev.openport.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Which refusals switch protocol, and for how long they are remembered. */
class ProtocolRefusalsTest {
    private final long[] now = {0};
    private final ProtocolRefusals refusals = new ProtocolRefusals(() -> now[0]);
    private final DiscoveryOptions opts = DiscoveryOptions.defaults();

    private static PortMappingException refusal(PortMappingException.Reason r) {
        return new PortMappingException(r, "refused", MappingProtocol.PCP, InetAddress.getLoopbackAddress(), 2, null);
    }

    @Test
    void onlyNotAuthorizedAndUnsupportedAreLasting() {
        for (PortMappingException.Reason r : PortMappingException.Reason.values()) {
            boolean lasting = r == PortMappingException.Reason.NOT_AUTHORIZED
                    || r == PortMappingException.Reason.UNSUPPORTED;
            assertThat(ProtocolRefusals.isLasting(refusal(r))).as(r.name()).isEqualTo(lasting);
        }
    }

    @Test
    void aRefusalKeepsTheProtocolOutForThirtyMinutesOnThatGatewayOnly() throws Exception {
        InetAddress gw = InetAddress.getByName("192.0.2.1");
        InetAddress other = InetAddress.getByName("192.0.2.2");
        refusals.refused(opts, gw, MappingProtocol.PCP, refusal(PortMappingException.Reason.NOT_AUTHORIZED));
        assertThat(refusals.refusing(opts, gw)).containsExactly(MappingProtocol.PCP);
        assertThat(refusals.refusing(opts, other)).isEmpty();
        assertThat(refusals.answers(opts, gw)).hasSize(1);
        now[0] += TimeUnit.MINUTES.toNanos(30) - 1;
        assertThat(refusals.refusing(opts, gw)).containsExactly(MappingProtocol.PCP);
        now[0] += 1;
        assertThat(refusals.refusing(opts, gw)).isEmpty();
        assertThat(refusals.answers(opts, gw)).isEmpty();
    }

    @Test
    void anotherServerPortOnTheSameAddressIsAnotherServer() throws Exception {
        InetAddress gw = InetAddress.getLoopbackAddress();
        DiscoveryOptions one = DiscoveryOptions.builder().serverPort(MappingProtocol.PCP, 15351).build();
        DiscoveryOptions two = DiscoveryOptions.builder().serverPort(MappingProtocol.PCP, 15352).build();
        refusals.refused(one, gw, MappingProtocol.PCP, refusal(PortMappingException.Reason.NOT_AUTHORIZED));
        assertThat(refusals.refusing(one, gw)).containsExactly(MappingProtocol.PCP);
        assertThat(refusals.refusing(two, gw)).isEmpty();
    }

    @Test
    void aGrantForgetsTheRefusal() throws Exception {
        InetAddress gw = InetAddress.getByName("192.0.2.1");
        refusals.refused(opts, gw, MappingProtocol.NAT_PMP, refusal(PortMappingException.Reason.UNSUPPORTED));
        refusals.granted(opts, gw, MappingProtocol.NAT_PMP);
        assertThat(refusals.refusing(opts, gw)).isEmpty();
    }
}
