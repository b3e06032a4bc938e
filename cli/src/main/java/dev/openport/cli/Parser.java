package dev.openport.cli;

/**
 * The command line, parsed by hand from {@link Catalog}: {@code openport [global options] <command> [options and
 * parameters]}. Global options go before or after the command name; {@code --name=value} and {@code --name value}
 * both work; {@code -vv} counts twice; {@code --} ends the options. Every mistake is a {@link CliException} with
 * one line saying what is wrong.
 */
final class Parser {
    private Parser() {
    }

    /** What the words before the command asked for. */
    enum Action {
        RUN, HELP, VERSION, NO_COMMAND
    }

    /** The command line's meaning: an action, and for {@link Action#RUN} the command ready to call. */
    record Parsed(Action action, CommandInfo info, BaseCommand command) {
    }

    /**
     * Parses {@code args}, filling {@code top} with the global options given before the command name.
     *
     * @throws Failure for a usage error, naming the command whose help to read
     */
    static Parsed parse(String[] args, GlobalOptions top) throws Failure {
        int i = 0;
        CommandInfo info = null;
        while (i < args.length) {
            String a = args[i];
            if (a.equals("--")) {
                i++;
                if (i < args.length) {
                    info = command(args[i]);
                    i++;
                }
                break;
            }
            if (isOption(a)) {
                if (Catalog.HELP.is(a)) {
                    return new Parsed(Action.HELP, null, null);
                }
                if (Catalog.VERSION.is(a)) {
                    return new Parsed(Action.VERSION, null, null);
                }
                i = option(args, i, null, top, null) + 1;
            } else {
                info = command(a);
                i++;
                break;
            }
        }
        if (info == null) {
            return new Parsed(Action.NO_COMMAND, null, null);
        }
        for (int j = i; j < args.length && !args[j].equals("--"); j++) {
            if (Catalog.HELP.is(args[j])) {
                return new Parsed(Action.HELP, info, null);
            }
            if (Catalog.VERSION.is(args[j])) {
                return new Parsed(Action.VERSION, info, null);
            }
        }
        if (info == Catalog.HELP_COMMAND) {
            CommandInfo about = null;
            if (i < args.length) {
                about = Catalog.find(args[i]);
                if (about == null || i + 1 < args.length) {
                    throw new Failure("unknown command '" + args[i] + "'", null);
                }
            }
            return new Parsed(Action.HELP, about, null);
        }
        BaseCommand cmd = Commands.create(info.name());
        boolean options = true;
        int positionals = 0;
        try {
            for (; i < args.length; i++) {
                String a = args[i];
                if (options && a.equals("--")) {
                    options = false;
                } else if (options && isOption(a)) {
                    i = option(args, i, info, cmd.local, cmd);
                } else {
                    positionals++;
                    try {
                        cmd.positional(a);
                    } catch (IllegalArgumentException e) {
                        throw CliException.usage(e.getMessage());
                    }
                }
            }
            if (info.paramsRequired() && positionals == 0) {
                throw CliException.usage("Missing required parameter: '" + info.params() + "'");
            }
        } catch (CliException e) {
            throw new Failure(e.getMessage(), info);
        }
        return new Parsed(Action.RUN, info, cmd);
    }

    private static CommandInfo command(String word) throws Failure {
        CommandInfo info = Catalog.find(word);
        if (info == null) {
            throw new Failure("unknown command or argument '" + word + "'", null);
        }
        return info;
    }

    /**
     * A word that names an option: {@code -x}, {@code --xy}; not {@code -} alone nor a negative number, except
     * {@code -4} and {@code -6} (IPv4/IPv6 only, the curl and ssh convention).
     */
    static boolean isOption(String a) {
        return a.length() > 1 && a.charAt(0) == '-' && (!Character.isDigit(a.charAt(1))
                || a.equals("-4") || a.equals("-6"));
    }

    /**
     * Takes the option at {@code args[i]} (and its value); returns the index of the last word used.
     *
     * @param info the command whose own options come first, or {@code null} before the command name
     */
    private static int option(String[] args, int i, CommandInfo info, GlobalOptions globals, BaseCommand cmd)
            throws Failure {
        String a = args[i];
        try {
            if (a.length() > 2 && onlyVs(a)) {
                for (int k = 1; k < a.length(); k++) {
                    globals.set("--verbose", null); // -vv
                }
                return i;
            }
            String name = a;
            String value = null;
            int eq = a.indexOf('=');
            if (a.startsWith("--") && eq > 2) {
                name = a.substring(0, eq);
                value = a.substring(eq + 1);
            }
            Opt own = info == null ? null : info.option(name);
            Opt o = own != null ? own : Catalog.global(name);
            if (o == null || (info != null && !info.globals() && own == null)) {
                throw CliException.usage("Unknown option: '" + name + "'");
            }
            if (o.takesValue() && value == null) {
                if (i + 1 >= args.length) {
                    throw CliException.usage("Missing required parameter for option '" + o.name() + "' ("
                            + o.label() + ")");
                }
                value = args[++i];
            } else if (!o.takesValue() && value != null) {
                throw CliException.usage("option '" + o.name() + "' takes no value (got '" + value + "')");
            }
            try {
                if (own != null) {
                    cmd.option(o.name(), value);
                } else {
                    globals.set(o.name(), value);
                }
            } catch (IllegalArgumentException e) {
                throw CliException.usage("'" + name + "': " + e.getMessage());
            }
            return i;
        } catch (CliException e) {
            throw new Failure(e.getMessage(), info);
        }
    }

    /** {@code -vv}, {@code -vvv}: no lambda, this runs on every start. */
    private static boolean onlyVs(String a) {
        for (int k = 1; k < a.length(); k++) {
            if (a.charAt(k) != 'v') {
                return false;
            }
        }
        return true;
    }

    /** A usage error: the message, and the command whose help explains it ({@code null}: the overview). */
    static final class Failure extends Exception {
        private static final long serialVersionUID = 1L;
        final transient CommandInfo command;

        Failure(String message, CommandInfo command) {
            super(message, null, false, false);
            this.command = command;
        }

        /** {@code openport map --help}, the help to point at. */
        String helpCommand() {
            return "openport " + (command == null ? "" : command.name() + " ") + "--help";
        }
    }
}
