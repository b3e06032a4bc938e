package dev.openport.natpmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.openport.core.PortMappingException;
import dev.openport.core.PortMappingException.Reason;
import dev.openport.core.spi.ProbeContext;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Routers that do not speak NAT-PMP, played by the gateway lab's real miniupnpd and its "unsupported version"
 * responder: the probe must say {@code UNSUPPORTED} at once when the router answers in PCP or nothing listens,
 * and {@code TIMEOUT} (within the deadline) when requests are silently dropped. Each test switches the lab's
 * mode itself; the lab is put back to its defaults afterwards. Lab only ({@code -DOPENPORT_LAB=1}).
 *
 * <p>These tests run inside the client namespace, where {@code ip netns exec} gave them a mount namespace of
 * their own: a {@code gateway-lab up} that rebuilt the lab network from here would create namespaces nobody
 * else can see. {@code up} rebuilds only when the IPv6 setting changes, so the tests insist on an IPv4 lab
 * and never pass {@code --ipv6}.
 */
@EnabledIfSystemProperty(named = "OPENPORT_LAB", matches = "1")
class NatPmpUnsupportedLabTest {
    private static final InetAddress GW = FakeNatPmpGateway.ipv4("198.18.0.1");
    private static final InetAddress CLIENT = FakeNatPmpGateway.ipv4("198.18.0.2");
    private static final Path LAB = Path.of("..", "lab", "gateway-lab").toAbsolutePath().normalize();
    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    @BeforeAll
    static void onlyFromAnIpv4Lab() throws Exception {
        Result env = lab("env");
        assertThat(env.exit()).isZero();
        assertThat(env.output()).as("switching modes of an IPv6 lab from here would rebuild it: run "
                + "`gateway-lab up` (IPv4) first").contains("PMLAB_IPV6=0");
    }

    @AfterAll
    static void labBackToDefaults() throws Exception {
        lab("up");
    }

    @Test
    void pcpOnlyRouterAnswersInPcpSoNatPmpIsUnsupportedAtOnce() throws Exception {
        assertThat(lab("up", "--protocols", "upnp,pcp", "--unsupported", "answer").exit()).isZero();
        assertProbeFails(Reason.UNSUPPORTED, 0, 1000);
    }

    @Test
    void routerWithoutNatPmpOrPcpRefusesThePortSoNatPmpIsUnsupportedAtOnce() throws Exception {
        assertThat(lab("up", "--protocols", "upnp", "--unsupported", "answer").exit()).isZero();
        assertProbeFails(Reason.UNSUPPORTED, 0, 1000);
    }

    @Test
    void routerDroppingNatPmpSilentlyTimesOutWithinTheDeadline() throws Exception {
        assertThat(lab("up", "--protocols", "upnp,pcp", "--unsupported", "drop").exit()).isZero();
        assertProbeFails(Reason.TIMEOUT, TIMEOUT.toMillis() - 10, TIMEOUT.toMillis() + 700);
    }

    private static void assertProbeFails(Reason reason, long minMs, long maxMs) {
        long start = System.nanoTime();
        assertThatThrownBy(() -> new NatPmpProvider().probe(new ProbeContext(GW, CLIENT, TIMEOUT, 0, null, false)))
                .isInstanceOfSatisfying(PortMappingException.class, e -> assertThat(e.reason()).isEqualTo(reason));
        assertThat((System.nanoTime() - start) / 1_000_000).isBetween(minMs, maxMs);
    }

    private record Result(int exit, String output) {
    }

    private static Result lab(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("bash", LAB.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(90, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("gateway-lab " + String.join(" ", args) + " timed out: " + out);
        }
        return new Result(p.exitValue(), out);
    }
}
