package dev.openport.cli;

import dev.openport.core.PortMappingException;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine;

/**
 * Runs {@code openport check} in-process. Once Main registers the command this is just {@link Cli#run}; until
 * then it builds the same command tree with {@code check} added and the same failure rendering (one stderr
 * line, a JSON error document, the exit code), so the tests hold either way.
 */
final class CheckCli {
    private CheckCli() {
    }

    /** Whether Main lists {@code check} among its sub-commands. */
    static final boolean REGISTERED = registered();

    private static boolean registered() {
        ByteArrayOutputStream help = new ByteArrayOutputStream();
        Main.run(new String[] {"--help"}, new PrintStream(help, true, StandardCharsets.UTF_8),
                new PrintStream(OutputStream.nullOutputStream()));
        return help.toString(StandardCharsets.UTF_8).lines().anyMatch(l -> l.strip().startsWith("check "));
    }

    static Cli.Result run(String... args) {
        if (REGISTERED) {
            return Cli.run(args);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
                PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            OpenPortCommand root = new OpenPortCommand(o, e, false);
            CommandLine cl = new CommandLine(root);
            cl.addSubcommand("check", new CheckCommand());
            cl.setOut(new PrintWriter(o, true));
            cl.setErr(new PrintWriter(e, true));
            cl.setParameterExceptionHandler((ex, a) -> {
                e.println("openport: " + Main.oneLine(ex.getMessage()));
                return ExitCodes.USAGE;
            });
            cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
                int c = ex instanceof PortMappingException pme ? ExitCodes.of(pme)
                        : ex instanceof CliException ce ? ce.exitCode() : ExitCodes.FAILED;
                String m = ex instanceof PortMappingException pme ? Hints.explain(pme, 0) : ex.getMessage();
                BaseCommand b = (BaseCommand) commandLine.getCommand();
                if (b.opts().json) {
                    Map<String, Object> doc = new LinkedHashMap<>();
                    doc.put("command", b.name());
                    doc.put("ok", false);
                    doc.put("error", Map.of("exitCode", c, "message", Main.oneLine(m)));
                    o.println(Json.write(doc));
                }
                e.println("openport: " + Main.oneLine(m));
                return c;
            });
            code = cl.execute(args);
        }
        return new Cli.Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /**
     * {@code java -cp openport.jar:test-classes dev.openport.cli.CheckCli check ...}: the check command before
     * Main registers it (the lab suite's trial runs use it).
     */
    public static void main(String[] args) {
        Cli.Result r = run(args);
        System.out.print(r.out());
        System.err.print(r.err());
        System.out.flush();
        System.exit(r.code());
    }
}
