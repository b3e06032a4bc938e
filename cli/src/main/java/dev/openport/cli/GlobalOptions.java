package dev.openport.cli;

import dev.openport.core.DiscoveryOptions;
import dev.openport.core.MappingProtocol;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Options every command accepts, before or after the sub-command name ({@code openport --json list} and
 * {@code openport list --json} mean the same). The parser fills one instance before the sub-command name and one
 * after it; {@link #merge} combines the two.
 */
final class GlobalOptions {
    boolean json;
    int verbosity;
    Duration timeout;
    boolean noColor;
    InetAddress gateway;
    MappingProtocol protocol;
    /** Whether --protocol was given (its value {@code auto} is a null protocol). */
    boolean protocolGiven;
    URI upnpUrl;
    boolean noCache;

    // --- hidden: for tests that point the CLI at a fake gateway on loopback -----------------------------------
    Integer natpmpPort;
    Integer pcpPort;
    Integer ssdpPort;
    boolean noMulticast;
    Path stateFile;

    /**
     * Takes one global option (see {@link Catalog#GLOBAL}); {@code value} is {@code null} for a flag.
     *
     * @throws IllegalArgumentException when the value is not valid for the option
     */
    void set(String name, String value) {
        switch (name) {
            case "--json" -> json = true;
            case "--verbose" -> verbosity++;
            case "--timeout" -> timeout = Converters.duration(value);
            case "--no-color" -> noColor = true;
            case "--gateway" -> gateway = Converters.ip(value);
            case "--protocol" -> {
                protocol = Converters.protocol(value);
                protocolGiven = true;
            }
            case "--upnp-url" -> upnpUrl = Converters.httpUrl(value);
            case "--no-cache" -> noCache = true;
            case "--natpmp-port" -> natpmpPort = Converters.port(value);
            case "--pcp-port" -> pcpPort = Converters.port(value);
            case "--ssdp-port" -> ssdpPort = Converters.port(value);
            case "--no-multicast" -> noMulticast = true;
            case "--state-file" -> stateFile = Path.of(value);
            default -> throw new IllegalStateException("option in Catalog.GLOBAL without a field: " + name);
        }
    }

    /** Values given on the sub-command win over those given before it. */
    static GlobalOptions merge(GlobalOptions top, GlobalOptions sub) {
        GlobalOptions m = new GlobalOptions();
        m.json = top.json || sub.json;
        m.verbosity = top.verbosity + sub.verbosity;
        m.timeout = sub.timeout != null ? sub.timeout : top.timeout;
        m.noColor = top.noColor || sub.noColor;
        m.gateway = sub.gateway != null ? sub.gateway : top.gateway;
        m.protocol = sub.protocolGiven ? sub.protocol : top.protocol;
        m.protocolGiven = top.protocolGiven || sub.protocolGiven;
        m.noCache = top.noCache || sub.noCache;
        m.upnpUrl = sub.upnpUrl != null ? sub.upnpUrl : top.upnpUrl;
        m.natpmpPort = sub.natpmpPort != null ? sub.natpmpPort : top.natpmpPort;
        m.pcpPort = sub.pcpPort != null ? sub.pcpPort : top.pcpPort;
        m.ssdpPort = sub.ssdpPort != null ? sub.ssdpPort : top.ssdpPort;
        m.noMulticast = top.noMulticast || sub.noMulticast;
        m.stateFile = sub.stateFile != null ? sub.stateFile : top.stateFile;
        return m;
    }

    int verbosity() {
        return verbosity;
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
