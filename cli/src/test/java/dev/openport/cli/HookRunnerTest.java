package dev.openport.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.openport.core.PortMapping;
import dev.openport.core.Transport;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/** The --on-change hook: a real {@code sh -c} child, its environment, timeout and failure. */
@DisabledOnOs(OS.WINDOWS)
class HookRunnerTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream output = new ByteArrayOutputStream();
    private final List<String> reports = new CopyOnWriteArrayList<>();

    private HookRunner runner(String command, Duration timeout) {
        return new HookRunner(command, timeout, new PrintStream(output, true, StandardCharsets.UTF_8),
                reports::add);
    }

    @Test
    void theHookSeesTheMappingInItsEnvironment() throws Exception {
        Path file = dir.resolve("env.txt");
        PortMapping m = StateFileTest.pcpMapping(51413, Transport.UDP, "abcd");
        try (HookRunner r = runner("env | grep '^OPENPORT_' | sort > '" + file + "'", Duration.ofSeconds(10))) {
            HookRunner.Outcome o = r.run(new HookRunner.Event("changed", m));
            assertThat(o.ok()).as("%s", o).isTrue();
        }
        assertThat(Files.readAllLines(file)).containsExactly(
                "OPENPORT_EVENT=changed",
                "OPENPORT_EXTERNAL_IP=203.0.113.1",
                "OPENPORT_EXTERNAL_PORT=51414",
                "OPENPORT_INTERNAL_PORT=51413",
                "OPENPORT_PROTOCOL=pcp",
                "OPENPORT_TRANSPORT=udp");
    }

    @Test
    void aHookThatRunsTooLongIsStoppedAndReported() throws Exception {
        PortMapping m = StateFileTest.pcpMapping(7777, Transport.TCP, "abcd");
        try (HookRunner r = runner("sleep 30", Duration.ofMillis(300))) {
            long start = System.nanoTime();
            r.submit(new HookRunner.Event("mapped", m));
            assertThat(r.drain(Duration.ofSeconds(10))).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        }
        assertThat(reports).singleElement().asString().contains("'mapped'", "timed out");
    }

    @Test
    void aFailingHookIsReportedAndTheNextEventStillRuns() throws Exception {
        Path file = dir.resolve("ran.txt");
        PortMapping m = StateFileTest.pcpMapping(7777, Transport.TCP, "abcd");
        try (HookRunner r = runner("echo \"$OPENPORT_EVENT\" >> '" + file + "'; echo to-stderr >&2; "
                + "[ \"$OPENPORT_EVENT\" != mapped ] || exit 3", Duration.ofSeconds(10))) {
            r.submit(new HookRunner.Event("mapped", m));
            r.submit(new HookRunner.Event("changed", m));
            assertThat(r.drain(Duration.ofSeconds(10))).isTrue();
        }
        // one at a time, in order
        assertThat(Files.readAllLines(file)).containsExactly("mapped", "changed");
        assertThat(reports).singleElement().asString().contains("'mapped'", "exited with 3");
        // the hook's output goes to our stderr, never stdout (which may carry NDJSON)
        assertThat(output.toString(StandardCharsets.UTF_8)).contains("to-stderr");
    }

    @Test
    void aCommandThatCannotStartIsReportedNotThrown() {
        PortMapping m = StateFileTest.pcpMapping(7777, Transport.TCP, "abcd");
        try (HookRunner r = runner("exit 0", Duration.ofSeconds(5))) {
            HookRunner.Outcome o = r.run(new HookRunner.Event("mapped", m));
            assertThat(o.ok()).isTrue();
        }
        HookRunner.Outcome bad = new HookRunner.Outcome(-1, false, "No such file");
        assertThat(HookRunner.describe(bad, new HookRunner.Event("mapped", m))).contains("could not start");
    }
}
