package dev.openport.cli;

import dev.openport.core.PortMappingException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine;

/**
 * Entry point of the {@code openport} command.
 *
 * <pre>{@code
 * int code = Main.run(new String[] {"external-ip", "--json"}, System.out, System.err);
 * }</pre>
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        int code = run(args, System.out, System.err, System.console() != null);
        System.out.flush();
        System.exit(code);
    }

    /** Runs one command; never calls {@link System#exit}; returns the exit code. Not a terminal. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        return run(args, out, err, false);
    }

    static int run(String[] args, PrintStream out, PrintStream err, boolean tty) {
        int verbosity = prescanVerbosity(args);
        configureLogging(verbosity);
        OpenPortCommand root = new OpenPortCommand(out, err, tty);
        CommandLine cl = new CommandLine(root);
        OpenPortCommand.addSubcommands(cl, args); // before the settings below, which propagate to them
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        ExitCodes.addToHelp(cl);
        cl.setColorScheme(CommandLine.Help.defaultColorScheme(
                tty && System.getenv("NO_COLOR") == null ? CommandLine.Help.Ansi.AUTO : CommandLine.Help.Ansi.OFF));
        cl.setParameterExceptionHandler((ex, a) -> {
            String cmd = ex.getCommandLine().getCommandSpec().qualifiedName();
            err.println("openport: " + usageMessage(ex) + " (see '" + cmd + " --help')");
            if (verbosity >= 2) {
                ex.printStackTrace(err);
            }
            return ExitCodes.USAGE;
        });
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> fail(ex, commandLine, out, err,
                verbosity));
        try {
            return cl.execute(args);
        } finally {
            out.flush();
            err.flush();
        }
    }

    /** Turns any failure into one line (and a JSON document in --json mode) and its exit code. */
    private static int fail(Exception ex, CommandLine commandLine, PrintStream out, PrintStream err,
            int verbosity) {
        int code;
        String message;
        String reason;
        if (ex instanceof PortMappingException pme) {
            code = ExitCodes.of(pme);
            message = Hints.explain(pme, verbosity);
            reason = pme.reason().name();
        } else if (ex instanceof CliException ce) {
            code = ce.exitCode();
            message = ce.getMessage();
            reason = code == ExitCodes.USAGE ? "USAGE" : "FAILED";
        } else if (ex instanceof IllegalArgumentException) {
            // a value core refused (e.g. a lifetime over 7 days): the user's to fix
            code = ExitCodes.USAGE;
            message = ex.getMessage();
            reason = "USAGE";
        } else {
            code = ExitCodes.FAILED;
            message = "unexpected error: " + ex + (verbosity >= 2 ? "" : " (run with -vv for details)");
            reason = "INTERNAL";
        }
        Object cmd = commandLine.getCommand();
        if (cmd instanceof BaseCommand b) {
            b.ui().clearProgress();
            if (b.opts().json) {
                Map<String, Object> doc = new LinkedHashMap<>();
                doc.put("command", b.name());
                doc.put("ok", false);
                Map<String, Object> error = new LinkedHashMap<>();
                error.put("reason", reason);
                error.put("exitCode", code);
                error.put("message", oneLine(message));
                doc.put("error", error);
                out.println(Json.write(doc));
            }
        }
        err.println("openport: " + oneLine(message));
        if (verbosity >= 2) {
            ex.printStackTrace(err);
        }
        return code;
    }

    static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("[\\r\\n]+", " ").trim();
    }

    /** -v / -vv / --verbose anywhere before {@code --}: known before picocli runs, so logging is set up first. */
    static int prescanVerbosity(String[] args) {
        int v = 0;
        for (String a : args) {
            if (a.equals("--")) {
                break;
            }
            if (a.equals("--verbose")) {
                v++;
            } else if (a.matches("-v+")) {
                v += a.length() - 1;
            }
        }
        return v;
    }

    /**
     * slf4j-simple reads its configuration once, when the first logger is created: set it before anything
     * logs. A level given with -D wins.
     */
    private static void configureLogging(int verbosity) {
        String level = verbosity >= 2 ? "trace" : verbosity == 1 ? "debug" : "error";
        setIfAbsent("org.slf4j.simpleLogger.defaultLogLevel", level);
        setIfAbsent("org.slf4j.simpleLogger.logFile", "System.err");
        setIfAbsent("org.slf4j.simpleLogger.showThreadName", verbosity >= 2 ? "true" : "false");
        setIfAbsent("org.slf4j.simpleLogger.showShortLogName", "true");
        setIfAbsent("org.slf4j.simpleLogger.showDateTime", "true");
        setIfAbsent("org.slf4j.simpleLogger.dateTimeFormat", "HH:mm:ss.SSS");
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }

    /**
     * picocli's message without its parser jargon: "Invalid value for positional parameter at index 0..*
     * (&lt;port&gt;...): invalid port '99999': ..." becomes "invalid port '99999': ...", and an unknown word
     * becomes "unknown command or argument 'x'".
     */
    static String usageMessage(CommandLine.ParameterException ex) {
        String m = oneLine(ex.getMessage());
        if (ex instanceof CommandLine.UnmatchedArgumentException u && !u.getUnmatched().isEmpty()
                && !u.getUnmatched().get(0).startsWith("-")) { // picocli says "Unknown option: '-x'" well
            return "unknown command or argument '" + u.getUnmatched().get(0) + "'";
        }
        // "Invalid value for option '--lifetime': <our converter's message>"
        java.util.regex.Matcher v = java.util.regex.Pattern
                .compile("^Invalid value for (option '[^']+'|positional parameter at index [^:]*?\\)): (.+)$")
                .matcher(m);
        if (v.matches()) {
            return v.group(1).startsWith("option") ? v.group(1).substring("option ".length()) + ": " + v.group(2)
                    : v.group(2);
        }
        return m;
    }
}
