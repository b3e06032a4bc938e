package dev.openport.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code map --keep --echo}: each kept mapping is proven from outside through the echo service; a failed proof is
 * reported and repaired by core (Delete + Add on the loopback NAT-PMP fake), a proof that holds repairs nothing.
 * The echo service delivers to 127.0.0.1, playing the NAT behind the fake's external address 203.0.113.7.
 */
class KeepEchoTest extends LoopbackNatPmpCliTest {
    static final InetAddress LO = InetAddress.getLoopbackAddress();

    CheckEchoServer echo;

    @BeforeEach
    void startEcho() throws Exception {
        echo = new CheckEchoServer();
        echo.deliverTo = LO;
    }

    @AfterEach
    void stopEcho() throws Exception {
        echo.close();
    }

    static int freeTcpPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, LO)) {
            return s.getLocalPort();
        }
    }

    @Test
    void aFailedProofIsReportedAndRepairedWithDeleteAndAddAndAHoldingOneRepairsNothing() throws Exception {
        int port = freeTcpPort();
        KeepRun run = KeepRun.start(cli("map", port + "/tcp", "--keep", "--echo", echo.hostPort(),
                "--echo-interval", "1s", "--verify-interval", "0"));
        try {
            run.waitFor(() -> run.out().contains("reachable 203.0.113.7:" + port + "/tcp"), 8000);
            run.waitFor(() -> echo.requests.get() >= 3, 8000); // three proofs that held
            assertThat(gw.deletes()).as("a proof that holds repairs nothing").isEmpty();
            assertThat(gw.nonDeletes()).hasSize(1);
            assertThat(run.out()).containsOnlyOnce("reachable 203.0.113.7:" + port + "/tcp -> 127.0.0.1:" + port
                    + " from outside (the echo service's packet arrived, ");

            echo.forwarding = false; // the router still lists the entry; nothing gets through
            run.waitFor(() -> run.err().contains("unreachable 203.0.113.7:" + port + "/tcp"), 8000);
            run.waitFor(() -> !gw.deletes().isEmpty() && gw.nonDeletes().size() >= 2, 8000);
            echo.forwarding = true; // the repair worked: proven again, said once more
            assertThat(run.err()).contains("warning: unreachable 203.0.113.7:" + port + "/tcp -> 127.0.0.1:" + port
                    + " from outside: the echo service answered: FAILED connect timed out; repairing it (delete"
                    + " + add), next proof in 1s");
            assertThat(gw.deletes().get(0).internalPort()).isEqualTo(port);
            // our line first, then core's account of the repair
            run.waitFor(() -> run.err().contains("restored 203"), 8000);
            assertThat(run.err().indexOf("unreachable 203")).isLessThan(run.err().indexOf("restored 203"));
            run.waitFor(() -> run.out().split("reachable 203", -1).length - 1 == 2, 12000);
        } finally {
            assertThat(run.stop()).as(run.err()).isZero();
        }
        assertThat(run.out()).contains("removed 203.0.113.7:" + port + "/tcp");
    }

    @Test
    void jsonEventsAndATcpPortAProgramListensOnIsProvenByTheAcceptedConnection() throws Exception {
        try (ServerSocket app = new ServerSocket(0, 50, LO)) { // the service itself holds the port
            int port = app.getLocalPort();
            KeepRun run = KeepRun.start(cli("map", port + "/tcp", "--keep", "--json", "--echo", echo.hostPort(),
                    "--echo-interval", "1s", "--verify-interval", "0"));
            try {
                // the event, not the mapping's "reachable":true (its address class) that the mapped line carries
                run.waitFor(() -> run.out().contains("\"event\":\"reachable\""), 8000);
                echo.forwarding = false;
                run.waitFor(() -> run.out().contains("\"event\":\"unreachable\"") && !gw.deletes().isEmpty(),
                        8000);
            } finally {
                assertThat(run.stop()).as(run.err()).isZero();
            }
            List<Map<String, Object>> events = run.out().strip().lines().map(l -> Cli.obj(Json.parse(l))).toList();
            Map<String, Object> reachable = events.stream().filter(e -> e.get("event").equals("reachable"))
                    .findFirst().orElseThrow(() -> new AssertionError("no reachable event in:\n" + run.out()));
            assertThat(reachable).containsEntry("transport", "tcp");
            assertThat((String) reachable.get("detail")).contains("connected to 203.0.113.7:" + port);
            assertThat(Cli.obj(reachable.get("mapping"))).containsEntry("externalPort", (long) port);
            Map<String, Object> unreachable = events.stream().filter(e -> e.get("event").equals("unreachable"))
                    .findFirst().orElseThrow();
            assertThat((String) unreachable.get("detail")).contains("FAILED");
            assertThat(events.get(events.size() - 1)).containsEntry("event", "removed");
        }
    }

    @Test
    void aUdpPortAProgramHoldsCannotBeProvenAndIsNeverRepairedForIt() throws Exception {
        try (DatagramSocket app = new DatagramSocket(new InetSocketAddress(LO, 0))) {
            int port = app.getLocalPort();
            echo.forwarding = false; // even a dead path: an unprovable port is not "unreachable"
            KeepRun run = KeepRun.start(cli("map", port + "/udp", "--keep", "--echo", echo.hostPort(),
                    "--echo-interval", "1s", "--verify-interval", "0"));
            try {
                run.waitFor(() -> run.err().contains("not proven from outside while a program uses port " + port
                        + "/udp"), 8000);
                Thread.sleep(Duration.ofMillis(2500).toMillis()); // two more rounds
            } finally {
                assertThat(run.stop()).as(run.err()).isZero();
            }
            assertThat(run.err()).containsOnlyOnce("not proven from outside").doesNotContain("unreachable");
            assertThat(gw.deletes()).hasSize(1); // the removal on stop, nothing before it
        }
    }

    @Test
    void echoOptionsAreCheckedBeforeAnythingIsSent() {
        Cli.Result noKeep = Cli.run(cli("map", "25565", "--echo", echo.hostPort()));
        assertThat(noKeep.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(noKeep.oneErrorLine()).contains("--echo").contains("needs --keep").contains("openport check");
        Cli.Result noEcho = Cli.run(cli("map", "25565", "--keep", "--echo-interval", "5s"));
        assertThat(noEcho.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(noEcho.oneErrorLine()).contains("--echo-interval needs --echo");
        Cli.Result bad = Cli.run(cli("map", "25565", "--keep", "--echo", "[2001:db8::2]"));
        assertThat(bad.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(bad.oneErrorLine()).contains("[v6]:port");
        assertThat(gw.nonDeletes()).isEmpty();
    }

    @Test
    void backOffDoublesAfterTheFirstFailedRoundUpToTenMinutes() {
        Duration i = Duration.ofSeconds(60);
        assertThat(EchoWatch.nextDelay(i, 0)).isEqualTo(i);
        assertThat(EchoWatch.nextDelay(i, 1)).isEqualTo(i);
        assertThat(EchoWatch.nextDelay(i, 2)).isEqualTo(Duration.ofSeconds(120));
        assertThat(EchoWatch.nextDelay(i, 4)).isEqualTo(Duration.ofSeconds(480));
        assertThat(EchoWatch.nextDelay(i, 5)).isEqualTo(Duration.ofMinutes(10));
        assertThat(EchoWatch.nextDelay(i, 50)).isEqualTo(Duration.ofMinutes(10));
        assertThat(EchoWatch.nextDelay(Duration.ofMinutes(30), 3)).isEqualTo(Duration.ofMinutes(30));
    }

    @Test
    void anEchoServiceResolvesPerFamily() throws Exception {
        EchoTarget t = EchoTarget.parse("[::1]:7777");
        assertThat(t.forFamilyOf(InetAddress.getByName("2001:db8::5"))).hasValue(
                new InetSocketAddress(InetAddress.getByName("::1"), 7777));
        assertThat(t.forFamilyOf(InetAddress.getByName("203.0.113.7"))).isEmpty();
        assertThat(EchoTarget.parse("127.0.0.1:7").forFamilyOf(InetAddress.getByName("2001:db8::5"))).isEmpty();
        // repeated --echo: one service per family, each with its own port
        EchoTarget both = EchoTarget.parse("127.0.0.1:7").and(t);
        assertThat(both.forFamilyOf(InetAddress.getByName("203.0.113.7"))).hasValue(
                new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 7));
        assertThat(both.forFamilyOf(InetAddress.getByName("2001:db8::5"))).hasValue(
                new InetSocketAddress(InetAddress.getByName("::1"), 7777));
        assertThat(both.hasIpv6()).isTrue();
        assertThat(both.text()).isEqualTo("127.0.0.1:7, [::1]:7777");
    }
}
