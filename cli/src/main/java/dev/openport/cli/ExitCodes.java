package dev.openport.cli;

import dev.openport.core.PortMappingException;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine;

/** The exit codes, part of the CLI's contract (documented in --help and the README). */
final class ExitCodes {
    static final int OK = 0;
    static final int FAILED = 1;
    static final int USAGE = 2;
    static final int NO_GATEWAY = 3;
    static final int TIMEOUT = 4;

    /** What each code means, as --help shows it. */
    static final Map<String, String> HELP = help();

    private static Map<String, String> help() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("0", "success");
        m.put("1", "the gateway refused or the mapping failed (port taken, not allowed, ...)");
        m.put("2", "usage error (bad option or argument)");
        m.put("3", "no gateway found, or none answered any protocol");
        m.put("4", "the gateway stopped answering (timeout)");
        return m;
    }

    /** Adds the exit-code section to the help of the command and all its sub-commands. */
    static void addToHelp(CommandLine cl) {
        cl.getCommandSpec().usageMessage().exitCodeListHeading("%nExit codes:%n").exitCodeList(HELP);
        cl.getSubcommands().values().forEach(ExitCodes::addToHelp);
    }

    private ExitCodes() {
    }

    static int of(PortMappingException e) {
        return switch (e.reason()) {
            case GATEWAY_NOT_FOUND -> NO_GATEWAY;
            case TIMEOUT -> TIMEOUT;
            default -> FAILED;
        };
    }
}
