package dev.openport.core;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;

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
}
