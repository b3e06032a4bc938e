package dev.openport.cli;

import dev.openport.core.PortMappingException;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;

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
        GlobalOptions top = new GlobalOptions();
        Parser.Parsed p;
        try {
            p = Parser.parse(args, top);
        } catch (Parser.Failure f) {
            err.println("openport: " + oneLine(f.getMessage()) + " (see '" + f.helpCommand() + "')");
            err.flush();
            return ExitCodes.USAGE;
        }
        try {
            switch (p.action()) {
                case HELP -> {
                    out.print(p.info() == null ? HelpText.root(version()) : HelpText.command(p.info()));
                    return ExitCodes.OK;
                }
                case VERSION -> {
                    out.println(version());
                    return ExitCodes.OK;
                }
                case NO_COMMAND -> {
                    // no sub-command: teach, and say it was a usage error
                    err.print(HelpText.root(version()));
                    return ExitCodes.USAGE;
                }
                default -> {
                    configureLogging(verbosity);
                    BaseCommand cmd = p.command();
                    cmd.init(top, out, err, tty);
                    try {
                        return cmd.call();
                    } catch (Exception ex) {
                        return fail(ex, cmd, out, err, verbosity);
                    }
                }
            }
        } finally {
            out.flush();
            err.flush();
        }
    }

    /** {@code openport 0.1.0}, from the jar's manifest. */
    static String version() {
        String v = Main.class.getPackage().getImplementationVersion();
        return "openport " + (v == null ? "(development build)" : v);
    }

    /** Turns any failure into one line (and a JSON document in --json mode) and its exit code. */
    private static int fail(Exception ex, BaseCommand cmd, PrintStream out, PrintStream err, int verbosity) {
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
        cmd.ui().clearProgress();
        if (cmd.opts().json) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("command", cmd.name());
            doc.put("ok", false);
            Map<String, Object> error = new LinkedHashMap<>();
            error.put("reason", reason);
            error.put("exitCode", code);
            error.put("message", oneLine(message));
            doc.put("error", error);
            out.println(Json.write(doc));
        }
        err.println("openport: " + oneLine(message));
        if (verbosity >= 2) {
            ex.printStackTrace(err);
        }
        return code;
    }

    static String oneLine(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder(s.length());
        boolean gap = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\r' || c == '\n') {
                gap = true;
            } else {
                if (gap && sb.length() > 0) {
                    sb.append(' ');
                }
                gap = false;
                sb.append(c);
            }
        }
        return sb.toString().trim();
    }

    /** -v / -vv / --verbose anywhere before {@code --}: known before parsing, so logging is set up first. */
    static int prescanVerbosity(String[] args) {
        int v = 0;
        for (String a : args) {
            if (a.equals("--")) {
                break;
            }
            if (a.equals("--verbose")) {
                v++;
            } else if (a.length() > 1 && a.charAt(0) == '-' && a.charAt(1) == 'v') {
                int n = 0;
                for (int i = 1; i < a.length() && a.charAt(i) == 'v'; i++) {
                    n++;
                }
                if (n == a.length() - 1) {
                    v += n;
                }
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
}
