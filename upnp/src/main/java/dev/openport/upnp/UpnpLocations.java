package dev.openport.upnp;

import java.net.InetAddress;
import java.net.URI;
import java.util.Objects;

/**
 * The LOCATION (description URL) this process remembers per gateway, for a caller that keeps it across processes
 * (the CLI's state directory). A seeded LOCATION is only a hint: discovery checks it on use (it must be on the
 * LAN, answer, and describe an IGD) and searches with SSDP when it does not.
 *
 * <pre>{@code
 * UpnpLocations.seed(gateway, 1900, savedUri);   // before connecting
 * URI now = UpnpLocations.remembered(gateway, 1900); // after: save it if it changed
 * }</pre>
 */
public final class UpnpLocations {
    private UpnpLocations() {
    }

    /**
     * Remembers {@code location} for {@code gateway} unless this process already knows one.
     *
     * @param gateway  the gateway's LAN address
     * @param ssdpPort the SSDP port discovery searches on ({@link #SSDP_PORT} unless a test says otherwise)
     * @param location the description URL saved by an earlier process
     */
    public static void seed(InetAddress gateway, int ssdpPort, URI location) {
        Discovery.seed(Objects.requireNonNull(gateway, "gateway"), ssdpPort,
                Objects.requireNonNull(location, "location"));
    }

    /**
     * The LOCATION that last worked for {@code gateway} in this process.
     *
     * @param gateway  the gateway's LAN address
     * @param ssdpPort the SSDP port discovery searches on ({@link #SSDP_PORT} unless a test says otherwise)
     * @return the description URL, or {@code null} when none worked (or was seeded) yet
     */
    public static URI remembered(InetAddress gateway, int ssdpPort) {
        return Discovery.remembered(gateway, ssdpPort);
    }

    /** The SSDP port discovery uses by default (UPnP Device Architecture 1.1 §1.3.2). */
    public static final int SSDP_PORT = Ssdp.PORT;
}
