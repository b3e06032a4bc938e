package dev.openport.cli;

import java.io.PrintStream;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The top command: global options and the list of sub-commands. */
@Command(name = "openport", mixinStandardHelpOptions = true, versionProvider = OpenPortCommand.Version.class,
        subcommands = {MapCommand.class, UnmapCommand.class, ListCommand.class, ExternalIpCommand.class,
            DiscoverCommand.class, CompletionCommand.class},
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

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = OpenPortCommand.class.getPackage().getImplementationVersion();
            return new String[] {"openport " + (v == null ? "(development build)" : v)};
        }
    }
}
