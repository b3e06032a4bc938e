package dev.openport.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.openport.core.MappingProtocol;
import dev.openport.core.PortMappingException;
import dev.openport.core.PortMappingException.Reason;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Hints come from the exception's structure: these messages carry no text a hint could be searched for. */
class HintsTest {
    private static final InetAddress GW = InetAddress.getLoopbackAddress();

    @Test
    void aGatewayLessTunnelRouteNamesTheGatewayOption() {
        PortMappingException e = new PortMappingException(Reason.GATEWAY_NOT_FOUND, "x", null, null,
                new PortMappingException.GatewayNeeded("wg0"), List.of(), null);
        assertThat(Hints.explain(e, 0)).isEqualTo("the default route (dev wg0) has no gateway address, as on a"
                + " VPN tunnel: name the gateway with --gateway ADDRESS");
    }

    @Test
    void aProbeOfSeveralProtocolsIsSummedUpWithoutVerbosityAndShownWholeWithIt() {
        PortMappingException pcp = new PortMappingException(Reason.TIMEOUT, "pcp detail", MappingProtocol.PCP, GW,
                null, List.of(), null);
        PortMappingException upnp = new PortMappingException(Reason.UNSUPPORTED, "upnp detail", MappingProtocol.UPNP,
                GW, null, List.of(), null);
        PortMappingException e = new PortMappingException(Reason.GATEWAY_NOT_FOUND, "probe detail", null, GW, null,
                List.of(upnp, pcp), null);
        assertThat(Hints.explain(e, 0)).isEqualTo("no gateway answered on 127.0.0.1 (tried PCP, UPnP) — is"
                + " UPnP/NAT-PMP enabled on your router?");
        assertThat(Hints.explain(e, 1)).contains("probe detail").doesNotContain("enabled on your router");
    }

    @Test
    void aRefusalForAnotherHostSaysSoOnce() {
        PortMappingException refused = new PortMappingException(Reason.NOT_AUTHORIZED, "refused", MappingProtocol.UPNP,
                GW, 606, null);
        String line = Hints.explain(new Hints.ForOtherHost(refused), 0);
        assertThat(line).contains(Hints.OTHER_HOST).doesNotContain("1024-65535");
        assertThat(line.indexOf(Hints.OTHER_HOST)).isEqualTo(line.lastIndexOf(Hints.OTHER_HOST));
    }

    @Test
    void aMissingProtocolModuleIsNotBlamedOnTheRouter() {
        PortMappingException e = new PortMappingException(Reason.GATEWAY_NOT_FOUND, "add the artifact", null, GW,
                new PortMappingException.NoProtocolModule("dev.openport:openport"), List.of(), null);
        assertThat(Hints.explain(e, 0)).contains("add the artifact").doesNotContain("router");
    }

    @Test
    void otherReasonsGetTheirHint() {
        PortMappingException e = new PortMappingException(Reason.CONFLICT, "taken", MappingProtocol.UPNP, GW, 718,
                null);
        assertThat(Hints.explain(e, 0)).endsWith("the external port is taken: try another with --external-port");
    }
}
