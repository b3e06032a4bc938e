package dev.openport.cli;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The top command: global options and the list of sub-commands. */
@Command(name = "openport", mixinStandardHelpOptions = true, versionProvider = OpenPortCommand.Version.class,
        description = "Opens ports on your router so the internet can reach a service on this machine. "
                + "Speaks PCP (RFC 6887), NAT-PMP (RFC 6886) and UPnP IGD, and uses whichever your router "
                + "answers.",
        footerHeading = "%nExamples:%n",
        footer = {
            "  openport map 25565                  open TCP port 25565 for 2 hours",
            "  openport map 25565/both --keep      TCP+UDP, renewed until Ctrl-C, then removed",
            "  openport list                       what the router (or this tool) has mapped",
            "  openport unmap 25565                remove it again",
            "  openport discover                   which protocols your router speaks",
            "  openport check 25565/tcp            is the port really reachable? (double NAT, CGNAT)",
            "  openport external-ip --json         the router's public address, for scripts",
            "",
            "Run 'openport <command> --help' for the options of each command.",
            "Bash completion: source <(openport completion)"})
final class OpenPortCommand implements Callable<Integer> {
    @Mixin
    GlobalOptions global;

    @Spec
    CommandSpec spec;

    final PrintStream out;
    final PrintStream err;
    final boolean tty;

    OpenPortCommand(PrintStream out, PrintStream err, boolean tty) {
        this.out = out;
        this.err = err;
        this.tty = tty;
    }

    @Override
    public Integer call() {
        // no sub-command: teach, and say it was a usage error
        spec.commandLine().usage(spec.commandLine().getErr());
        return ExitCodes.USAGE;
    }

    /** The sub-commands, in the order --help lists them. */
    private static final Map<String, Supplier<Object>> SUBCOMMANDS = new LinkedHashMap<>();

    static {
        SUBCOMMANDS.put("map", MapCommand::new);
        SUBCOMMANDS.put("unmap", UnmapCommand::new);
        SUBCOMMANDS.put("list", ListCommand::new);
        SUBCOMMANDS.put("external-ip", ExternalIpCommand::new);
        SUBCOMMANDS.put("discover", DiscoverCommand::new);
        SUBCOMMANDS.put("check", CheckCommand::new);
        SUBCOMMANDS.put("completion", CompletionCommand::new);
    }

    /**
     * Registers the sub-commands. picocli builds each one's model by reflection (Java 5 bytecode that class-data
     * sharing cannot archive), so when the command line names one, only that one is built: it saves start-up
     * time on every run. Help, completion and typos get all of them.
     */
    static void addSubcommands(CommandLine cl, String[] args) {
        String named = null;
        for (String a : args) {
            if (a.equals("--")) {
                break;
            }
            if (SUBCOMMANDS.containsKey(a)) {
                named = a;
                break;
            }
        }
        if (named != null && !named.equals("completion")) {
            cl.addSubcommand(named, SUBCOMMANDS.get(named).get());
            return;
        }
        SUBCOMMANDS.forEach((name, factory) -> cl.addSubcommand(name, factory.get()));
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = OpenPortCommand.class.getPackage().getImplementationVersion();
            return new String[] {"openport " + (v == null ? "(development build)" : v)};
        }
    }
}
