package dev.openport.cli;

import dev.openport.core.DiscoveryOptions;
import dev.openport.core.MappingProtocol;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * Options every command accepts, before or after the sub-command name ({@code openport --json list} and
 * {@code openport list --json} mean the same). A picocli mixin in the top command and in each sub-command;
 * {@link #merge} combines the two.
 */
final class GlobalOptions {
    @Option(names = "--json", description = "Print one JSON document (stable field names; see the README).")
    boolean json;

    @Option(names = {"-v", "--verbose"}, description = "Log to stderr: -v debug, -vv trace and stack traces.")
    boolean[] verbose = new boolean[0];

    @Option(names = "--timeout", paramLabel = "<duration>", converter = Converters.Durations.class,
            description = "Deadline of each network step, e.g. 3s, 500ms (default: 3s).")
    Duration timeout;

    @Option(names = "--no-color", description = "No colours (also off when NO_COLOR is set or not on a terminal).")
    boolean noColor;

    @Option(names = {"-g", "--gateway"}, paramLabel = "<ip>", converter = Converters.Ips.class,
            description = "The router to talk to (default: the system's default gateway).")
    InetAddress gateway;

    @Option(names = {"-p", "--protocol"}, paramLabel = "auto|pcp|natpmp|upnp",
            converter = Converters.Protocols.class,
            description = "Use only this protocol (default: auto = PCP > NAT-PMP > UPnP, whichever answers).")
    MappingProtocol protocol;

    @Option(names = "--upnp-url", paramLabel = "<url>", converter = Converters.HttpUrls.class,
            description = "The router's UPnP description URL, if known: skips the SSDP search.")
    URI upnpUrl;

    // --- hidden: for tests that point the CLI at a fake gateway on loopback -----------------------------------
    @Option(names = "--natpmp-port", hidden = true, converter = Converters.Ports.class)
    Integer natpmpPort;

    @Option(names = "--pcp-port", hidden = true, converter = Converters.Ports.class)
    Integer pcpPort;

    @Option(names = "--ssdp-port", hidden = true, converter = Converters.Ports.class)
    Integer ssdpPort;

    @Option(names = "--no-multicast", hidden = true)
    boolean noMulticast;

    @Option(names = "--state-file", hidden = true)
    Path stateFile;

    /** Values given on the sub-command win over those given before it. */
    static GlobalOptions merge(GlobalOptions top, GlobalOptions sub) {
        GlobalOptions m = new GlobalOptions();
        m.json = top.json || sub.json;
        m.verbose = new boolean[top.verbose.length + sub.verbose.length];
        m.timeout = sub.timeout != null ? sub.timeout : top.timeout;
        m.noColor = top.noColor || sub.noColor;
        m.gateway = sub.gateway != null ? sub.gateway : top.gateway;
        m.protocol = sub.protocol != null ? sub.protocol : top.protocol;
        m.upnpUrl = sub.upnpUrl != null ? sub.upnpUrl : top.upnpUrl;
        m.natpmpPort = sub.natpmpPort != null ? sub.natpmpPort : top.natpmpPort;
        m.pcpPort = sub.pcpPort != null ? sub.pcpPort : top.pcpPort;
        m.ssdpPort = sub.ssdpPort != null ? sub.ssdpPort : top.ssdpPort;
        m.noMulticast = top.noMulticast || sub.noMulticast;
        m.stateFile = sub.stateFile != null ? sub.stateFile : top.stateFile;
        return m;
    }

    int verbosity() {
        return verbose.length;
    }

    Duration timeoutOrDefault() {
        return timeout != null ? timeout : DiscoveryOptions.DEFAULT_TIMEOUT;
    }

    /**
     * The discovery options these flags describe. Multicast is off whenever the gateway is loopback: a fake
     * gateway in a test must never make us multicast on a real interface.
     */
    DiscoveryOptions.Builder discovery() {
        DiscoveryOptions.Builder b = DiscoveryOptions.builder().timeout(timeoutOrDefault());
        if (gateway != null) {
            b.gateway(gateway);
        }
        if (protocol != null) {
            b.protocols(protocol);
        }
        if (upnpUrl != null) {
            b.upnpLocation(upnpUrl);
        }
        if (natpmpPort != null) {
            b.serverPort(MappingProtocol.NAT_PMP, natpmpPort);
        }
        if (pcpPort != null) {
            b.serverPort(MappingProtocol.PCP, pcpPort);
        }
        if (ssdpPort != null) {
            b.serverPort(MappingProtocol.UPNP, ssdpPort);
        }
        b.multicast(!noMulticast && (gateway == null || !gateway.isLoopbackAddress()));
        return b;
    }

    StateFile state() {
        return new StateFile(stateFile != null ? stateFile : StateFile.defaultPath());
    }
}
