package dev.openport.cli;

/**
 * One option as the parser, help, completion scripts and the man page see it.
 *
 * @param name      the long name, e.g. {@code --gateway}
 * @param shortName the one-letter alias, e.g. {@code -g}, or {@code null}
 * @param label     the value's placeholder, e.g. {@code <ip>}; {@code null} for a flag
 * @param help      one sentence or two, wrapped when shown
 * @param hidden    a test hook, never shown
 * @param values    the words a completion script offers for the value, or {@code null}
 */
record Opt(String name, String shortName, String label, String help, boolean hidden, String[] values) {

    static Opt flag(String name, String shortName, String help) {
        return new Opt(name, shortName, null, help, false, null);
    }

    static Opt value(String name, String shortName, String label, String help) {
        return new Opt(name, shortName, label, help, false, null);
    }

    static Opt choice(String name, String shortName, String label, String help, String... values) {
        return new Opt(name, shortName, label, help, false, values);
    }

    static Opt hiddenValue(String name) {
        return new Opt(name, null, "<value>", "", true, null);
    }

    static Opt hiddenFlag(String name) {
        return new Opt(name, null, null, "", true, null);
    }

    boolean takesValue() {
        return label != null;
    }

    boolean is(String word) {
        return word.equals(name) || word.equals(shortName);
    }

    /** {@code -g, --gateway <ip>} as the help's option column shows it. */
    String synopsis() {
        StringBuilder sb = new StringBuilder();
        sb.append(shortName != null ? shortName + ", " : "    ").append(name);
        if (label != null) {
            sb.append(' ').append(label);
        }
        return sb.toString();
    }
}
