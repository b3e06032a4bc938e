package dev.openport.upnp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.openport.core.PortMappingException;
import dev.openport.core.PortMappingException.Reason;
import java.net.InetAddress;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** What a refused AddPinhole becomes: one line naming the fix, a lasting refusal. */
class PinholeAdviceTest {
    private final InetAddress gw = InetAddress.getByName("2001:db8:1::1");
    private final InetAddress client = InetAddress.getByName("2001:db8:1::2");
    private final AtomicInteger statusReads = new AtomicInteger();

    PinholeAdviceTest() throws Exception {
    }

    private PinholeAdvice.StatusReader status(boolean enabled, boolean inbound) {
        return () -> {
            statusReads.incrementAndGet();
            return new IgdClient.FirewallStatus(enabled, inbound);
        };
    }

    private PortMappingException refused(int code, String description) {
        return UpnpErrors.toException("AddPinhole", code, description, gw);
    }

    @Test
    void inboundPinholeNotAllowedIsARouterSetting() {
        // miniupnpd's CheckStatus with IPV6FCINBOUNDDISALLOWEDMASK set
        PortMappingException e = PinholeAdvice.explain(refused(703, "InboundPinholeNotAllowed"), status(true, false),
                client, gw);
        assertThat(e.reason()).isEqualTo(Reason.NOT_AUTHORIZED);
        assertThat(e.getMessage()).startsWith("the router does not allow IPv6 pinholes: enable")
                .contains("in its settings").contains("703");
        assertThat(e.protocolCode()).hasValue(703);
        assertThat(statusReads).as("703 says it all").hasValue(0);
    }

    @Test
    void aNotAuthorizedWhileTheStatusForbidsPinholesIsTheSameRouterSetting() {
        // FRITZ!Box answers 606 while InboundPinholeAllowed = 0
        PortMappingException e = PinholeAdvice.explain(refused(606, "Action not authorized"), status(true, false),
                client, gw);
        assertThat(e.reason()).isEqualTo(Reason.NOT_AUTHORIZED);
        assertThat(e.getMessage()).startsWith("the router does not allow IPv6 pinholes")
                .contains("InboundPinholeAllowed=0");
        assertThat(statusReads).hasValue(1);
    }

    @Test
    void aNotAuthorizedWhilePinholesAreAllowedIsTheSourceAddress() {
        // miniupnpd's PinholeVerification: InternalClient is not the sender (a temporary source address)
        PortMappingException e = PinholeAdvice.explain(refused(606, "Action not authorized"), status(true, true),
                client, gw);
        assertThat(e.reason()).isEqualTo(Reason.NOT_AUTHORIZED);
        assertThat(e.getMessage()).startsWith("the router refused the IPv6 pinhole for 2001:db8:1::2 (UPnP error 606)")
                .contains("only for the address a request comes from").contains("temporary");
    }

    @Test
    void anUnreadableStatusKeepsTheAddressAdviceAndTheReadFailure() {
        PortMappingException e = PinholeAdvice.explain(refused(606, "Action not authorized"), () -> {
            throw new PortMappingException(Reason.PROTOCOL_ERROR, "GetFirewallStatus failed: UPnP error 401");
        }, client, gw);
        assertThat(e.getMessage()).contains("the router refused the IPv6 pinhole");
        assertThat(e.getCause().getSuppressed()).hasSize(1);
    }

    @Test
    void firewallDisabledSaysSo() {
        PortMappingException e = PinholeAdvice.explain(refused(702, "FirewallDisabled"), status(false, false), client,
                gw);
        assertThat(e.reason()).isEqualTo(Reason.NOT_AUTHORIZED);
        assertThat(e.getMessage()).contains("IPv6 firewall control is disabled").contains("702");
    }

    @Test
    void otherErrorsPassThroughUnchanged() {
        PortMappingException space = refused(701, "PinholeSpaceExhausted");
        assertThat(PinholeAdvice.explain(space, status(true, true), client, gw)).isSameAs(space);
        assertThat(statusReads).hasValue(0);
    }
}
