package dev.openport.upnp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.openport.core.PortMappingException;
import dev.openport.core.PortMappingException.Reason;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Real router descriptions (fixtures/README.md), each test named after the quirk it shows. */
class DeviceDescriptionTest {
    private static final String D = "upnp/descriptions/";

    private static DeviceDescription parse(String file, String location) throws PortMappingException {
        return DeviceDescription.parse(Fixtures.bytes(D + file), URI.create(location));
    }

    private static List<String> controls(DeviceDescription d) {
        return d.connections().stream().map(s -> s.controlUrl().toString()).toList();
    }

    private static List<String> types(DeviceDescription d) {
        return d.connections().stream().map(WanService::serviceType).toList();
    }

    @Test
    void noUrlBaseResolvesAgainstLocationAndIgd2OnlyOffersWanIpConnection2() throws Exception {
        DeviceDescription d = parse("google-wifi-onhub-igd2-wanipconnection2.xml", "http://192.168.86.1:5000/rootDesc.xml");
        assertThat(types(d)).containsExactly("urn:schemas-upnp-org:service:WANIPConnection:2");
        assertThat(controls(d)).containsExactly("http://192.168.86.1:5000/ctl/IPConn");
        assertThat(d.connections().get(0).hasAddAny()).isTrue();
    }

    @Test
    void pfsenseMiniupnpdIgd1WithMalformedUuid() throws Exception {
        DeviceDescription d = parse("pfsense-2.5.0-miniupnpd-2.2.1-igd1.xml", "http://192.168.1.1:2189/rootDesc.xml");
        assertThat(controls(d)).containsExactly("http://192.168.1.1:2189/ctl/IPConn");
        assertThat(d.connections().get(0).hasAddAny()).isFalse();
    }

    @Test
    void twoWanDevicesEachWithAWanIpConnectionAreBothListed() throws Exception {
        DeviceDescription d = parse("mikrotik-routeros-7.10-two-wandevices.xml", "http://10.0.0.1:2828/x.xml");
        assertThat(controls(d)).containsExactly("http://10.0.0.1:2828/upnp/control/yomkmsnooi/wanipconn-1",
                "http://10.0.0.1:2828/upnp/control/xstnsgeuyh/wanipconn-7");
    }

    @Test
    void wanPppConnectionOnlyMatchesMiniupnpcExpectedValues() throws Exception {
        // linksys-wag200g-adsl-wanpppconnection-only.values: first = WANPPPConnection:1 /upnp/control/WANPPPConn1
        DeviceDescription d = parse("linksys-wag200g-adsl-wanpppconnection-only.xml", "http://192.168.1.1:49152/x");
        assertThat(types(d)).containsExactly("urn:schemas-upnp-org:service:WANPPPConnection:1");
        assertThat(controls(d)).containsExactly("http://192.168.1.1:49152/upnp/control/WANPPPConn1");
        assertThat(d.connections().get(0).scpdUrl()).hasToString("http://192.168.1.1:49152/pppcfg.xml");
    }

    @Test
    void igd2WanPppConnection2AndIpv6FirewallMatchMiniupnpcExpectedValues() throws Exception {
        DeviceDescription d = parse("orange-livebox-sagemcom-igd2-wanpppconnection2.xml",
                "http://192.168.1.1:49153/87895a19/gatedesc.xml");
        assertThat(types(d)).containsExactly("urn:schemas-upnp-org:service:WANPPPConnection:2");
        assertThat(controls(d)).containsExactly("http://192.168.1.1:49153/87895a19/upnp/control/WANIPConn1");
        assertThat(d.connections().get(0).hasAddAny()).as("AddAny is WANIPConnection:2 only").isFalse();
        assertThat(d.firewalls()).extracting(s -> s.controlUrl().toString())
                .containsExactly("http://192.168.1.1:49153/87895a19/upnp/control/WANIPv6FwCtrl1");
    }

    @Test
    void dslforumNamespaceWanPppConnectionIsFound() throws Exception {
        DeviceDescription d = parse("huawei-hg531-v1-dslforum-wanpppconnection.xml", "http://192.168.1.1:37215/x");
        assertThat(types(d)).containsExactly("urn:dslforum-org:service:WANPPPConnection:1");
        assertThat(controls(d)).containsExactly("http://192.168.1.1:37215/ctrlt/WANPPPConnection_1");
    }

    @Test
    void dslforumRootNamespaceTr064DescriptionsAreParsed() throws Exception {
        for (String f : List.of("avm-fritzbox-7590-fw154.07.57-tr064-dslforum.xml",
                "avm-fritzbox-6490-cable-fw141.07.57-tr064-dslforum.xml")) {
            DeviceDescription d = parse(f, "http://192.168.178.1:49000/tr64desc.xml");
            assertThat(types(d)).as(f).contains("urn:dslforum-org:service:WANIPConnection:1");
        }
    }

