package dev.openport.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The UPnP LOCATION remembered across processes: a first run finds the fake IGD on loopback by SSDP and saves its
 * LOCATION; later runs are new JVMs (the upnp module's in-process cache starts empty) with the SSDP responder gone,
 * so only the saved LOCATION can find the gateway — and {@code --no-cache} cannot.
 */
class UpnpLocationAcrossRunsTest {
    @TempDir
    Path dir;

    @Test
    void aSecondRunFindsTheGatewayWithoutSsdp() throws Exception {
        String state = dir.resolve("mappings.json").toString();
        try (Training.Igd igd = new Training.Igd()) {
            int ssdpPort;
            try (Training.Ssdp ssdp = new Training.Ssdp(igd.port())) {
                ssdpPort = ssdp.port();
                Cli.Result first = Cli.run("external-ip", "--protocol", "upnp", "--gateway", "127.0.0.1",
                        "--ssdp-port", String.valueOf(ssdpPort), "--timeout", "2s", "--state-file", state);
                assertThat(first.code()).as(first.err()).isZero();
                assertThat(first.out().strip()).isEqualTo("203.0.113.1");
            }
            Path saved = dir.resolve("upnp-locations.json");
            assertThat(Files.readString(saved)).contains("\"location\":\"http://127.0.0.1:" + igd.port()
                    + "/rootDesc.xml\"", "\"ssdpPort\":" + ssdpPort);

            // the SSDP responder is closed: a new process gets there only through the saved LOCATION
            Process second = cli("external-ip", "--protocol", "upnp", "--gateway", "127.0.0.1", "--ssdp-port",
                    String.valueOf(ssdpPort), "--timeout", "2s", "--state-file", state);
            assertThat(second.exitValue()).as(stderr(second)).isZero();
            assertThat(stdout(second).strip()).isEqualTo("203.0.113.1");

            Process noCache = cli("external-ip", "--protocol", "upnp", "--gateway", "127.0.0.1", "--ssdp-port",
                    String.valueOf(ssdpPort), "--timeout", "1s", "--no-cache", "--state-file", state);
            assertThat(noCache.exitValue()).as(stderr(noCache)).isEqualTo(ExitCodes.NO_GATEWAY);
        }
    }

    @Test
    void aSavedLocationThatNoLongerAnswersMeansSearchingAgain() throws Exception {
        String state = dir.resolve("mappings.json").toString();
        int ssdpPort;
        try (Training.Igd old = new Training.Igd(); Training.Ssdp ssdp = new Training.Ssdp(old.port())) {
            ssdpPort = ssdp.port();
            assertThat(Cli.run("external-ip", "--protocol", "upnp", "--gateway", "127.0.0.1", "--ssdp-port",
                    String.valueOf(ssdpPort), "--state-file", state).code()).isZero();
        }
        // the old IGD is gone (refused); SSDP on the same port now points at a new one
        try (Training.Igd igd = new Training.Igd(); Training.Ssdp ssdp = ssdpOn(igd.port(), ssdpPort)) {
            Process p = cli("external-ip", "--protocol", "upnp", "--gateway", "127.0.0.1", "--ssdp-port",
                    String.valueOf(ssdpPort), "--timeout", "2s", "--state-file", state);
            assertThat(p.exitValue()).as(stderr(p)).isZero();
            assertThat(Files.readString(dir.resolve("upnp-locations.json")))
                    .contains("http://127.0.0.1:" + igd.port() + "/rootDesc.xml");
        }
    }

    /** A closed socket's port is released once its receiving thread has left: retry the bind for a while. */
    private static Training.Ssdp ssdpOn(int httpPort, int port) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (true) {
            try {
                return new Training.Ssdp(httpPort, port);
            } catch (java.net.BindException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(50);
            }
        }
    }

    /** The CLI in a JVM of its own, with this test's class path and the loopback-only guard on. */
    private static Process cli(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dopenport.loopbackOnly=true", "-cp", System.getProperty("java.class.path"),
                "dev.openport.cli.Main"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue(); // a few lines of output: the pipes never fill
        return p;
    }

    private static String stdout(Process p) throws Exception {
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    private static String stderr(Process p) throws Exception {
        return new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    }
}
