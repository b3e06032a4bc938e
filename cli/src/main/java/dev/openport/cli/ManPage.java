package dev.openport.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The man page, openport(1), in roff, generated from {@link Catalog}; {@link #main} writes it and the completion
 * scripts into a directory (the build runs it for the distribution archive).
 */
final class ManPage {
    private ManPage() {
    }

    static String roff(String version) {
        StringBuilder sb = new StringBuilder();
        sb.append(".\\\" generated from the openport CLI's option catalog; do not edit\n");
        sb.append(".TH OPENPORT 1 \"\" \"").append(esc(version)).append("\" \"User Commands\"\n");
        sb.append(".SH NAME\nopenport \\- open ports on your router (PCP, NAT-PMP, UPnP IGD)\n");
        sb.append(".SH SYNOPSIS\n.B openport\n[\\fIOPTIONS\\fR] \\fIcommand\\fR [\\fIARGS\\fR]\n");
        sb.append(".SH DESCRIPTION\n").append(esc(Catalog.ROOT_DESCRIPTION)).append('\n');
        sb.append(".SH COMMANDS\n");
        for (CommandInfo c : Catalog.COMMANDS) {
            sb.append(".SS \"openport ").append(c.name()).append(" [OPTIONS]")
                    .append(c.params() == null ? "" : " " + esc(c.params())).append("\"\n");
            sb.append(esc(c.header())).append('\n');
            for (String p : c.description()) {
                sb.append(".PP\n").append(esc(p)).append('\n');
            }
            if (c.params() != null) {
                sb.append(".TP\n.I ").append(esc(c.params())).append('\n').append(esc(c.paramsHelp())).append('\n');
            }
            for (Opt o : c.options()) {
                option(sb, o);
            }
            if (c.examples().length > 0) {
                sb.append(".PP\nExamples:\n.RS\n.nf\n");
                for (String e : c.examples()) {
                    example(sb, e);
                }
                sb.append(".fi\n.RE\n");
            }
            for (String n : c.notes()) {
                sb.append(".PP\n").append(esc(n)).append('\n');
            }
        }
        sb.append(".SH GLOBAL OPTIONS\nGiven before or after the command name.\n");
        for (Opt o : Catalog.GLOBAL) {
            option(sb, o);
        }
        option(sb, Catalog.HELP);
        option(sb, Catalog.VERSION);
        sb.append(".SH EXIT STATUS\n");
        for (String[] e : Catalog.EXIT_CODES) {
            sb.append(".TP\n.B ").append(e[0]).append('\n').append(esc(e[1])).append('\n');
        }
        sb.append(".SH ENVIRONMENT\n.TP\n.B NO_COLOR\nNo colours.\n.TP\n.B XDG_STATE_HOME\n")
                .append("Where the state file lives: $XDG_STATE_HOME/openport/mappings.json ")
                .append("(default ~/.local/state/openport/).\n");
        sb.append(".SH EXAMPLES\n.nf\n");
        for (String e : Catalog.ROOT_EXAMPLES) {
            example(sb, e);
        }
        sb.append(".fi\n");
        return sb.toString();
    }

    private static void option(StringBuilder sb, Opt o) {
        if (o.hidden()) {
            return;
        }
        sb.append(".TP\n.B ");
        if (o.shortName() != null) {
            sb.append(esc(o.shortName())).append(", ");
        }
        sb.append(esc(o.name()));
        if (o.takesValue()) {
            sb.append(" \\fI").append(esc(o.label())).append("\\fR");
        }
        sb.append('\n').append(esc(o.help())).append('\n');
    }

    private static void example(StringBuilder sb, String e) {
        int bar = e.lastIndexOf('|');
        String what = e.substring(bar + 1);
        sb.append(esc(e.substring(0, bar))).append('\n');
        if (!what.isEmpty()) {
            sb.append("    # ").append(esc(what)).append('\n');
        }
    }

    /** roff: backslashes and hyphens escaped, no line starting with a control character. */
    static String esc(String s) {
        String t = s.replace("\\", "\\e").replace("-", "\\-");
        return t.startsWith(".") || t.startsWith("'") ? "\\&" + t : t;
    }

    /** {@code ManPage <dir> <version>}: writes man/openport.1 and completions/{openport.bash,_openport,openport.fish}. */
    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        String version = args.length > 1 ? args[1] : "openport";
        Files.createDirectories(dir.resolve("man"));
        Files.createDirectories(dir.resolve("completions"));
        Files.writeString(dir.resolve("man/openport.1"), roff("openport " + version), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("completions/openport.bash"), Completions.bash(), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("completions/_openport"), Completions.zsh(), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("completions/openport.fish"), Completions.fish(), StandardCharsets.UTF_8);
    }
}
