package dev.openport.cli;

/**
 * Creates the command that runs. A class of its own: verifying a method that returns each command as a
 * {@link BaseCommand} loads every command class, and only a run that executes a command should pay for that
 * ({@code --version} and {@code --help} never load this class).
 */
final class Commands {
    private Commands() {
    }

    /** The command's class; a switch, so only the one that runs is loaded. */
    static BaseCommand create(String name) {
        return switch (name) {
            case "map" -> new MapCommand();
            case "unmap" -> new UnmapCommand();
            case "list" -> new ListCommand();
            case "external-ip" -> new ExternalIpCommand();
            case "discover" -> new DiscoverCommand();
            case "check" -> new CheckCommand();
            case "echo-service" -> new EchoServiceCommand();
            case "completion" -> new CompletionCommand();
            default -> throw new IllegalStateException("command in Catalog without a class: " + name);
        };
    }
}
