package dev.openport.core;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** The local address the kernel would use to reach a host: a connected UDP socket, which sends nothing. */
final class LocalAddress {
    private LocalAddress() {
    }

    static InetAddress towards(InetAddress destination) throws PortMappingException {
        try (DatagramSocket s = new DatagramSocket()) {
            // connect() on UDP only asks the routing table; no packet leaves the host
            s.connect(new InetSocketAddress(destination, 9));
            InetAddress local = s.getLocalAddress();
            if (local == null || local.isAnyLocalAddress()) {
                throw new PortMappingException(PortMappingException.Reason.GATEWAY_NOT_FOUND,
                        "no local address routes to " + destination.getHostAddress());
            }
            return local;
        } catch (IOException | RuntimeException e) {
            if (e instanceof PortMappingException pme) {
                throw pme;
            }
            throw new PortMappingException(PortMappingException.Reason.GATEWAY_NOT_FOUND,
                    "no route to gateway " + destination.getHostAddress() + ": " + e.getMessage(), e);
        }
    }

    /**
     * The IPv4 address of the interface named {@code name} (as {@code ip link}/{@code ifconfig} show it, or
     * its Windows display name). A global address is preferred over a link-local (169.254/16) one.
     *
     * @throws PortMappingException {@code GATEWAY_NOT_FOUND} when there is no such interface, it is down or it
     *                              has no IPv4 address; the message lists the interfaces that do
     */
    static InetAddress ofInterface(String name) throws PortMappingException {
        try {
            NetworkInterface nif = name == null || name.isBlank() ? null : NetworkInterface.getByName(name.trim());
            if (nif == null && name != null) {
                for (NetworkInterface n : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                    if (name.trim().equals(n.getDisplayName())) {
                        nif = n;
                        break;
                    }
                }
            }
            if (nif == null) {
                throw notFound("no network interface named '" + name + "'");
            }
            if (!nif.isUp()) {
                throw notFound("network interface " + nif.getName() + " is down");
            }
            return ipv4Of(nif).orElseThrow(() -> notFound("network interface " + name + " has no IPv4 address"));
        } catch (SocketException e) {
            throw new PortMappingException(PortMappingException.Reason.GATEWAY_NOT_FOUND,
                    "cannot list network interfaces: " + e.getMessage(), e);
        }
    }

    /** The interface's IPv4 address, global before link-local, or empty. */
    static java.util.Optional<InetAddress> ipv4Of(NetworkInterface nif) {
        InetAddress linkLocal = null;
        for (InetAddress a : Collections.list(nif.getInetAddresses())) {
            if (a instanceof java.net.Inet4Address) {
                if (!a.isLinkLocalAddress()) {
                    return java.util.Optional.of(a);
                }
                linkLocal = linkLocal == null ? a : linkLocal;
            }
        }
        return java.util.Optional.ofNullable(linkLocal);
    }

    private static PortMappingException notFound(String what) {
        return new PortMappingException(PortMappingException.Reason.GATEWAY_NOT_FOUND,
                what + " (interfaces with IPv4: " + String.join(", ", usableInterfaces()) + ")");
    }

    /** Names of the interfaces that are up and have an IPv4 address, for error messages. */
    static List<String> usableInterfaces() {
        List<String> names = new ArrayList<>();
        try {
            for (NetworkInterface n : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (n.isUp() && ipv4Of(n).isPresent()) {
                    names.add(n.getName());
                }
            }
        } catch (SocketException e) {
            // only used to explain another error
        }
        return names;
    }
}
