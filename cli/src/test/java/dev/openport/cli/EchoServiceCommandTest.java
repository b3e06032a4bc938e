package dev.openport.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code openport echo-service} end to end on loopback: the service the command runs proves a {@code check --echo}
 * (the NAT-PMP fake reports 127.0.0.1 as its external address, so the "outside" is this host), refuses to reach an
 * address that is not the requester's, prints a line per request, and stops on Ctrl-C (an interrupt here).
 */
class EchoServiceCommandTest extends LoopbackNatPmpCliTest {
    static final Pattern LISTENING = Pattern.compile("echo service listening on 127\\.0\\.0\\.1:(\\d+); stop with");

    String[] check(String... args) {
        return cli(java.util.stream.Stream.concat(java.util.stream.Stream.of("check", "--no-public-check"),
                java.util.Arrays.stream(args)).toArray(String[]::new));
    }

    static int freeTcpPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Starts {@code echo-service --listen 127.0.0.1:0 extra...} and returns it with its port. */
    static KeepRun echoService(int[] port, String... extra) throws InterruptedException {
        String[] args = java.util.stream.Stream.concat(java.util.stream.Stream.of("echo-service", "--listen",
                "127.0.0.1:0"), java.util.Arrays.stream(extra)).toArray(String[]::new);
        KeepRun run = KeepRun.start(args);
        if (extra.length == 0) {
            run.waitFor(() -> LISTENING.matcher(run.out()).find(), 8000);
            Matcher m = LISTENING.matcher(run.out());
            assertThat(m.find()).isTrue();
            port[0] = Integer.parseInt(m.group(1));
        } else {
            run.waitFor(() -> run.out().contains("\"event\":\"listening\""), 8000);
            Map<String, Object> doc = Cli.obj(Json.parse(run.out().lines().findFirst().orElseThrow()));
            port[0] = ((Number) doc.get("port")).intValue();
        }
        return run;
    }

    @Test
    void checkEchoIsProvenThroughTheServiceAndAForeignAddressIsRefused() throws Exception {
        int[] echoPort = new int[1];
        KeepRun run = echoService(echoPort);
        try {
            gw.externalAddress = new byte[] {127, 0, 0, 1};
            int port = freeTcpPort();
            Cli.Result ok = CheckCli.run(check(port + "/tcp", "--echo", "127.0.0.1:" + echoPort[0]));
            assertThat(ok.out()).as(ok.err()).containsPattern("reachability tcp: proven — the echo service's "
                    + "packet arrived in \\d+ ms");
            int udp = freeTcpPort();
            Cli.Result okUdp = CheckCli.run(check(udp + "/udp", "--echo", "127.0.0.1:" + echoPort[0]));
            assertThat(okUdp.out()).as(okUdp.err()).containsPattern("reachability udp: proven");
            run.waitFor(() -> run.out().contains("asked UDP 127.0.0.1:" + udp + ": SENT"), 5000);
            assertThat(run.out()).containsPattern("(?m)^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ 127\\.0\\.0\\.1 "
                    + "asked TCP 127\\.0\\.0\\.1:" + port + ": SENT$");

            gw.externalAddress = new byte[] {(byte) 203, 0, 113, 7}; // not the requester (127.0.0.1): refused
            int other = freeTcpPort();
            Cli.Result refused = CheckCli.run(check(other + "/tcp", "--echo", "127.0.0.1:" + echoPort[0]));
            assertThat(refused.code()).isEqualTo(1);
            assertThat(refused.out() + refused.err()).contains("FAILED not your address")
                    .doesNotContain("reachability tcp: proven");
            run.waitFor(() -> run.out().contains("asked TCP 203.0.113.7:" + other + ": FAILED not your address"),
                    5000);
        } finally {
            assertThat(run.stop()).isZero();
        }
        assertThat(run.err()).isEmpty();
        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().startsWith("openport-echo"));
    }

    @Test
    void jsonIsOneObjectPerLine() throws Exception {
        int[] echoPort = new int[1];
        KeepRun run = echoService(echoPort, "--json");
        try {
            gw.externalAddress = new byte[] {127, 0, 0, 1};
            int port = freeTcpPort();
            CheckCli.run(check(port + "/tcp", "--echo", "127.0.0.1:" + echoPort[0]));
            run.waitFor(() -> run.out().lines().count() >= 2, 5000);
        } finally {
            assertThat(run.stop()).isZero();
        }
        List<String> lines = run.out().lines().toList();
        Map<String, Object> listening = Cli.obj(Json.parse(lines.get(0)));
        assertThat(listening).containsEntry("command", "echo-service").containsEntry("event", "listening")
                .containsEntry("address", "127.0.0.1");
        Map<String, Object> request = Cli.obj(Json.parse(lines.get(1)));
        assertThat(request).containsEntry("event", "request").containsEntry("requester", "127.0.0.1")
                .containsEntry("answer", "SENT").containsEntry("sent", true);
        assertThat((String) request.get("asked")).startsWith("TCP 127.0.0.1:");
    }

    @Test
    void usageErrorsAndHelp() {
        Cli.Result bad = Cli.run("echo-service", "--listen", "example.com:7777");
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.oneErrorLine()).contains("--listen");
        assertThat(Cli.run("echo-service", "--listen", "::1:7777").oneErrorLine()).contains("in brackets");
        assertThat(Cli.run("echo-service", "--listen", "127.0.0.1:70000").code()).isEqualTo(2);
        assertThat(Cli.run("echo-service", "--gateway", "192.0.2.1").oneErrorLine()).contains("Unknown option");
        assertThat(Cli.run("echo-service", "extra").code()).isEqualTo(2);
        assertThat(EchoServiceCommand.listenAddress(":7777").getAddress().isAnyLocalAddress()).isTrue();
        assertThat(EchoServiceCommand.listenAddress("7777").getPort()).isEqualTo(7777);
        assertThat(EchoServiceCommand.text(EchoServiceCommand.listenAddress("[::1]:7777"))).isEqualTo("[0:0:0:0:0:0:0:1]:7777");

        Cli.Result help = Cli.run("echo-service", "--help");
        assertThat(help.out()).contains("OUTSIDE your network", "requester's own", "--listen")
                .doesNotContain("--gateway");
        assertThat(Cli.run("--help").out()).contains("echo-service");
        assertThat(Cli.run("completion", "bash").out()).contains("echo-service", "--listen");
        assertThat(ManPage.roff("openport 1.0")).contains("openport echo-service");
    }

    @Test
    void aPortInUseIsOneErrorLine() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            Cli.Result r = Cli.run("echo-service", "--listen", "127.0.0.1:" + taken.getLocalPort());
            assertThat(r.code()).isEqualTo(ExitCodes.FAILED);
            assertThat(r.oneErrorLine()).startsWith("openport: cannot listen on 127.0.0.1:" + taken.getLocalPort());
        }
    }
}
