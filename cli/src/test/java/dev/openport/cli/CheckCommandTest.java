package dev.openport.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code openport check} against a NAT-PMP gateway and a "what is my IP" DNS server, both on loopback. */
class CheckCommandTest extends LoopbackNatPmpCliTest {
    CheckDnsResponder dns;

    @BeforeEach
    void startDns() throws Exception {
        dns = new CheckDnsResponder();
        dns.override = InetAddress.getByName("203.0.113.7"); // what the fake gateway reports: they agree
    }

    @AfterEach
    void stopDns() {
        dns.close();
    }

    /** {@code check args} with the test resolver (unless the args name one) against the NAT-PMP fake. */
    @Override
    String[] cli(String... args) {
        Stream<String> resolver = Arrays.asList(args).contains("--resolver")
                || Arrays.asList(args).contains("--no-public-check") ? Stream.of()
                : Stream.of("--resolver", dns.hostPort());
        return super.cli(Stream.of(Stream.of("check"), Arrays.stream(args), resolver).flatMap(x -> x)
                .toArray(String[]::new));
    }

    @Test
    void publicAddressAgreesWithTheRouters() {
        Cli.Result r = CheckCli.run(cli());
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("gateway 127.0.0.1")
                .containsPattern("NAT-PMP +answered in \\d+ ms")
                .contains("  external address 203.0.113.7 (public)")
                .contains("public address 203.0.113.7 (public), as " + dns.hostPort() + " sees it "
                        + "(myip.opendns.com A, ")
                .contains("agree: the router's external address is what the internet sees (router 203.0.113.7, "
                        + "internet 203.0.113.7)")
                .contains("reachability: not proven: no --echo service was asked");
        assertThat(r.err()).isEmpty();
    }

    @Test
    void jsonHasTheDocumentedFields() {
        Map<String, Object> doc = CheckCli.run(cli("--json")).json();
        assertThat(doc.keySet()).containsExactly("command", "ok", "gateways", "resolvers", "publicAddress",
                "publicAddressError", "agrees", "finding", "summary", "advice", "behindAnotherNat", "mappings",
                "reachability");
        assertThat(doc).containsEntry("command", "check").containsEntry("ok", true)
                .containsEntry("agrees", true).containsEntry("finding", "agree")
                .containsEntry("behindAnotherNat", false).containsEntry("advice", null)
                .containsEntry("resolvers", List.of(dns.hostPort()));
        Map<String, Object> g = Cli.list(doc.get("gateways")).get(0);
        assertThat(g).containsEntry("address", "127.0.0.1").containsEntry("externalAddress", "203.0.113.7")
                .containsEntry("addressClass", "public").containsEntry("public", true);
        List<Map<String, Object>> ps = Cli.list(g.get("protocols"));
        assertThat(ps).extracting(p -> p.get("protocol")).containsExactly("pcp", "natpmp", "upnp");
        assertThat(ps.get(1)).containsEntry("answered", true);
        assertThat(((Number) ps.get(1).get("millis")).longValue()).isBetween(0L, 2000L);
        assertThat(ps.get(0)).containsEntry("answered", false).containsEntry("millis", null);
        Map<String, Object> pub = Cli.obj(doc.get("publicAddress"));
        assertThat(pub).containsEntry("address", "203.0.113.7").containsEntry("addressClass", "public")
                .containsEntry("resolver", dns.hostPort()).containsEntry("queryName", "myip.opendns.com")
                .containsEntry("queryType", "A");
        assertThat(Cli.obj(doc.get("reachability"))).containsEntry("tested", false)
                .containsEntry("proven", false);
        assertThat(Cli.list(doc.get("mappings"))).isEmpty();
    }

    @Test
    void cgnatExternalAddressIsNamedWithAdviceAndExitOne() {
        gw.externalAddress = new byte[] {100, 64, 0, 1};
        Cli.Result r = CheckCli.run(cli());
        assertThat(r.code()).isEqualTo(ExitCodes.FAILED);
        assertThat(r.out()).contains("external address 100.64.0.1 (cgnat)")
                .contains("cgnat: carrier-grade NAT")
                .contains("advice: ").contains("PCP").contains("ISP");
        Map<String, Object> doc = CheckCli.run(cli("--json")).json();
        assertThat(doc).containsEntry("ok", false).containsEntry("finding", "cgnat")
                .containsEntry("behindAnotherNat", true).containsEntry("agrees", false);
    }

