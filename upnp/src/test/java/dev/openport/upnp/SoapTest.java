package dev.openport.upnp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.openport.core.PortMappingException;
import dev.openport.core.PortMappingException.Reason;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * SOAP answers and UPnPError faults real routers sent (fixtures/README.md), served over loopback HTTP to the
 * typed {@link IgdClient} actions; each test named after its quirk.
 */
class SoapTest {
    private static final String S = "upnp/soap/";
    private static final String LAB1 = "miniupnpd-lab/igd1/";
    private static final String LAB2 = "miniupnpd-lab/igd2/";
    private CannedServer server;

    @BeforeEach
    void start() throws Exception {
        server = new CannedServer();
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    private IgdClient client(String serviceType) {
        return new IgdClient(new WanService(serviceType, server.url("/ctl/IPConn"), null),
                InetAddress.getLoopbackAddress(), Duration.ofSeconds(2));
    }

    private IgdClient v1() {
        return client("urn:schemas-upnp-org:service:WANIPConnection:1");
    }

    private static PortMappingException fault(ThrowingAction a) {
        try {
            a.run();
        } catch (PortMappingException e) {
            return e;
        }
        throw new AssertionError("expected a PortMappingException");
    }

    interface ThrowingAction {
        void run() throws PortMappingException;
    }

    @Test
    void requestIsEscapedUpperCaseAndCarriesTheSoapActionHeader() throws Exception {
        server.raw(Fixtures.bytes(LAB1 + "addportmapping-ok.http"));
        v1().addPortMapping(4000, "TCP", 4000, "198.18.0.2", "a<b>&\"c'", 3600);
        String req = server.lastRequest;
        assertThat(req).contains("SOAPAction: \"urn:schemas-upnp-org:service:WANIPConnection:1#AddPortMapping\"")
                .contains("Connection: close")
                .contains("<NewPortMappingDescription>a&lt;b&gt;&amp;&quot;c&apos;</NewPortMappingDescription>")
                .contains("<NewProtocol>TCP</NewProtocol>")
                .contains("<NewRemoteHost></NewRemoteHost><NewExternalPort>4000</NewExternalPort>");
    }

    @Test
    void escapeDropsControlCharactersXmlCannotCarry() {
        assertThat(Soap.escape("a\u0000b\u0007c\td")).isEqualTo("abc\td");
    }

    @Test
    void miniupnpdGetExternalIpAddressAndStatusInfo() throws Exception {
        server.raw(Fixtures.bytes(LAB1 + "getexternalip.http"));
        assertThat(v1().getExternalIPAddress().getHostAddress()).isEqualTo("203.0.113.1");
        server.raw(Fixtures.bytes(LAB1 + "getstatusinfo.http"));
        assertThat(v1().getStatusInfo().connected()).isTrue();
    }

    @Test
    void duplicatedXmlDeclarationAndDoubleNatPrivateExternalAddress() throws Exception {
        server.respond(200, Fixtures.bytes(S + "amplifi-miniupnpd-getexternalip-double-nat-duplicate-xml-decl.xml"));
        InetAddress a = client("urn:schemas-upnp-org:service:WANIPConnection:2").getExternalIPAddress();
        assertThat(a.getHostAddress()).isEqualTo("192.168.178.2");
        assertThat(LanAddresses.isLan(a)).as("double NAT: reported, never presented as reachable").isTrue();
    }

    @Test
    void privateExternalAddressIsReportedAsIs() throws Exception {
        server.respond(200, Fixtures.bytes(S + "synthetic-tailscale-getexternalip-private-10.9.8.7.xml"));
        assertThat(v1().getExternalIPAddress().getHostAddress()).isEqualTo("10.9.8.7");
    }

    @Test
    void externalAddressThatIsNotAnIpIsAProtocolError() {
        server.respond(200, Fixtures.bytes(S + "synthetic-tailscale-getexternalip-not-an-ip.xml"));
        assertThat(fault(() -> v1().getExternalIPAddress()).reason()).isEqualTo(Reason.PROTOCOL_ERROR);
    }

    @Test
    void dslforumNamespaceResponses() throws Exception {
        IgdClient c = client("urn:dslforum-org:service:WANPPPConnection:1");
        server.respond(200, Fixtures.bytes(S + "synthetic-tailscale-dslforum-wanpppconnection-getexternalip.xml"));
        assertThat(c.getExternalIPAddress().getHostAddress()).isEqualTo("123.123.123.123");
        server.respond(200, Fixtures.bytes(S + "synthetic-tailscale-dslforum-wanpppconnection-getstatusinfo-newuptime.xml"));
        IgdClient.StatusInfo st = c.getStatusInfo();
        assertThat(st.connected()).isTrue();
        assertThat(st.uptimeSeconds()).as("NewUpTime spelled with a capital T").isEqualTo(9999);
    }

    @Test
    void uptimeAsDaysStringIsToleratedAndDisconnectedIsSeen() throws Exception {
        server.respond(200, Fixtures.bytes(S + "getstatusinfo-uptime-as-days-string.xml"));
        IgdClient.StatusInfo st = v1().getStatusInfo();
        assertThat(st.connected()).isTrue();
        assertThat(st.uptimeSeconds()).isEqualTo(-1);
        server.respond(200, Fixtures.bytes(S + "synthetic-tailscale-getstatusinfo-disconnected.xml"));
        assertThat(v1().getStatusInfo().connected()).isFalse();
        server.respond(200, Fixtures.bytes(S + "amplifi-miniupnpd-getstatusinfo-response-igd2.xml"));
        assertThat(v1().getStatusInfo().uptimeSeconds()).isEqualTo(1720267);
    }

    @Test
    void selfClosingAddPortMappingResponseIsSuccess() throws Exception {
        server.respond(200, Fixtures.bytes(S + "synthetic-tailscale-addportmapping-response-selfclosing.xml"));
        v1().addPortMapping(4000, "UDP", 4000, "192.168.1.2", "x", 60);
    }

    @Test
    void http500UpnpError725WithCapitalisedFaultCodeIsOnlyPermanentLeases() {
        server.respond(500, Fixtures.bytes(S + "synthetic-tailscale-725-only-permanent-leases-capitalised-faultcode.xml"));
        PortMappingException e = fault(() -> v1().addPortMapping(4000, "TCP", 4000, "192.168.1.2", "x", 60));
        assertThat(e.protocolCode()).hasValue(725);
        assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED);
    }

