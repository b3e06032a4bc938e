package dev.openport.cli;

/** Runs {@code openport check} in-process (the lab suite's trial runs use {@link #main}). */
final class CheckCli {
    private CheckCli() {
    }

    static Cli.Result run(String... args) {
        return Cli.run(args);
    }

    /** {@code java -cp openport.jar:test-classes dev.openport.cli.CheckCli check ...}. */
    public static void main(String[] args) {
        Cli.Result r = run(args);
        System.out.print(r.out());
        System.err.print(r.err());
        System.out.flush();
        System.exit(r.code());
    }
}