    @Test
    void noNamespaceRootWithoutXmlDeclarationAndTemplatedUrlBase() throws Exception {
        DeviceDescription d1 = DeviceDescription.parse(Fixtures.templated(D + "dlink-router-no-namespace-igd1.xml",
                "192.168.0.1", 52869), URI.create("http://192.168.0.1:52869/rootDesc.xml"));
        assertThat(controls(d1)).containsExactly("http://192.168.0.1:52869/WANIPConnection");
        DeviceDescription d2 = DeviceDescription.parse(Fixtures.templated(D + "dlink-router-no-namespace-igd2.xml",
                "192.168.0.1", 52869), URI.create("http://192.168.0.1:52869/rootDesc.xml"));
        assertThat(types(d2)).containsExactly("urn:schemas-upnp-org:service:WANIPConnection:2");
    }

    @Test
    void absoluteControlUrlsOnOtherPortsWinOverUrlBase() throws Exception {
        DeviceDescription d = DeviceDescription.parse(Fixtures.templated(D
                + "dlink-dir655-absolute-urls-multiple-ports-wfadevice.xml", "192.168.0.1", 9393),
                URI.create("http://192.168.0.1:8080/root.xml"));
        assertThat(controls(d)).containsExactly("http://192.168.0.1:9393/wipconn");
    }

    @Test
    void noNamespaceAbsoluteQueryStringControlUrlsPppAndIpInOneConnectionDevice() throws Exception {
        DeviceDescription d = parse("linksys-wrt120n-no-namespace-absolute-query-controlurls.xml",
                "http://192.168.243.1:80/igd.xml");
        assertThat(controls(d)).containsExactly("http://192.168.243.1:80/upnp/control?WANPPPConnection",
                "http://192.168.243.1:80/upnp/control?WANIPConnection");
    }

    @Test
    void noUrlBaseRelativeScpdUrlWithoutLeadingSlashResolvesAgainstLocationDirectory() throws Exception {
        DeviceDescription d = parse("linksys-wrt120n-no-urlbase-relative-scpdurl.xml",
                "http://192.168.243.1:80/some/dir/igd.xml");
        assertThat(d.connections()).hasSize(2);
        assertThat(d.connections().get(0).scpdUrl()).hasToString("http://192.168.243.1:80/igd_wpc.xml");
        // the relative one in this file belongs to WANCommonInterfaceConfig: resolve it the same way
        URI base = DeviceDescription.baseUrl(null, URI.create("http://192.168.243.1:80/some/dir/igd.xml"));
        assertThat(DeviceDescription.resolve(base, "igd_wcic.xml"))
                .hasToString("http://192.168.243.1:80/some/dir/igd_wcic.xml");
        assertThat(DeviceDescription.resolve(DeviceDescription.baseUrl("http://192.168.1.1:49152", base), "x.xml"))
                .as("a URLBase without path").hasToString("http://192.168.1.1:49152/x.xml");
    }

    @Test
    void xmlCommentAfterRootIsTolerated() throws Exception {
        DeviceDescription d = parse("smc-7004vwbr-barricade-trailing-comment.xml", "http://192.168.2.1:5440/igd.xml");
        assertThat(controls(d)).containsExactly("http://192.168.2.1:5440/upnp/control?WANPPPConnection",
                "http://192.168.2.1:5440/upnp/control?WANIPConnection");
    }

    @Test
    void utf8BomBeforeXmlDeclarationAndColonsInControlUrls() throws Exception {
        DeviceDescription d = parse("broadcom-bcm963xx-adsl-wanipconnection-serviceid-wanpppconn2.xml",
                "http://127.0.0.1:5431/dyndev/uuid:0000e068-20a0-00e0-20a0-48a8000808e0");
        assertThat(controls(d)).containsExactly(
                "http://127.0.0.1:5431/uuid:0000e068-20a0-00e0-20a0-48a802086048/WANIPConnection:1");
        DeviceDescription ppp = parse("broadcom-bcm963xx-adsl-wanpppconnection.xml", "http://127.0.0.1:5431/x");
        assertThat(types(ppp)).containsExactly("urn:schemas-upnp-org:service:WANPPPConnection:1");
    }

    @Test
    void igd1WithIpv6FirewallUnderAnotherPath() throws Exception {
        DeviceDescription d = parse("avm-fritzbox-7430-igd1-any-service.xml", "http://192.168.178.1:49000/igddesc.xml");
        assertThat(controls(d)).containsExactly("http://192.168.178.1:49000/igdupnp/control/WANIPConn1");
        assertThat(d.firewalls()).extracting(s -> s.controlUrl().toString())
                .containsExactly("http://192.168.178.1:49000/igd2upnp/control/WANIPv6Firewall1");
    }