    @Test
    void http500UpnpError402WithSoapPrefixIsInvalidArgs() {
        server.respond(500, Fixtures.bytes(S + "synthetic-tailscale-402-invalid-args-for-lease.xml"));
        PortMappingException e = fault(() -> v1().addPortMapping(4000, "TCP", 4000, "192.168.1.2", "x", 60));
        assertThat(e.protocolCode()).hasValue(402);
        assertThat(e.reason()).isEqualTo(Reason.PROTOCOL_ERROR);
    }

    @Test
    void miniupnpd718ConflictInMappingEntryIsConflict() {
        server.raw(Fixtures.bytes(LAB1 + "addportmapping-718-other-client.http"));
        PortMappingException e = fault(() -> v1().addPortMapping(40001, "TCP", 40001, "198.18.0.7", "x", 60));
        assertThat(e.protocolCode()).hasValue(718);
        assertThat(e.reason()).isEqualTo(Reason.CONFLICT);
        assertThat(e.getMessage()).contains("ConflictInMappingEntry").contains("code 718");
    }

    @Test
    void miniupnpd606ActionNotAuthorizedIsNotAuthorized() {
        server.raw(Fixtures.bytes(LAB2 + "addportmapping-606-port-below-1024.http"));
        PortMappingException e = fault(() -> v1().addPortMapping(80, "TCP", 80, "198.18.0.2", "x", 60));
        assertThat(e.protocolCode()).hasValue(606);
        assertThat(e.reason()).isEqualTo(Reason.NOT_AUTHORIZED);
    }

