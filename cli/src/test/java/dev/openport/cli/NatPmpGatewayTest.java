package dev.openport.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every sub-command against an in-process NAT-PMP gateway on loopback, text and JSON. */
class NatPmpGatewayTest extends LoopbackNatPmpCliTest {
    static int closedUdpPort() throws Exception {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            return s.getLocalPort();
        }
    }

    @Test
    void mapPrintsWhereTheOutsideConnectsAndRemembersTheMapping() throws Exception {
        Cli.Result r = Cli.run(cli("map", "25565/tcp"));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out().strip()).isEqualTo(
                "mapped 203.0.113.7:25565/tcp -> 127.0.0.1:25565 via NAT-PMP (gateway 127.0.0.1), lease 2h");
        assertThat(r.err()).isEmpty();
        assertThat(gw.nonDeletes()).containsExactly(new FakeNatPmpGateway.MapRequest(2, 25565, 25565, 7200));
        List<StateFile.Entry> saved = state().read();
        assertThat(saved).hasSize(1);
        assertThat(saved.get(0).externalPort()).isEqualTo(25565);
        assertThat(saved.get(0).lifetimeSeconds()).isEqualTo(7200);
        assertThat(saved.get(0).gateway().getHostAddress()).isEqualTo("127.0.0.1");
    }

    @Test
    void mapJsonHasTheDocumentedFields() {
        Cli.Result r = Cli.run(cli("map", "27015/both", "--lifetime", "30m", "--description", "cs", "--json"));
        assertThat(r.code()).as(r.err()).isZero();
        Map<String, Object> doc = r.json();
        assertThat(doc.get("command")).isEqualTo("map");
        assertThat(doc.get("ok")).isEqualTo(true);
        assertThat(doc.get("keep")).isEqualTo(false);
        assertThat(Cli.list(doc.get("warnings"))).isEmpty();
        List<Map<String, Object>> ms = Cli.list(doc.get("mappings"));
        assertThat(ms).extracting(m -> m.get("transport")).containsExactly("tcp", "udp");
        assertThat(ms.get(1)).containsEntry("internalAddress", "127.0.0.1").containsEntry("internalPort", 27015L)
                .containsEntry("externalAddress", "203.0.113.7").containsEntry("externalPort", 27015L)
                .containsEntry("requestedExternalPort", 27015L).containsEntry("protocol", "natpmp")
                .containsEntry("gateway", "127.0.0.1").containsEntry("lifetimeSeconds", 1800L)
                .containsEntry("permanent", false).containsEntry("description", "cs")
                .containsEntry("addressClass", "public").containsEntry("reachable", true);
        assertThat((String) ms.get(1).get("expiresAt")).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
        // op 2 = TCP, op 1 = UDP (RFC 6886 §3.3)
        assertThat(gw.nonDeletes()).extracting(FakeNatPmpGateway.MapRequest::op).containsExactly(2, 1);
    }

    @Test
    void doubleNatIsAWarningNeverAReachableAddress() {
        gw.externalAddress = new byte[] {100, 64, 0, 1};
        Cli.Result r = Cli.run(cli("map", "25565"));
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("mapped 100.64.0.1:25565/tcp");
        assertThat(r.err()).contains("warning: double NAT").contains("100.64.0.1:25565")
                .contains("not reachable from the internet");

        Map<String, Object> doc = Cli.run(cli("map", "25566", "--json")).json();
        Map<String, Object> m = Cli.list(doc.get("mappings")).get(0);
        assertThat(m).containsEntry("addressClass", "cgnat").containsEntry("reachable", false);
        assertThat(Cli.list(doc.get("warnings"))).isNotEmpty();

        Cli.Result ip = Cli.run(cli("external-ip"));
        assertThat(ip.out().strip()).isEqualTo("100.64.0.1");
        assertThat(ip.err()).contains("double NAT");
    }

    @Test
    void gatewayChosenPortIsReported() {
        gw.grantPort = 40000;
        Cli.Result r = Cli.run(cli("map", "25565"));
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("203.0.113.7:40000/tcp -> 127.0.0.1:25565")
                .contains("asked for external port 25565, the gateway chose 40000");
    }

    @Test
    void refusedMappingExitsOneWithOneLine() throws Exception {
        gw.mapResult = 2; // NOT_AUTHORIZED
        Cli.Result r = Cli.run(cli("map", "80"));
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.oneErrorLine()).startsWith("openport: ").contains("many routers allow only ports 1024-65535");
        assertThat(r.out()).isEmpty();
        assertThat(state().read()).isEmpty();

        Cli.Result j = Cli.run(cli("map", "80", "--json"));
        assertThat(j.code()).isEqualTo(1);
        Map<String, Object> doc = j.json();
        assertThat(doc.get("ok")).isEqualTo(false);
        assertThat(Cli.obj(doc.get("error"))).containsEntry("reason", "NOT_AUTHORIZED")
                .containsEntry("exitCode", 1L);
    }

    @Test
    void aFailureHalfwayRemovesWhatWasMade() throws Exception {
        gw.mapResult = 0;
        gw.refuseInternalPort = 9090; // the second port fails (NO_RESOURCES); was a racy flip thread
        Cli.Result r = Cli.run(cli("map", "8080", "9090"));
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.oneErrorLine()).contains("full");
        assertThat(state().read()).isEmpty();
        assertThat(gw.deletes()).extracting(FakeNatPmpGateway.MapRequest::internalPort).contains(8080);
    }

    @Test
    void silentGatewayAfterProbeIsExitFour() {
        gw.dropMaps = true;
        long start = System.nanoTime();
        Cli.Result r = Cli.run(cli("map", "25565", "--timeout", "700ms"));
        assertThat(r.code()).as(r.err()).isEqualTo(4);
        assertThat(r.oneErrorLine()).contains("try again, or raise --timeout");
        assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(5000);
    }

    @Test
    void unmapUsesTheStateEntryAndForgetsIt() throws Exception {
        assertThat(Cli.run(cli("map", "25565/both")).code()).isZero();
        assertThat(state().read()).hasSize(2);

        Cli.Result r = Cli.run(cli("unmap", "25565/tcp"));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out().strip()).isEqualTo(
                "removed 203.0.113.7:25565/tcp -> 127.0.0.1:25565 (NAT-PMP, gateway 127.0.0.1)");
        assertThat(gw.deletes()).containsExactly(new FakeNatPmpGateway.MapRequest(2, 25565, 0, 0));
        assertThat(state().read()).extracting(e -> e.transport().lowerName()).containsExactly("udp");

        Cli.Result j = Cli.run(cli("unmap", "25565/udp", "--json"));
        assertThat(j.code()).isZero();
        Map<String, Object> doc = j.json();
        assertThat(doc.get("ok")).isEqualTo(true);
        assertThat(Cli.list(doc.get("removed")).get(0)).containsEntry("transport", "udp")
                .containsEntry("externalPort", 25565L).containsEntry("protocol", "natpmp");
        assertThat(state().read()).isEmpty();
    }

    @Test
    void unmapWithoutARecordDeletesByPort() {
        Cli.Result r = Cli.run(cli("unmap", "8080/udp"));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("removed ?:8080/udp -> 127.0.0.1:8080");
        assertThat(gw.deletes()).containsExactly(new FakeNatPmpGateway.MapRequest(1, 8080, 0, 0));
    }

    @Test
    void unmapAllMineRemovesEverythingRecorded() throws Exception {
        assertThat(Cli.run(cli("map", "8080", "9000/udp")).code()).isZero();
        Cli.Result r = Cli.run(cli("unmap", "--all-mine", "--json"));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(Cli.list(r.json().get("removed"))).hasSize(2);
        assertThat(gw.deletes()).extracting(FakeNatPmpGateway.MapRequest::internalPort)
                .containsExactlyInAnyOrder(8080, 9000);
        assertThat(state().read()).isEmpty();
    }

    @Test
    void listAfterMapShowsWhatWeMade() {
        assertThat(Cli.run(cli("map", "25565")).code()).isZero();
        Cli.Result r = Cli.run(cli("list"));
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("tcp", "203.0.113.7:25565", "127.0.0.1:25565", "NAT-PMP", "openport");
        Map<String, Object> doc = Cli.run(cli("list", "--json")).json();
        assertThat(doc.get("source")).isEqualTo("state");
        assertThat(Cli.list(doc.get("mappings"))).hasSize(1);
    }

    @Test
    void externalIp() {
        Cli.Result r = Cli.run(cli("external-ip"));
        assertThat(r.code()).isZero();
        assertThat(r.out()).isEqualTo("203.0.113.7" + System.lineSeparator());
        Map<String, Object> doc = Cli.run(cli("external-ip", "--json")).json();
        assertThat(doc).containsEntry("command", "external-ip").containsEntry("ok", true)
                .containsEntry("externalAddress", "203.0.113.7").containsEntry("addressClass", "public")
                .containsEntry("reachable", true).containsEntry("gateway", "127.0.0.1")
                .containsEntry("protocol", "natpmp");
    }

    @Test
    void discoverReportsEachProtocolAndItsTime() throws Exception {
        // a NAT-PMP-only router: PCP on the same port gets "unsupported version", nothing speaks SSDP
        String[] args = {"discover", "--gateway", "127.0.0.1", "--natpmp-port", String.valueOf(gw.port()),
            "--pcp-port", String.valueOf(gw.port()), "--ssdp-port", String.valueOf(closedUdpPort()),
            "--no-multicast", "--timeout", "1s"};
        Cli.Result r = Cli.run(args);
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("gateway 127.0.0.1").containsPattern("NAT-PMP +answered in \\d+ ms")
                .containsPattern("PCP +no answer").containsPattern("UPnP +no answer")
                .contains("external address 203.0.113.7");

        String[] json = Arrays.copyOf(args, args.length + 1);
        json[args.length] = "--json";
        Map<String, Object> doc = Cli.run(json).json();
        Map<String, Object> g = Cli.list(doc.get("gateways")).get(0);
        assertThat(g).containsEntry("address", "127.0.0.1").containsEntry("externalAddress", "203.0.113.7");
        List<Map<String, Object>> ps = Cli.list(g.get("protocols"));
        assertThat(ps).extracting(p -> p.get("protocol")).containsExactly("pcp", "natpmp", "upnp");
        assertThat(ps.get(1)).containsEntry("name", "NAT-PMP").containsEntry("answered", true);
        assertThat(ps.get(1).get("millis")).isInstanceOf(Long.class);
        assertThat(ps.get(0)).containsEntry("answered", false).containsEntry("millis", null);
    }

    @Test
    void autoPicksNatPmpOnANatPmpOnlyRouter() throws Exception {
        Cli.Result r = Cli.run("map", "25565", "--gateway", "127.0.0.1", "--natpmp-port",
                String.valueOf(gw.port()), "--pcp-port", String.valueOf(gw.port()), "--ssdp-port",
                String.valueOf(closedUdpPort()), "--no-multicast", "--timeout", "1s", "--state-file",
                state().path().toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("via NAT-PMP");
    }

    @Test
    void nothingAnsweringIsExitThreeWithOneLine() throws Exception {
        String closed = String.valueOf(closedUdpPort());
        String[] args = {"external-ip", "--gateway", "127.0.0.1", "--natpmp-port", closed, "--pcp-port", closed,
            "--ssdp-port", closed, "--no-multicast", "--timeout", "300ms"};
        Cli.Result r = Cli.run(args);
        assertThat(r.code()).isEqualTo(3);
        assertThat(r.oneErrorLine()).isEqualTo("openport: no gateway answered on 127.0.0.1 (tried PCP, NAT-PMP, UPnP)"
                + " — is UPnP/NAT-PMP enabled on your router?");
        assertThat(r.out()).isEmpty();

        String[] json = Arrays.copyOf(args, args.length + 1);
        json[args.length] = "--json";
        Cli.Result j = Cli.run(json);
        assertThat(j.code()).isEqualTo(3);
        assertThat(Cli.obj(j.json().get("error"))).containsEntry("reason", "GATEWAY_NOT_FOUND")
                .containsEntry("exitCode", 3L);

        Cli.Result d = Cli.run("discover", "--gateway", "127.0.0.1", "--natpmp-port", closed, "--pcp-port", closed,
                "--ssdp-port", closed, "--no-multicast", "--timeout", "300ms");
        assertThat(d.code()).isEqualTo(3);
        assertThat(d.oneErrorLine()).contains("no gateway answered on 127.0.0.1");
    }

    @Test
    void keepRenewsAtHalfTheLeaseAndRemovesOnStop() throws Exception {
        KeepRun run = KeepRun.start(cli("map", "25565", "--keep", "--lifetime", "2s"));
        // 2 s lease: core renews after ~1 s, and the CLI reports it
        run.waitFor(() -> gw.nonDeletes().size() >= 2 && run.out().contains("renewed"), 6000);
        assertThat(state().read()).hasSize(1);
        assertThat(run.stop()).as(run.err()).isZero();
        assertThat(gw.deletes()).containsExactly(new FakeNatPmpGateway.MapRequest(2, 25565, 0, 0));
        assertThat(run.out()).contains("mapped 203.0.113.7:25565/tcp", "keeping 1 mapping", "renewed",
                "removed 203.0.113.7:25565/tcp");
        assertThat(state().read()).isEmpty();
    }

    @Test
    @org.junit.jupiter.api.condition.DisabledOnOs(org.junit.jupiter.api.condition.OS.WINDOWS)
    void keepWithJsonPrintsOneEventPerLineAndRunsTheHook() throws Exception {
        java.nio.file.Path hookOut = java.nio.file.Files.createTempFile("openport-hook", ".txt");
        KeepRun run = KeepRun.start(cli("map", "7000/udp", "--keep", "--lifetime", "2s", "--json",
                "--on-change", "echo \"$OPENPORT_EVENT $OPENPORT_EXTERNAL_IP $OPENPORT_EXTERNAL_PORT "
                        + "$OPENPORT_TRANSPORT $OPENPORT_PROTOCOL\" >> '" + hookOut + "'"));
        int code;
        try {
            run.waitFor(() -> run.out().contains("\"renewed\""), 6000);
            run.waitFor(() -> readQuietly(hookOut).contains("mapped"), 6000);
        } finally {
            code = run.stop();
        }
        assertThat(code).as(run.err()).isZero();
        // the hook heard of the mapping once (a renewal that changes nothing is no event for it)
        assertThat(readQuietly(hookOut).strip()).isEqualTo("mapped 203.0.113.7 7000 udp natpmp");
        List<String> events = new java.util.ArrayList<>();
        for (String line : run.out().strip().lines().toList()) {
            Map<String, Object> doc = Cli.obj(Json.parse(line)); // every line one JSON object
            events.add((String) doc.get("event"));
        }
        assertThat(events.get(0)).isEqualTo("mapped");
        assertThat(events).contains("renewed").endsWith("removed");
        java.nio.file.Files.deleteIfExists(hookOut);
    }

    private static String readQuietly(java.nio.file.Path p) {
        try {
            return java.nio.file.Files.readString(p);
        } catch (java.io.IOException e) {
            return "";
        }
    }

    @Test
    void keepReportsARouterRebootAndTheRestoredMapping() throws Exception {
        KeepRun run = KeepRun.start(cli("map", "7777/udp", "--keep", "--lifetime", "2s"));
        run.waitFor(() -> run.out().contains("keeping 1 mapping"), 5000);
        gw.reboot();
        // the next renewal sees the epoch go backwards: core re-creates the mapping, the CLI says so
        run.waitFor(() -> run.err().contains("restored"), 8000);
        assertThat(run.stop()).isZero();
        assertThat(run.err()).contains("lost 203.0.113.7:7777/udp");
        assertThat(gw.deletes()).extracting(FakeNatPmpGateway.MapRequest::internalPort).containsExactly(7777);
        assertThat(state().read()).isEmpty();
    }
}
