package dev.openport.cli;

import java.io.PrintStream;

/**
 * Where and how a command talks to the person (or script) running it: results on stdout, warnings, errors and
 * progress on stderr; colours and progress only on a terminal.
 */
final class Ui {
    private static final String RESET = "\u001b[0m";

    final PrintStream out;
    final PrintStream err;
    final boolean json;
    final boolean tty;
    final boolean color;
    final int verbosity;
    private boolean progressShown;

    Ui(PrintStream out, PrintStream err, boolean json, boolean tty, boolean noColor, int verbosity) {
        this.out = out;
        this.err = err;
        this.json = json;
        this.tty = tty;
        this.color = tty && !noColor && System.getenv("NO_COLOR") == null
                && !"dumb".equals(System.getenv("TERM"));
        this.verbosity = verbosity;
    }

    String green(String s) {
        return paint("32", s);
    }

    String yellow(String s) {
        return paint("33", s);
    }

    String red(String s) {
        return paint("31", s);
    }

    String bold(String s) {
        return paint("1", s);
    }

    private String paint(String code, String s) {
        return color ? "\u001b[" + code + "m" + s + RESET : s;
    }

    /** A result line (text mode only; JSON mode prints one document at the end). */
    void line(String s) {
        if (!json) {
            clearProgress();
            out.println(s);
        }
    }

    void warn(String s) {
        clearProgress();
        err.println(yellow("warning:") + " " + s);
    }

    void error(String s) {
        clearProgress();
        err.println(red("openport:") + " " + s);
    }

    /** A transient status line, only on a terminal and not in JSON mode. */
    void progress(String s) {
        if (tty && !json) {
            err.print("\r\u001b[K" + s);
            err.flush();
            progressShown = true;
        }
    }

    void clearProgress() {
        if (progressShown) {
            err.print("\r\u001b[K");
            err.flush();
            progressShown = false;
        }
    }

    void json(Object doc) {
        out.println(Json.write(doc));
        out.flush();
    }
}