    @Test
    void miniupnpd402InvalidArgsAnd401InvalidAction() {
        server.raw(Fixtures.bytes(LAB1 + "addportmapping-402-bad-args.http"));
        assertThat(fault(() -> v1().addPortMapping(1, "TCP", 1, "x", "x", 1)).protocolCode()).hasValue(402);
        server.raw(Fixtures.bytes(LAB1 + "unknown-action-401.http"));
        PortMappingException e = fault(() -> v1().addAnyPortMapping(1, "TCP", 1, "x", "x", 1));
        assertThat(e.protocolCode()).hasValue(401);
        assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED);
    }

    @Test
    void miniupnpd713EndsTheGenericEntryList() throws Exception {
        server.raw(Fixtures.bytes(LAB1 + "getgeneric-713.http"));
        assertThat(v1().getGenericPortMappingEntry(999)).isNull();
        server.raw(Fixtures.bytes(LAB1 + "getgeneric-0.http"));
        IgdClient.Entry e = v1().getGenericPortMappingEntry(0);
        assertThat(e).isEqualTo(new IgdClient.Entry("", 40001, "TCP", 40001, "198.18.0.2", true, "fixture", 3600));
    }

    @Test
    void miniupnpd714NoSuchEntryIsAnAbsentEntry() throws Exception {
        server.raw(Fixtures.bytes(LAB1 + "getspecific-714.http"));
        assertThat(v1().getSpecificPortMappingEntry(40999, "TCP")).isNull();
        server.respond(500, Fixtures.bytes(S + "amplifi-miniupnpd-714-nosuchentryinarray.xml"));
        assertThat(v1().getSpecificPortMappingEntry(40999, "TCP")).isNull();
        server.raw(Fixtures.bytes(LAB1 + "getspecific-ok.http"));
        IgdClient.Entry e = v1().getSpecificPortMappingEntry(40001, "TCP");
        assertThat(e.internalClient()).isEqualTo("198.18.0.2");
        assertThat(e.leaseSeconds()).isEqualTo(3600);
    }

    @Test
    void specificEntryResponsesFromOtherMiniupnpdVersions() throws Exception {
        server.respond(200, Fixtures.bytes(S + "miniupnpd-getspecificportmappingentry-response.xml"));
        // miniupnpd-getspecificportmappingentry-response.namevalue
        assertThat(v1().getSpecificPortMappingEntry(12345, "TCP")).isEqualTo(
                new IgdClient.Entry("", 12345, "TCP", 12345, "192.168.10.110", true, "libminiupnpc", 0));
        server.respond(200, Fixtures.bytes(S + "amplifi-miniupnpd-getspecificportmappingentry-response-igd2.xml"));
        assertThat(v1().getSpecificPortMappingEntry(57142, "UDP").leaseSeconds()).isEqualTo(604096);
        server.respond(200, Fixtures.bytes(S + "miniupnpd-getexternalipaddress-response.xml"));
        assertThat(v1().getExternalIPAddress().getHostAddress()).isEqualTo("1.2.3.4");
        server.respond(200, Fixtures.bytes(S + "amplifi-miniupnpd-deleteportmapping-response-igd2.xml"));
        v1().deletePortMapping(57142, "UDP");
    }

    @Test
    void miniupnpdAddAnyPortMappingReturnsTheReservedPort() throws Exception {
        server.raw(Fixtures.bytes(LAB2 + "addanyportmapping-ok.http"));
        assertThat(client("urn:schemas-upnp-org:service:WANIPConnection:2")
                .addAnyPortMapping(40003, "UDP", 40003, "198.18.0.2", "x", 3600)).isEqualTo(40003);
    }

    @Test
    void truncatedBodyIsAProtocolError() {
        server.respond(200, Fixtures.bytes(S + "malformed-truncated-3-bytes.xml"));
        assertThat(fault(() -> v1().getExternalIPAddress()).reason()).isEqualTo(Reason.PROTOCOL_ERROR);
    }

    @Test
    void wrongResponseElementIsAProtocolError() {
        server.respond(200, Fixtures.bytes(S + "wancommonifc-gettotalbytesreceived-negative-i4.xml"));
        assertThat(fault(() -> v1().getExternalIPAddress()).reason()).isEqualTo(Reason.PROTOCOL_ERROR);
    }

    @Test
    void http500WithoutUpnpErrorAndOtherStatusesAreProtocolErrors() {
        server.respond(500, "<html>oops</html>".getBytes(StandardCharsets.UTF_8));
        assertThat(fault(() -> v1().getExternalIPAddress()).reason()).isEqualTo(Reason.PROTOCOL_ERROR);
        server.respond(403, new byte[0]);
        assertThat(fault(() -> v1().getExternalIPAddress()).reason()).isEqualTo(Reason.PROTOCOL_ERROR);
    }

    @Test
    void http404OnTheControlUrlMeansStaleAndTriggersRediscovery() {
        server.respond(404, new byte[0]);
        PortMappingException e = fault(() -> v1().getExternalIPAddress());
        assertThat(e).isInstanceOf(MiniHttp.Unreachable.class);
        assertThat(e.reason()).isEqualTo(Reason.GATEWAY_NOT_FOUND);
    }

    @Test
    void oddNamespacePrefixesAndNoXmlDeclaration() throws Exception {
        String body = "<SOAP-ENV:Envelope xmlns:SOAP-ENV=\"http://schemas.xmlsoap.org/soap/envelope/\"><SOAP-ENV:Body>"
                + "<m:GetExternalIPAddressResponse xmlns:m=\"urn:schemas-upnp-org:service:WANIPConnection:1\">"
                + "<NewExternalIPAddress> 198.51.100.7 </NewExternalIPAddress></m:GetExternalIPAddressResponse>"
                + "</SOAP-ENV:Body></SOAP-ENV:Envelope>";
        server.respond(200, body.getBytes(StandardCharsets.UTF_8));
        assertThat(v1().getExternalIPAddress().getHostAddress()).isEqualTo("198.51.100.7");
    }

    @Test
    void chunkedResponseIsDecoded() throws Exception {
        String body = "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body><u:GetExternalIPAddress"
                + "Response xmlns:u=\"x\"><NewExternalIPAddress>198.51.100.9</NewExternalIPAddress></u:GetExternal"
                + "IPAddressResponse></s:Body></s:Envelope>";
        String a = body.substring(0, 40);
        String b = body.substring(40);
        String raw = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + Integer.toHexString(a.length())
                + "\r\n" + a + "\r\n" + Integer.toHexString(b.length()) + ";ext=1\r\n" + b + "\r\n0\r\n\r\n";
        server.raw(raw.getBytes(StandardCharsets.UTF_8));
        assertThat(v1().getExternalIPAddress().getHostAddress()).isEqualTo("198.51.100.9");
    }

    @Test
    void pinholeActionsAgainstTheSpecShapes() throws Exception {
        IgdClient fw = client("urn:schemas-upnp-org:service:WANIPv6FirewallControl:1");
        server.respond(200, ("<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body>"
                + "<u:AddPinholeResponse xmlns:u=\"urn:schemas-upnp-org:service:WANIPv6FirewallControl:1\">"
                + "<UniqueID>7</UniqueID></u:AddPinholeResponse></s:Body></s:Envelope>").getBytes(StandardCharsets.UTF_8));
        assertThat(fw.addPinhole("2001:db8:1::2", 5000, 6, 3600)).isEqualTo(7);
        assertThat(server.lastRequest).contains("<InternalClient>2001:db8:1::2</InternalClient>")
                .contains("<Protocol>6</Protocol>").contains("<LeaseTime>3600</LeaseTime>");
        server.respond(200, ("<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body>"
                + "<u:GetFirewallStatusResponse xmlns:u=\"x\"><FirewallEnabled>1</FirewallEnabled>"
                + "<InboundPinholeAllowed>1</InboundPinholeAllowed></u:GetFirewallStatusResponse></s:Body>"
                + "</s:Envelope>").getBytes(StandardCharsets.UTF_8));
        assertThat(fw.getFirewallStatus()).isEqualTo(new IgdClient.FirewallStatus(true, true));
    }

    @Test
    void codecRoundTripOfArgumentOrder() throws Exception {
        Map<String, String> args = new LinkedHashMap<>();
        args.put("NewRemoteHost", "");
        args.put("NewExternalPort", "1");
        String xml = new String(Soap.request("urn:x:service:Y:1", "Act", args), StandardCharsets.UTF_8);
        assertThat(xml.indexOf("NewRemoteHost")).isLessThan(xml.indexOf("NewExternalPort"));
        Soap.Response r = Soap.parse(200, ("<Envelope><Body><ActResponse><A>1</A><B>x</B></ActResponse></Body>"
                + "</Envelope>").getBytes(StandardCharsets.UTF_8), "Act");
        assertThat(r.values()).containsEntry("A", "1").containsEntry("B", "x");
        assertThatThrownBy(() -> Soap.parse(200, new byte[0], "Act")).isInstanceOf(PortMappingException.class);
    }
}
