package dev.openport.upnp;

import java.net.InetAddress;

/**
 * Lets the in-process latency bench time a real SSDP search on every run: a warm JVM remembers the LOCATION that
 * answered per gateway (package-private {@code Discovery.forget}), so without this only the first connect
 * searches. Bench only (split package on the class path).
 */
public final class UpnpBenchHooks {
    private UpnpBenchHooks() {
    }

    /** Forgets the remembered description URL of {@code gateway}: the next connect searches with SSDP again. */
    public static void forgetLocation(InetAddress gateway) {
        Discovery.forget(gateway);
    }
}
