package dev.openport.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.openport.core.MappingProtocol;
import dev.openport.core.Transport;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Help, usage errors (exit 2, one line) and the commands that need no gateway. */
class UsageTest {
    @TempDir
    Path dir;

    @Test
    void helpTeachesWithExamplesAndExitCodes() {
        Cli.Result r = Cli.run("--help");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("Usage: openport", "map", "unmap", "list", "external-ip", "discover",
                "Exit codes:", "3   no gateway found", "4   the gateway stopped answering", "Examples:");
        assertThat(r.out()).doesNotContain("--natpmp-port", "--state-file"); // test hooks stay hidden
    }

    @ParameterizedTest
    @ValueSource(strings = {"map", "unmap", "list", "external-ip", "discover", "completion"})
    void everySubCommandHasHelpWithExamples(String command) {
        Cli.Result r = Cli.run(command, "--help");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("Usage: openport " + command, "Examples:");
        if (!command.equals("completion")) {
            assertThat(r.out()).contains("Exit codes:", "--json", "--timeout", "--gateway");
        }
    }

    @Test
    void noCommandIsAUsageError() {
        Cli.Result r = Cli.run();
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("Usage: openport");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "map|70000|invalid port '70000'",
        "map|80/sctp|invalid transport 'sctp'",
        "map|80|--lifetime|10y|invalid duration '10y'",
        "map|80|--lifetime|8d|--lifetime must be between 1s and 7d",
        "map|80|--gateway|router.local|host names are not looked up",
        "map|80|--protocol|smoke|unknown protocol 'smoke'",
        "map|80|443|--external-port|8080|--external-port works with one port only",
        "map|80|80/both|given twice",
        "map|--frobnicate|80|Unknown option: '--frobnicate'",
        "map|Missing required parameter",
        "unmap|say what to unmap",
        "unmap|80|--all-mine|not both",
        "list|--upnp-url|ftp://x/|invalid UPnP description URL",
        "--timeout|soon|list|invalid duration 'soon'",
        "frobnicate|unknown command or argument 'frobnicate'",
    })
    void userMistakesGiveOneLineAndExitTwo(String spec) {
        String[] parts = spec.split("\\|");
        String expected = parts[parts.length - 1];
        String[] args = java.util.Arrays.copyOf(parts, parts.length - 1);
        String[] withState = java.util.stream.Stream.concat(java.util.Arrays.stream(args),
                java.util.stream.Stream.of("--state-file", dir.resolve("s.json").toString()))
                .toArray(String[]::new);
        // options after an unknown sub-command would change the message: only add them to known commands
        Cli.Result r = Cli.run(args[0].equals("frobnicate") ? args : withState);
        assertThat(r.code()).as("exit code; stderr: %s", r.err()).isEqualTo(2);
        assertThat(r.oneErrorLine()).startsWith("openport: ").contains(expected);
        assertThat(r.out()).isEmpty();
    }

    @Test
    void usageMessagesCarryNoParserJargon() {
        Cli.Result port = Cli.run("map", "99999", "--state-file", dir.resolve("s.json").toString());
        assertThat(port.oneErrorLine()).startsWith("openport: invalid port '99999'")
                .doesNotContain("positional parameter");
        Cli.Result lifetime = Cli.run("map", "80", "--lifetime", "3x", "--state-file",
                dir.resolve("s.json").toString());
        assertThat(lifetime.oneErrorLine()).startsWith("openport: '--lifetime': invalid duration '3x'")
                .doesNotContain("Invalid value");
    }

    @Test
    void usageErrorsNeverTouchTheNetworkOrTheStateFile() {
        Cli.Result r = Cli.run("map", "99999", "--gateway", "127.0.0.1", "--state-file",
                dir.resolve("s.json").toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(dir.resolve("s.json")).doesNotExist();
    }

    @Test
    void unmapAllMineWithNothingRecorded() {
        String state = dir.resolve("s.json").toString();
        Cli.Result text = Cli.run("unmap", "--all-mine", "--state-file", state);
        assertThat(text.code()).isZero();
        assertThat(text.out()).contains("nothing to remove");

        Cli.Result json = Cli.run("unmap", "--all-mine", "--json", "--state-file", state);
        assertThat(json.code()).isZero();
        Map<String, Object> doc = json.json();
        assertThat(doc.get("command")).isEqualTo("unmap");
        assertThat(doc.get("ok")).isEqualTo(true);
        assertThat(Cli.list(doc.get("removed"))).isEmpty();
        assertThat(Cli.list(doc.get("failed"))).isEmpty();
    }

    @Test
    void listWithNatPmpShowsTheStateFileWithoutAskingTheGateway() throws Exception {
        StateFile state = new StateFile(dir.resolve("s.json"));
        state.put(StateFile.Entry.of(StateFileTest.pcpMapping(25565, Transport.TCP, "abcd")));

        Cli.Result text = Cli.run("list", "--protocol", "natpmp", "--state-file", state.path().toString());
        assertThat(text.code()).isZero();
        assertThat(text.out()).contains("PROTO", "EXTERNAL", "203.0.113.1:25566", "198.18.0.2:25565", "PCP", "mc");
        assertThat(text.err()).contains("NAT-PMP cannot list");

        // global options work before and after the sub-command name
        for (String[] args : new String[][] {
            {"--json", "list", "--protocol", "natpmp", "--state-file", state.path().toString()},
            {"list", "--json", "--protocol", "natpmp", "--state-file", state.path().toString()},
            {"--protocol", "natpmp", "--json", "list", "--state-file", state.path().toString()}}) {
            Cli.Result r = Cli.run(args);
            assertThat(r.code()).isZero();
            Map<String, Object> doc = r.json();
            assertThat(doc.get("command")).isEqualTo("list");
            assertThat(doc.get("source")).isEqualTo("state");
            Map<String, Object> m = Cli.list(doc.get("mappings")).get(0);
            assertThat(m).containsEntry("transport", "tcp").containsEntry("internalPort", 25565L)
                    .containsEntry("externalPort", 25566L).containsEntry("protocol", Names.id(MappingProtocol.PCP))
                    .containsEntry("gateway", "198.18.0.1").containsEntry("externalAddress", "203.0.113.1")
                    .containsEntry("addressClass", "public").containsEntry("reachable", true)
                    .containsEntry("permanent", false).containsEntry("description", "mc");
        }
    }

    @Test
    void completionScriptCoversTheSubCommands() {
        Cli.Result r = Cli.run("completion");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("complete -F", "openport", "external-ip", "--all-mine", "--keep");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "map", "unmap", "list", "external-ip", "discover", "check", "echo-service", "completion",
        "help"})
    void helpFitsEightyColumnsAndHelpCommandMatchesDashDashHelp(String command) {
        Cli.Result r = command.isEmpty() ? Cli.run("--help") : Cli.run(command, "--help");
        assertThat(r.code()).isZero();
        assertThat(r.out().lines()).allSatisfy(l -> assertThat(l.length()).as(l).isLessThanOrEqualTo(80));
        Cli.Result viaHelp = command.isEmpty() ? Cli.run("help") : Cli.run("help", command);
        assertThat(viaHelp.out()).isEqualTo(r.out());
    }

    @Test
    void optionSyntaxes() {
        String state = dir.resolve("s.json").toString();
        // --name=value, -vv, options before and after the command, -- before a parameter
        Cli.Result r = Cli.run("-vv", "unmap", "--all-mine", "--state-file=" + state, "--timeout=2s");
        assertThat(r.code()).as(r.err()).isZero();
        Cli.Result bad = Cli.run("unmap", "--all-mine=yes", "--state-file", state);
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.oneErrorLine()).contains("takes no value");
        Cli.Result missing = Cli.run("map", "80", "--gateway");
        assertThat(missing.oneErrorLine()).contains("--gateway", "<ip>");
        Cli.Result unknownHelp = Cli.run("help", "frobnicate");
        assertThat(unknownHelp.code()).isEqualTo(2);
        Cli.Result hooks = Cli.run("map", "80", "--on-change", "true", "--state-file", state);
        assertThat(hooks.code()).isEqualTo(2);
        assertThat(hooks.oneErrorLine()).contains("--on-change needs --keep");
        Cli.Result anyUnmap = Cli.run("unmap", "any/udp", "--state-file", state);
        assertThat(anyUnmap.oneErrorLine()).contains("not 'any'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"bash|complete -F _openport openport", "zsh|#compdef openport",
        "fish|complete -c openport"})
    void completionScriptsForEachShell(String spec) {
        String[] p = spec.split("\\|");
        Cli.Result r = Cli.run("completion", p[0]);
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains(p[1], "external-ip", "all-mine", "keep", "on-change", "gateway")
                .doesNotContain("natpmp-port", "state-file");
    }

    @Test
    void manPageCoversEveryCommandAndOption() {
        String man = ManPage.roff("openport 1.0");
        assertThat(man).startsWith(".\\\"").contains(".TH OPENPORT 1", ".SH EXIT STATUS");
        for (CommandInfo c : Catalog.COMMANDS) {
            assertThat(man).contains("openport " + c.name());
            for (Opt o : c.options()) {
                assertThat(man).contains(ManPage.esc(o.name()));
            }
        }
        assertThat(man.lines()).noneMatch(l -> l.startsWith(".") && l.length() > 1 && l.charAt(1) == ' ');
    }

    @Test
    void versionPrints() {
        Cli.Result r = Cli.run("--version");
        assertThat(r.code()).isZero();
        assertThat(r.out()).startsWith("openport ");
    }
}
