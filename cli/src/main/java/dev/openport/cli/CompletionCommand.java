package dev.openport.cli;

/** {@code openport completion [bash|zsh|fish]}: prints a completion script generated from {@link Catalog}. */
final class CompletionCommand extends BaseCommand {
    private String shell = "bash";
    private boolean given;

    @Override
    String name() {
        return "completion";
    }

    @Override
    void positional(String value) throws CliException {
        if (given) {
            throw CliException.usage("completion takes one shell (got '" + shell + "' and '" + value + "')");
        }
        if (!value.equals("bash") && !value.equals("zsh") && !value.equals("fish")) {
            throw CliException.usage("unknown shell '" + value + "': use bash, zsh or fish");
        }
        shell = value;
        given = true;
    }

    @Override
    int call() {
        out.print(Completions.script(shell));
        out.flush();
        return ExitCodes.OK;
    }
}
