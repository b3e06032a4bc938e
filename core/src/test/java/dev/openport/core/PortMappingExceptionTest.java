package dev.openport.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.openport.core.PortMappingException.Reason;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The structured failure beside the reason. */
class PortMappingExceptionTest {
    private static final InetAddress GW = InetAddress.getLoopbackAddress();

    @Test
    void aProtocolCodeIsARefusal() {
        PortMappingException e = new PortMappingException(Reason.NOT_AUTHORIZED, "refused", MappingProtocol.NAT_PMP,
                GW, 2, null);
        assertThat(e.failure()).contains(new PortMappingException.Refused(2));
        assertThat(e.protocolCode()).hasValue(2);
        assertThat(e.getMessage()).isEqualTo("refused (NAT-PMP gateway 127.0.0.1, code 2)");
        assertThat(e.attempts()).isEmpty();
    }

    @Test
    void withoutACodeThereIsNoFailureUnlessGiven() {
        assertThat(new PortMappingException(Reason.TIMEOUT, "x").failure()).isEmpty();
        PortMappingException e = new PortMappingException(Reason.TIMEOUT, "no answer", MappingProtocol.PCP, GW,
                new PortMappingException.NoAnswer(9, Duration.ofMillis(63_750)), null, null);
        assertThat(e.failure()).contains(new PortMappingException.NoAnswer(9, Duration.ofMillis(63_750)));
        assertThat(e.protocolCode()).isEmpty();
        assertThat(e.getMessage()).isEqualTo("no answer (PCP gateway 127.0.0.1)");
    }

    @Test
    void attemptsAreACopyInOrder() {
        List<PortMappingException> list = new ArrayList<>(List.of(
                new PortMappingException(Reason.UNSUPPORTED, "a", MappingProtocol.PCP, GW,
                        new PortMappingException.Unreachable(5351), null, null),
                new PortMappingException(Reason.TIMEOUT, "b", MappingProtocol.UPNP, GW, null, null)));
        PortMappingException e = new PortMappingException(Reason.GATEWAY_NOT_FOUND, "none", null, GW, null, list,
                null);
        list.clear();
        assertThat(e.attempts()).extracting(PortMappingException::protocol)
                .containsExactly(MappingProtocol.PCP, MappingProtocol.UPNP);
        assertThat(e.attempts().get(0).failure()).contains(new PortMappingException.Unreachable(5351));
    }
}
