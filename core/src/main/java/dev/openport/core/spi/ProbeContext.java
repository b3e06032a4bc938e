package dev.openport.core.spi;

import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * Everything a protocol module needs to reach one gateway.
 *
 * <pre>{@code
 * public PortMapper probe(ProbeContext ctx) throws PortMappingException {
 *     InetSocketAddress server = new InetSocketAddress(ctx.gateway(), ctx.serverPortOr(5351));
 *     UdpExchange ex = UdpExchange.open(MappingProtocol.NAT_PMP, server, ctx.localAddress(), 16);
 *     // ... ask for the external address within ctx.timeout() ...
 * }
 * }</pre>
 *
 * @param gateway      the gateway's address (NAT-PMP/PCP server; UPnP unicast M-SEARCH target)
 * @param localAddress the local address that routes to the gateway (PCP client address, UPnP internal client)
 * @param timeout      the total deadline of one operation (a probe, a map, an unmap)
 * @param serverPort   the protocol's server port, 0 for the standard one (5351 for NAT-PMP/PCP, 1900 for SSDP);
 *                     tests point it at a fake gateway on loopback
 * @param upnpLocation a known UPnP description URL that skips SSDP, or {@code null}
 * @param multicast    whether the module may send and listen for multicast (SSDP search, PCP ANNOUNCE);
 *                     {@code false} in tests so nothing leaves loopback
 */
public record ProbeContext(InetAddress gateway, InetAddress localAddress, Duration timeout, int serverPort,
        URI upnpLocation, boolean multicast) {

    /**
     * Checks the context core builds for a probe.
     *
     * @param gateway      the gateway, not {@code null}
     * @param localAddress this host's address towards it, not {@code null}
     * @param timeout      the deadline of one operation, positive
     * @param serverPort   0-65535, 0 = standard
     * @param upnpLocation a known description URL, or {@code null}
     * @param multicast    whether multicast may be used
     * @throws IllegalArgumentException when the timeout is not positive or the port out of range
     */
    public ProbeContext {
        Objects.requireNonNull(gateway, "gateway");
        Objects.requireNonNull(localAddress, "localAddress");
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive");
        }
        if (serverPort < 0 || serverPort > 65535) {
            throw new IllegalArgumentException("server port must be 0-65535");
        }
    }

    /**
     * The port to send to: the configured one, else the protocol's standard port.
     *
     * @param standardPort the protocol's standard port (5351, 1900)
     * @return {@link #serverPort()}, or {@code standardPort} when it is 0
     */
    public int serverPortOr(int standardPort) {
        return serverPort == 0 ? standardPort : serverPort;
    }
}
