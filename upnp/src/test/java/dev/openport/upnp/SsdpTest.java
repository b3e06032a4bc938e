package dev.openport.upnp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.openport.core.PortMappingException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** SSDP search responses real devices sent (fixtures/README.md), and where their LOCATION may lead us. */
class SsdpTest {

    private static Ssdp.Answer parse(String file) throws PortMappingException {
        byte[] b = Fixtures.bytes("ssdp/" + file);
        return Ssdp.parse(b, 0, b.length);
    }

    private static Ssdp.Answer parse(byte[] b) throws PortMappingException {
        return Ssdp.parse(b, 0, b.length);
    }

    private static InetAddress ip(String s) {
        return MiniHttp.parseLiteral(s);
    }

    @Test
    void mSearchIsAValidUda11Request() {
        String m = new String(Ssdp.mSearch("ssdp:all"), StandardCharsets.US_ASCII);
        assertThat(m).startsWith("M-SEARCH * HTTP/1.1\r\n").contains("HOST: 239.255.255.250:1900\r\n")
                .contains("MAN: \"ssdp:discover\"\r\n").contains("MX: 1\r\n").contains("ST: ssdp:all\r\n")
                .endsWith("\r\n\r\n");
        assertThat(Ssdp.SEARCH_TARGETS).contains("ssdp:all",
                "urn:schemas-upnp-org:device:InternetGatewayDevice:1",
                "urn:schemas-upnp-org:device:InternetGatewayDevice:2",
                "urn:schemas-upnp-org:service:WANIPConnection:1", "urn:schemas-upnp-org:service:WANIPConnection:2",
                "urn:schemas-upnp-org:service:WANPPPConnection:1");
    }

    @Test
    void miniupnpdLabAnswersIgd1AndIgd2() throws Exception {
        byte[] b = Fixtures.bytes("miniupnpd-lab/igd1/msearch-response-igd1.ssdp");
        Ssdp.Answer a = parse(b);
        assertThat(a.location()).isEqualTo("http://198.18.0.1:2869/rootDesc.xml");
        assertThat(a.udn()).isEqualTo("uuid:56dbae32-fd07-4669-a522-abc16bce055b");
        assertThat(a.looksLikeGateway()).isTrue();
        assertThat(parse(Fixtures.bytes("miniupnpd-lab/igd2/msearch-response-igd2.ssdp")).st())
                .isEqualTo("urn:schemas-upnp-org:device:InternetGatewayDevice:2");
        assertThat(parse(Fixtures.bytes("miniupnpd-lab/igd1/msearch-response-wanipconnection1.ssdp")).udn())
                .endsWith("055d");
    }

    @Test
    void googleWifiIgd2WithUpnp11Headers() throws Exception {
        Ssdp.Answer a = parse("google-wifi-onhub-msearch-response-igd2.ssdp");
        assertThat(a.st()).isEqualTo("urn:schemas-upnp-org:device:InternetGatewayDevice:2");
        assertThat(a.looksLikeGateway()).isTrue();
    }

    @Test
    void pfsenseAnswersOnANonStandardPort() throws Exception {
        Ssdp.Answer a = parse("pfsense-2.5.0-msearch-response-igd1.ssdp");
        assertThat(URI.create(a.location()).getPort()).isEqualTo(2189);
    }

    @Test
    void sagemcomEmptyServerHeaderAndRequestStyleUserAgent() throws Exception {
        Ssdp.Answer a = parse("sagemcom-fast3890v3-msearch-response-empty-server.ssdp");
        assertThat(a.server()).isEmpty();
        assertThat(a.location()).endsWith("/gatedesc0b.xml");
    }

    @Test
    void huaweiCommaSeparatedServerTokens() throws Exception {
        assertThat(URI.create(parse("huawei-msearch-response-portable-sdk-1.12.1.ssdp").location()).getPort())
                .isEqualTo(49652);
    }

    @Test
    void speedtouchServiceTypeStAndNoSpaceAfterColon() throws Exception {
        Ssdp.Answer a = parse("speedtouch-510-msearch-response-wanpppconnection.ssdp");
        assertThat(a.st()).contains("WANPPPConnection:1");
        assertThat(a.location()).startsWith("http://");
        assertThat(a.looksLikeGateway()).isTrue();
    }

    @Test
    void linuxIgdRootDeviceWith1970DateAndTemplatedLocation() throws Exception {
        Ssdp.Answer a = parse(Fixtures.templated("ssdp/linux-igd-custom-proc-ver-rootdevice-1970-date.ssdp",
                "192.168.0.1", 5431));
        assertThat(a.location()).isEqualTo("http://192.168.0.1:5431/upnp.xml");
        assertThat(a.looksLikeGateway()).as("upnp:rootdevice: only taken from the gateway itself").isFalse();
    }

    @Test
    void amplifiWanConnectionDevice2AnswerToSsdpAll() throws Exception {
        assertThat(parse("amplifi-msearch-response-wanconnectiondevice2.ssdp").looksLikeGateway()).isTrue();
    }

    @Test
    void windowsDeviceHostServiceUsnWithoutUrn() throws Exception {
        Ssdp.Answer a = parse("windows-upnp-device-host-wancommonifc-response.ssdp");
        assertThat(a.location()).startsWith("http://");
    }

    @Test
    void harmonyHubMissingFinalCrlfIsParsedButIsNoGateway() throws Exception {
        Ssdp.Answer a = parse("harmony-hub-response-missing-final-crlf.ssdp");
        assertThat(a.location()).isNotEmpty();
        assertThat(a.looksLikeGateway()).isFalse();
    }

