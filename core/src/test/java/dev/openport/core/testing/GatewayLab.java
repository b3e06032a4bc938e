package dev.openport.core.testing;

import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * What the protocol modules' lab tests (UpnpLabIT, PcpLabIT, ...) do to the gateway lab (lab/README.md) from
 * inside its client namespace: switch it with {@code lab/gateway-lab}, read miniupnpd's nft rules, and send
 * "hello" from the WAN host to see whether a mapping really forwards. Test code, shared with the protocol modules
 * through core's test-jar like {@link LossyUdpRelay}; only lab tests (skipped unless {@code -DOPENPORT_LAB=1})
 * call it.
 */
public final class GatewayLab {
    /** The lab's namespaces (lab/gateway-lab). */
    private static final String GATEWAY_NS = "pmlab-gw";
    private static final String WAN_NS = "pmlab-wan";

    private GatewayLab() {
    }

    /** A finished command: its exit status and its output (stdout and stderr together). */
    public record Result(int exit, String out) {
    }

    /**
     * Where lab/gateway-lab is: {@code -Dopenport.lab.script}, else the first {@code lab/gateway-lab} in the
     * working directory or one of its parents (Maven runs a module's tests in the module's directory).
     */
    public static Path script() {
        String p = System.getProperty("openport.lab.script");
        if (p != null) {
            return Path.of(p);
        }
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null) {
            Path candidate = dir.resolve("lab").resolve("gateway-lab");
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
            dir = dir.getParent();
        }
        throw new IllegalStateException("lab/gateway-lab not found; set -Dopenport.lab.script");
    }

    /** Runs {@code gateway-lab ARGS} (e.g. {@code up --ipv6}, {@code restart}); throws when it fails. */
    public static void command(int timeoutSeconds, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("bash", script().toString()));
        cmd.addAll(List.of(args));
        Result r = run(cmd, timeoutSeconds);
        if (r.exit() != 0) {
            throw new IllegalStateException("gateway-lab " + String.join(" ", args) + " failed: " + r.out());
        }
    }

    /** miniupnpd's DNAT rules on the gateway, as nft lists them. */
    public static String miniupnpdRules() throws Exception {
        return run(List.of("ip", "netns", "exec", GATEWAY_NS, "nft", "list", "chain", "inet", "pmlab",
                "prerouting_miniupnpd"), 10).out();
    }

    /**
     * Listens for TCP on {@code listen} (a client address and port) while the WAN host runs
     * {@code echo hello | NC}; whether "hello" arrived.
     *
     * @param nc the WAN host's nc command line, e.g. {@code nc -N -w 2 203.0.113.1 40400}
     */
    public static boolean tcpFromWan(InetSocketAddress listen, String nc) throws Exception {
        try (ServerSocket server = new ServerSocket()) {
            server.setReuseAddress(true);
            server.bind(listen);
            server.setSoTimeout(3000);
            CompletableFuture<String> got = CompletableFuture.supplyAsync(() -> {
                try (Socket s = server.accept()) {
                    s.setSoTimeout(3000);
                    InputStream in = s.getInputStream();
                    return new String(in.readNBytes(5), StandardCharsets.US_ASCII);
                } catch (IOException e) {
                    return "";
                }
            });
            onWan("echo hello | " + nc);
            return "hello".equals(got.get(5, TimeUnit.SECONDS));
        }
    }

    /**
     * Receives UDP on {@code listen} while the WAN host runs {@code echo hello | NC}; whether "hello" arrived.
     *
     * @param nc the WAN host's nc command line, e.g. {@code nc -u -w 1 203.0.113.1 40400}
     */
    public static boolean udpFromWan(InetSocketAddress listen, String nc) throws Exception {
        try (DatagramSocket socket = new DatagramSocket(listen)) {
            socket.setSoTimeout(3000);
            onWan("echo hello | " + nc);
            DatagramPacket p = new DatagramPacket(new byte[64], 64);
            try {
                socket.receive(p);
            } catch (SocketTimeoutException e) {
                return false;
            }
            return new String(p.getData(), 0, p.getLength(), StandardCharsets.US_ASCII).startsWith("hello");
        }
    }

    private static void onWan(String shell) throws Exception {
        run(List.of("ip", "netns", "exec", WAN_NS, "sh", "-c", shell), 10);
    }

    /** Runs a command, stdin closed; throws when it takes longer than {@code timeoutSeconds}. */
    public static Result run(List<String> cmd, int timeoutSeconds) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "";
            }
        });
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("timed out: " + cmd);
        }
        return new Result(p.exitValue(), out.get(5, TimeUnit.SECONDS));
    }
}
