package dev.openport.cli;

import dev.openport.core.DiscoveryOptions;
import dev.openport.core.Gateways;
import dev.openport.core.MappingProtocol;
import dev.openport.core.PortMapper;
import dev.openport.core.PortMappingException;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

/** What every sub-command shares: the global options, the output, connecting to the gateway. */
abstract class BaseCommand implements Callable<Integer> {
    @Mixin
    GlobalOptions local;

    @ParentCommand
    OpenPortCommand root;

    private GlobalOptions merged;
    private Ui ui;

    /** The effective global options (given before or after the sub-command name). */
    GlobalOptions opts() {
        if (merged == null) {
            merged = GlobalOptions.merge(root.global, local);
        }
        return merged;
    }

    Ui ui() {
        if (ui == null) {
            ui = new Ui(root.out, root.err, opts().json, root.tty, opts().noColor, opts().verbosity());
        }
        return ui;
    }

    /** The command's name as JSON's {@code command} field. */
    abstract String name();

    /** Connects with the global options, showing progress on a terminal. */
    PortMapper connect(DiscoveryOptions options) throws PortMappingException {
        ui().progress("looking for a gateway"
                + (options.gateway() != null ? " at " + options.gateway().getHostAddress() : "")
                + " (" + options.protocols().stream().sorted().map(MappingProtocol::displayName)
                        .collect(Collectors.joining(", ")) + ")…");
        try {
            return Gateways.connect(options);
        } finally {
            ui().clearProgress();
        }
    }
}