    @Test
    void deviceRedeclaresXmlnsAndRootHasNoServiceList() throws Exception {
        DeviceDescription d = parse("unknown-isp-router-device-xmlns-redeclared-no-root-servicelist.xml",
                "http://192.168.1.254:80/332b484d/gatedesc.xml");
        assertThat(controls(d)).containsExactly("http://192.168.1.254:80/upnp/control/WANIPConn1");
    }

    @Test
    void emptyFieldsAndMinimalPppOnlyDescriptionsWork() throws Exception {
        assertThat(controls(parse("miniupnpd-20180615-anonymised-empty-fields-igd1.xml", "http://10.0.0.1:5000/d")))
                .containsExactly("http://10.0.0.1:5000/ctl/IPConn");
        assertThat(controls(parse("synthetic-minimal-wanpppconnection-only.xml", "http://10.0.0.1:5000/d")))
                .containsExactly("http://10.0.0.1:5000/ctl/PPPConn");
    }

    @Test
    void amplifiIgd2WithVendorServiceFromAFullHttpCapture() throws Exception {
        DeviceDescription d = DeviceDescription.parse(Fixtures.httpBody(D + "amplifi-router-miniupnpd-2.1-igd2-geforcenow.http"),
                URI.create("http://192.168.188.1:5000/rootDesc.xml"));
        assertThat(types(d)).containsExactly("urn:schemas-upnp-org:service:WANIPConnection:2");
        assertThat(d.firewalls()).hasSize(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"simpledlna-mediaserver-not-an-igd.xml", "synthetic-tailscale-no-supported-services.xml"})
    void devicesWithoutAWanConnectionServiceAreNotGateways(String file) throws Exception {
        assertThat(parse(file, "http://192.168.1.5:8200/desc.xml").isGateway()).isFalse();
    }

    @Test
    void wanDeviceWithoutWanConnectionDeviceIsNotAGateway() throws Exception {
        DeviceDescription d = DeviceDescription.parse(Fixtures.templated(D
                + "pannaway-speedtouch-rg210-no-wanconnectiondevice.xml", "127.0.0.1", 5678),
                URI.create("http://127.0.0.1:5678/IGD.xml"));
        assertThat(d.isGateway()).isFalse();
    }

    @Test
    void garbledTruncatedDescriptionIsAProtocolError() {
        assertThatThrownBy(() -> parse("malformed-wince-ics-igd-garbled-truncated.xml", "http://192.168.0.1/igd.xml"))
                .isInstanceOfSatisfying(PortMappingException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.PROTOCOL_ERROR));
    }

    @Test
    void miniupnpdLabIgd1AndIgd2() throws Exception {
        URI loc = URI.create("http://198.18.0.1:2869/rootDesc.xml");
        DeviceDescription v1 = DeviceDescription.parse(Fixtures.bytes("miniupnpd-lab/igd1/rootDesc.xml"), loc);
        assertThat(types(v1)).containsExactly("urn:schemas-upnp-org:service:WANIPConnection:1");
        assertThat(controls(v1)).containsExactly("http://198.18.0.1:2869/ctl/IPConn");
        assertThat(v1.firewalls()).isEmpty();
        DeviceDescription v2 = DeviceDescription.parse(Fixtures.bytes("miniupnpd-lab/igd2/rootDesc.xml"), loc);
        assertThat(types(v2)).containsExactly("urn:schemas-upnp-org:service:WANIPConnection:2");
        assertThat(v2.firewalls()).extracting(s -> s.controlUrl().toString())
                .containsExactly("http://198.18.0.1:2869/ctl/IP6FCtl");
    }

    @Test
    void scpdAllowedValueRangeGivesTheLeaseClamp() throws Exception {
        assertThat(Scpd.maxLeaseSeconds(Fixtures.bytes("miniupnpd-lab/igd1/WANIPCn.xml"))).isEqualTo(604800);
        assertThat(Scpd.maxLeaseSeconds(Fixtures.bytes("upnp/scpd/wanipconnection1-device-scpd-crlf.xml")))
                .isIn(-1L, 604800L);
        for (String f : List.of("spec-wanipconnection1-no-namespace.xml", "spec-wanpppconnection1-no-namespace.xml",
                "spec-wanpppconnection-igd2-with-addanyportmapping.xml", "spec-wanipv6firewallcontrol1-no-namespace.xml")) {
            long v = Scpd.maxLeaseSeconds(Fixtures.bytes("upnp/scpd/" + f));
            assertThat(v).as(f).isGreaterThanOrEqualTo(-1);
        }
    }
}