    @Test
    void microsoftPnrpLocationWithoutSchemeIsNeverFetched() throws Exception {
        Ssdp.Answer a = parse("microsoft-pnrp-response-location-without-scheme.ssdp");
        URI u;
        try {
            u = new URI(a.location());
        } catch (java.net.URISyntaxException e) {
            return; // not even a URI: ignored
        }
        assertThat(LanAddresses.candidates(u, ip("192.168.1.1"), ip("192.168.1.1"))).isEmpty();
    }

    @Test
    void longHeadersBeyond2KiBAreParsed() throws Exception {
        String server = "Linux/5.4 UPnP/1.1 " + "x".repeat(3000);
        String s = "HTTP/1.1 200 OK\r\nSERVER: " + server + "\r\nST: upnp:rootdevice\r\nLOCATION: http://192.168.1.1:1/d.xml\r\n\r\n";
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        assertThat(b.length).isGreaterThan(2048).isLessThan(SsdpSearch.MAX_DATAGRAM);
        assertThat(parse(b).location()).isEqualTo("http://192.168.1.1:1/d.xml");
    }

    @Test
    void notifyErrorsAndAnswersWithoutLocationAreProtocolErrors() {
        for (String s : new String[] {"NOTIFY * HTTP/1.1\r\nLOCATION: http://1.2.3.4/\r\n\r\n",
            "HTTP/1.1 404 Not Found\r\nLOCATION: http://192.168.1.1/\r\n\r\n", "HTTP/1.1 200 OK\r\nST: x\r\n\r\n", ""}) {
            byte[] b = s.getBytes(StandardCharsets.US_ASCII);
            assertThatThrownBy(() -> parse(b)).isInstanceOf(PortMappingException.class);
        }
    }

    // ---- LOCATION rules (docs/quirks.md, docs/security.md) ----

    @Test
    void locationOnAPublicAddressIsIgnored() {
        assertThat(LanAddresses.candidates(URI.create("http://8.8.8.8/d.xml"), ip("192.168.1.1"), ip("192.168.1.1")))
                .isEmpty();
        assertThat(LanAddresses.candidates(URI.create("http://[2001:4860::8888]/d.xml"), ip("192.168.1.1"),
                ip("192.168.1.1"))).isEmpty();
        assertThat(LanAddresses.candidates(URI.create("https://192.168.1.1/d.xml"), ip("192.168.1.1"),
                ip("192.168.1.1"))).isEmpty();
    }

    @Test
    void locationOnTheGatewayOrTheAnsweringHostIsKept() {
        URI u = URI.create("http://198.18.0.1:2869/rootDesc.xml");
        assertThat(LanAddresses.candidates(u, ip("198.18.0.1"), ip("198.18.0.1"))).containsExactly(u);
    }

    @Test
    void locationOnIpv6LoopbackFromElsewhereIsRepointedAtTheAnsweringAddress() {
        assertThat(LanAddresses.candidates(URI.create("http://[::1]:1900/desc.xml"), ip("192.168.1.1"),
                ip("192.168.1.1"))).containsExactly(URI.create("http://192.168.1.1:1900/desc.xml"));
        assertThat(LanAddresses.candidates(URI.create("http://127.0.0.1:1900/desc.xml?x=1"), ip("192.168.1.1"),
                ip("192.168.1.1"))).containsExactly(URI.create("http://192.168.1.1:1900/desc.xml?x=1"));
    }

    @Test
    void locationOnIpv6LinkLocalWithoutZoneIsRepointed() {
        assertThat(LanAddresses.candidates(URI.create("http://[fe80::1]:5000/d.xml"), ip("192.168.1.1"),
                ip("192.168.1.1"))).containsExactly(URI.create("http://192.168.1.1:5000/d.xml"));
    }

    @Test
    void locationOnAFloatingVipIsTriedThenTheAnsweringAddress() {
        assertThat(LanAddresses.candidates(URI.create("http://192.168.1.254:5000/d.xml"), ip("192.168.1.1"),
                ip("192.168.1.1"))).containsExactly(URI.create("http://192.168.1.254:5000/d.xml"),
                        URI.create("http://192.168.1.1:5000/d.xml"));
    }

    @Test
    void locationWithAHostNameIsNotResolvedButRepointed() {
        assertThat(LanAddresses.candidates(URI.create("http://router.lan:5000/d.xml"), ip("192.168.1.1"),
                ip("192.168.1.1"))).containsExactly(URI.create("http://192.168.1.1:5000/d.xml"));
    }

    @Test
    void ipv6AddressesAreSentInRfc5952Form() {
        assertThat(LanAddresses.text(ip("2001:db8:1:0:0:0:0:2"))).isEqualTo("2001:db8:1::2");
        assertThat(LanAddresses.text(ip("::1"))).isEqualTo("::1");
        assertThat(LanAddresses.text(ip("::"))).isEqualTo("::");
        assertThat(LanAddresses.text(ip("2001:0:0:1:0:0:0:1"))).isEqualTo("2001:0:0:1::1");
        assertThat(LanAddresses.text(ip("2001:db8:0:1:1:1:1:1"))).isEqualTo("2001:db8:0:1:1:1:1:1");
        assertThat(LanAddresses.text(ip("fe80::1%1"))).isEqualTo("fe80::1");
        assertThat(LanAddresses.text(ip("198.18.0.2"))).isEqualTo("198.18.0.2");
    }

    @Test
    void answeringHostOnAPublicAddressCannotBeARepointTarget() {
        assertThat(LanAddresses.candidates(URI.create("http://[::1]:1900/d.xml"), ip("203.0.113.9"),
                ip("192.168.1.1"))).isEmpty();
    }
}
