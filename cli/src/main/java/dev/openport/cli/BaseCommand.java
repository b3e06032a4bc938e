package dev.openport.cli;

import dev.openport.core.DiscoveryOptions;
import dev.openport.core.Gateways;
import dev.openport.core.MappingProtocol;
import dev.openport.core.PortMapper;
import dev.openport.core.PortMappingException;
import java.io.PrintStream;
import java.util.stream.Collectors;

/** What every sub-command shares: the global options, the output, connecting to the gateway. */
abstract class BaseCommand {
    /** Global options given after the sub-command name. */
    final GlobalOptions local = new GlobalOptions();

    private GlobalOptions top = new GlobalOptions();
    PrintStream out = System.out;
    PrintStream err = System.err;
    boolean tty;

    private GlobalOptions merged;
    private Ui ui;

    /** Where the command prints, and the global options given before its name. */
    final void init(GlobalOptions top, PrintStream out, PrintStream err, boolean tty) {
        this.top = top;
        this.out = out;
        this.err = err;
        this.tty = tty;
    }

    /**
     * One of the command's own options (those in its {@link CommandInfo}); {@code value} is {@code null} for a
     * flag.
     *
     * @throws IllegalArgumentException when the value is not valid (the parser names the option)
     */
    void option(String name, String value) throws CliException {
        throw new IllegalStateException("option in Catalog without a field: " + name);
    }

    /** A positional parameter. */
    void positional(String value) throws CliException {
        throw CliException.usage("unknown command or argument '" + value + "'");
    }

    /** Runs the command; returns the exit code. */
    abstract int call() throws Exception;

    /** The effective global options (given before or after the sub-command name). */
    GlobalOptions opts() {
        if (merged == null) {
            merged = GlobalOptions.merge(top, local);
        }
        return merged;
    }

    Ui ui() {
        if (ui == null) {
            ui = new Ui(out, err, opts().json, tty, opts().noColor, opts().verbosity());
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
        UpnpLocationFile cache = upnpLocations(options);
        try {
            PortMapper m = Gateways.connect(options);
            if (m.protocol() == MappingProtocol.UPNP) {
                cache.remember(m.gateway(), UpnpLocationFile.ssdpPort(options));
            }
            return m;
        } finally {
            ui().clearProgress();
        }
    }

    /**
     * The LOCATIONs remembered across runs, seeded into discovery (unless --no-cache); the caller saves what
     * the run learnt with {@link UpnpLocationFile#remember}.
     */
    UpnpLocationFile upnpLocations(DiscoveryOptions options) {
        UpnpLocationFile cache = UpnpLocationFile.beside(opts().state().path());
        if (!opts().noCache) {
            cache.seed(options);
        }
        return cache;
    }
}