    @Test
    void privateExternalAddressIsDoubleNatAndSuggestsBridgeMode() {
        gw.externalAddress = new byte[] {(byte) 192, (byte) 168, 1, 2};
        Cli.Result r = CheckCli.run(cli());
        assertThat(r.code()).isEqualTo(ExitCodes.FAILED);
        assertThat(r.out()).contains("external address 192.168.1.2 (private)")
                .contains("double-nat: double NAT").contains("bridge mode");
    }

    @Test
    void internetSeesAnotherAddressThanTheRouterSays() throws Exception {
        dns.override = InetAddress.getByName("198.51.100.9");
        Map<String, Object> doc = CheckCli.run(cli("--json")).json();
        assertThat(doc).containsEntry("finding", "disagree").containsEntry("agrees", false)
                .containsEntry("behindAnotherNat", true);
        assertThat(Cli.obj(doc.get("publicAddress"))).containsEntry("address", "198.51.100.9");
    }

    @Test
    void silentResolverLeavesThePublicAddressUnverified() {
        dns.silent = true;
        Cli.Result r = CheckCli.run(cli("--timeout", "500ms"));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("public address unknown: no DNS answer from " + dns.hostPort())
                .contains("unverified: ");
        Map<String, Object> doc = CheckCli.run(cli("--timeout", "500ms", "--json")).json();
        assertThat(doc).containsEntry("finding", "unverified").containsEntry("agrees", null)
                .containsEntry("publicAddress", null).containsEntry("behindAnotherNat", null);
        assertThat((String) doc.get("publicAddressError")).contains("no DNS answer");
    }

    @Test
    void noPublicCheckAsksNoResolver() {
        dns.override = null;
        Map<String, Object> doc = CheckCli.run(cli("--no-public-check", "--json")).json();
        assertThat(doc).containsEntry("resolvers", List.of()).containsEntry("publicAddress", null)
                .containsEntry("publicAddressError", null).containsEntry("finding", "unverified");
        assertThat(CheckCli.run(cli("--no-public-check")).out())
                .contains("public address not checked (--no-public-check)");
    }

    @Test
    void portIsMappedReadBackAndRemovedAgain() {
        Cli.Result r = CheckCli.run(cli("27015/udp"));
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("mapping udp: mapped 203.0.113.7:27015/udp -> 127.0.0.1:27015 via NAT-PMP")
                .contains("read back, the router holds it; removed again");
        // map, the renewal that reads it back, and the delete
        assertThat(gw.nonDeletes()).hasSize(2);
        assertThat(gw.deletes()).hasSize(1);
        Map<String, Object> doc = CheckCli.run(cli("27015/both", "--json")).json();
        List<Map<String, Object>> ms = Cli.list(doc.get("mappings"));
        assertThat(ms).extracting(m -> m.get("transport")).containsExactly("tcp", "udp");
        assertThat(ms).allSatisfy(m -> assertThat(m).containsEntry("readBack", "confirmed")
                .containsEntry("error", null).containsEntry("reachability", null));
        assertThat(Cli.obj(ms.get(0).get("mapping"))).containsEntry("externalPort", 27015L);
    }

    @Test
    void refusedMappingIsReportedAndFails() {
        gw.mapResult = 2; // NOT_AUTHORIZED
        Cli.Result r = CheckCli.run(cli("80/tcp"));
        assertThat(r.code()).isEqualTo(ExitCodes.FAILED);
        assertThat(r.out()).contains("mapping tcp: refused");
    }

