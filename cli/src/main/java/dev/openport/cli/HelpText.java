package dev.openport.cli;

/**
 * Renders help from {@link Catalog}: every line fits 80 columns and breaks only between words (a word longer
 * than the line, such as a URL, gets a line of its own).
 */
final class HelpText {
    static final int WIDTH = 80;
    /** Where option and command descriptions start. */
    private static final int COLUMN = 31;

    private HelpText() {
    }

    /** The overview: {@code openport --help}. */
    static String root(String version) {
        StringBuilder sb = new StringBuilder();
        sb.append("Usage: openport [OPTIONS] <command> [ARGS]\n");
        wrap(sb, Catalog.ROOT_DESCRIPTION, 0);
        sb.append("\nCommands:\n");
        for (CommandInfo c : Catalog.COMMANDS) {
            row(sb, "  " + c.name(), c.header(), 16);
        }
        sb.append("\nOptions:\n");
        options(sb, Catalog.GLOBAL);
        row(sb, "  " + Catalog.HELP.synopsis(), Catalog.HELP.help(), COLUMN);
        row(sb, "  " + Catalog.VERSION.synopsis(), Catalog.VERSION.help(), COLUMN);
        examples(sb, Catalog.ROOT_EXAMPLES);
        for (String n : Catalog.ROOT_NOTES) {
            sb.append('\n');
            wrap(sb, n, 0);
        }
        exitCodes(sb);
        return sb.toString();
    }

    /** One command's help: {@code openport map --help} or {@code openport help map}. */
    static String command(CommandInfo c) {
        StringBuilder sb = new StringBuilder();
        wrapHanging(sb, usage(c), 7 + "openport ".length() + c.name().length() + 1);
        wrap(sb, c.header(), 0);
        for (String p : c.description()) {
            sb.append('\n');
            wrap(sb, p, 0);
        }
        if (c.params() != null) {
            sb.append("\nParameters:\n");
            row(sb, "  " + c.params(), c.paramsHelp(), COLUMN);
        }
        sb.append("\nOptions:\n");
        options(sb, c.options());
        row(sb, "  " + Catalog.HELP.synopsis(), Catalog.HELP.help(), COLUMN);
        if (c.globals()) {
            sb.append("\nGlobal options (also before the command name):\n");
            options(sb, Catalog.GLOBAL);
        }
        examples(sb, c.examples());
        for (String n : c.notes()) {
            sb.append('\n');
            wrap(sb, n, 0);
        }
        if (c.globals()) {
            exitCodes(sb);
        }
        return sb.toString();
    }

    /** {@code Usage: openport map [OPTIONS] <port>[/tcp|/udp|/both]...}: the line usage errors point at. */
    static String usage(CommandInfo c) {
        return "Usage: openport " + c.name() + " [OPTIONS]" + (c.params() == null ? "" : " " + c.params());
    }

    private static void options(StringBuilder sb, Opt[] options) {
        for (Opt o : options) {
            if (!o.hidden()) {
                row(sb, "  " + o.synopsis(), o.help(), COLUMN);
            }
        }
    }

    private static void examples(StringBuilder sb, String[] examples) {
        if (examples.length == 0) {
            return;
        }
        sb.append("\nExamples:\n");
        int col = 0;
        for (String e : examples) {
            int bar = e.lastIndexOf('|');
            String cmd = e.substring(0, bar);
            if (bar < e.length() - 1 && cmd.length() + 4 > col) {
                col = cmd.length() + 4;
            }
        }
        col = Math.min(col, 44);
        for (String e : examples) {
            int bar = e.lastIndexOf('|');
            String cmd = "  " + e.substring(0, bar);
            String what = e.substring(bar + 1);
            if (what.isEmpty()) {
                wrapHanging(sb, cmd, 6);
            } else {
                row(sb, cmd, what, col);
            }
        }
    }

    private static void exitCodes(StringBuilder sb) {
        sb.append("\nExit codes:\n");
        for (String[] e : Catalog.EXIT_CODES) {
            row(sb, "  " + e[0], e[1], 6);
        }
    }

    /** {@code left} then {@code text} wrapped at {@code column}; on a line of its own when left is too long. */
    static void row(StringBuilder sb, String left, String text, int column) {
        sb.append(left);
        if (text == null || text.isEmpty()) {
            sb.append('\n');
            return;
        }
        if (left.length() + 2 > column) {
            sb.append('\n');
            pad(sb, column);
        } else {
            pad(sb, column - left.length());
        }
        fill(sb, text, column, column);
    }

    /** A paragraph from column 0 (or {@code indent}). */
    static void wrap(StringBuilder sb, String text, int indent) {
        pad(sb, indent);
        fill(sb, text, indent, indent);
    }

    /** The first line from column 0, the rest indented. */
    private static void wrapHanging(StringBuilder sb, String text, int indent) {
        fill(sb, text, 0, Math.min(indent, 30));
    }

    /**
     * Appends words, the cursor being at column {@code at}; continuation lines start at {@code indent}. Ends
     * with a newline.
     */
    private static void fill(StringBuilder sb, String text, int at, int indent) {
        int col = at;
        boolean first = true;
        int i = 0;
        while (i < text.length()) {
            // words by hand, not String.split: a regex costs start-up classes on every --help
            while (i < text.length() && text.charAt(i) == ' ') {
                i++;
            }
            int end = text.indexOf(' ', i);
            end = end < 0 ? text.length() : end;
            if (end == i) {
                break;
            }
            String word = text.substring(i, end);
            i = end;
            if (!first && col + 1 + word.length() > WIDTH) {
                sb.append('\n');
                pad(sb, indent);
                col = indent;
                first = true;
            }
            if (!first) {
                sb.append(' ');
                col++;
            }
            sb.append(word);
            col += word.length();
            first = false;
        }
        sb.append('\n');
    }

    private static void pad(StringBuilder sb, int n) {
        for (int i = 0; i < n; i++) {
            sb.append(' ');
        }
    }
}