    @Test
    void echoWithoutAPortIsAUsageError() {
        Cli.Result r = CheckCli.run(cli("--echo", "127.0.0.1:7"));
        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.oneErrorLine()).contains("--echo needs a port");
        assertThat(gw.addressRequests).isZero();
    }

    @Test
    void badResolverIsAUsageError() {
        Cli.Result r = CheckCli.run(cli("--resolver", "127.0.0.1:99999"));
        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.oneErrorLine()).contains("invalid port in resolver");
    }

    @Test
    void noGatewayAnsweringIsExitThree() throws Exception {
        int closed;
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            closed = s.getLocalPort();
        }
        String[] args = cli("--timeout", "300ms", "--json");
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--natpmp-port")) {
                args[i + 1] = String.valueOf(closed);
            }
        }
        Cli.Result r = CheckCli.run(args);
        assertThat(r.code()).isEqualTo(ExitCodes.NO_GATEWAY);
        assertThat(r.json()).containsEntry("ok", false);
    }

    @Test
    void echoServiceProvesTheMappedPortReachable() throws Exception {
        gw.externalAddress = new byte[] {127, 0, 0, 1}; // the "outside" reaches 127.0.0.1:port = our listener
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        try (CheckEchoServer echo = new CheckEchoServer()) {
            Cli.Result r = CheckCli.run(cli(port + "/tcp", "--echo", echo.hostPort()));
            assertThat(r.out()).as(r.err()).containsPattern("reachability tcp: proven — the echo service's "
                    + "packet arrived in \\d+ ms").doesNotContain("not proven");
            Map<String, Object> doc = CheckCli.run(cli(port + "/tcp", "--echo", echo.hostPort(), "--json")).json();
            assertThat(Cli.obj(doc.get("reachability"))).containsEntry("tested", true).containsEntry("proven", true)
                    .containsEntry("detail", null);
            Map<String, Object> m = Cli.list(doc.get("mappings")).get(0);
            assertThat(Cli.obj(m.get("reachability"))).containsEntry("arrived", true);
            // a loopback external address is no WAN address: the check fails although the echo arrived here
            assertThat(doc).containsEntry("finding", "no-wan-address").containsEntry("ok", false);
        }
    }

    @Test
    void anIpv6OnlyEchoServiceProvesNoIpv4MappingAndDoesNotFailTheCheckForIt() throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        // [::1] has no IPv4 address; with --gateway the IPv6 uplink is not ours to find: said, not failed
        Cli.Result r = CheckCli.run(cli(port + "/tcp", "--echo", "[::1]:7"));
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("reachability tcp: not proven — the echo service has no IPv4 address");
        assertThat(r.err()).contains("IPv6 not checked: --gateway names an IPv4 router");
        Map<String, Object> doc = CheckCli.run(cli(port + "/tcp", "--echo", "[::1]:7", "--json")).json();
        Map<String, Object> m = Cli.list(doc.get("mappings")).get(0);
        assertThat(m).containsEntry("family", "ipv4").containsEntry("reachability", null);
    }

    @Test
    void aTcpPortAProgramListensOnIsProvenByTheEchoServicesAcceptedConnection() throws Exception {
        gw.externalAddress = new byte[] {127, 0, 0, 1}; // the "outside" reaches 127.0.0.1:port = the program
        try (java.net.ServerSocket app = new java.net.ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                CheckEchoServer echo = new CheckEchoServer()) {
            int port = app.getLocalPort();
            Cli.Result r = CheckCli.run(cli(port + "/tcp", "--echo", echo.hostPort()));
            assertThat(r.out()).as(r.err()).containsPattern("reachability tcp: proven — the echo service connected "
                    + "to 127.0.0.1:" + port + " \\(a program here listens on the port\\) in \\d+ ms");
            Map<String, Object> m = Cli.list(CheckCli.run(cli(port + "/tcp", "--echo", echo.hostPort(), "--json"))
                    .json().get("mappings")).get(0);
            assertThat(Cli.obj(m.get("reachability"))).containsEntry("arrived", false).containsEntry("proven", true)
                    .containsEntry("outcome", "connected");
        }
    }

    @Test
    void echoThatCannotReachTheExternalPortSaysNotReachable() throws Exception {
        gw.externalAddress = new byte[] {127, 0, 0, 1};
        int internal;
        int external;
        try (java.net.ServerSocket a = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                java.net.ServerSocket b = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            internal = a.getLocalPort();
            external = b.getLocalPort();
        }
        gw.grantPort = external; // the router forwards a port where nothing listens
        try (CheckEchoServer echo = new CheckEchoServer()) {
            Cli.Result r = CheckCli.run(cli(internal + "/tcp", "--echo", echo.hostPort()));
            assertThat(r.code()).isEqualTo(ExitCodes.FAILED);
            assertThat(r.out()).contains("reachability tcp: not reachable — the echo service answered: FAILED");
        }
    }

    @Test
    void helpTeachesWithExamples() {
        Cli.Result r = CheckCli.run("check", "--help");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("Usage: openport check", "Examples:", "--resolver", "--echo",
                "--query-name", "--no-public-check", "--json", "--timeout", "--gateway", "Exit codes:");
    }
}
