package dev.openport.diagnostics;

import dev.openport.core.PortMapping;
import dev.openport.core.PortMappingException;
import dev.openport.core.Transport;
import dev.openport.core.spi.NetworkGuard;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Objects;

/**
 * Proves that a mapping really forwards: an echo service outside the NAT, which the user controls, is asked to
 * send a token to the external address and port; the probe listens on the internal port and reports whether
 * the token arrived. Without such a service reachability cannot be proven from inside the NAT.
 *
 * <p>The echo protocol is one line over TCP to the service:
 * {@code OPENPORT-ECHO 1 <TCP|UDP> <external-ip> <external-port> <token>\n}; the service connects (TCP) or
 * sends a datagram (UDP) carrying {@code <token>\n} to that address and answers {@code SENT\n} or
 * {@code FAILED <why>\n} (see docs/diagnostics.md).
 *
 * <pre>{@code
 * PortMapping m = mapper.map(MappingRequest.of(Transport.TCP, 25565));
 * ReachabilityProbe.Result r = ReachabilityProbe.prove(new InetSocketAddress("echo.example.net", 7777),
 *         m, Duration.ofSeconds(3));
 * System.out.println(r.arrived() ? "reachable from outside" : "not reachable: " + r.detail());
 * }</pre>
 */
public final class ReachabilityProbe {
    private static final int MAX_LINE = 256;
    private static final SecureRandom RANDOM = new SecureRandom();

    private ReachabilityProbe() {
    }

    /** What a proof found, typed so that callers never read {@link Result#detail()} to decide. */
    public enum Outcome {
        /** The token arrived on the internal port: the mapping forwards. */
        ARRIVED,
        /**
         * TCP while a program listens on the internal port ({@link #proveConnect}): the echo service's connection
         * to the external port was accepted. Weaker than {@link #ARRIVED} (whatever accepted it is not seen
         * here), but it is what the outside experiences.
         */
        CONNECTED,
        /** The echo service says it sent the token, and nothing arrived before the deadline. */
        NOT_ARRIVED,
        /** The echo service answered {@code FAILED}: it could not reach the external address and port. */
        ECHO_FAILED,
        /** The echo service gave no usable answer in time: nothing is known about the mapping. */
        NO_ANSWER,
        /** The mapping has no external address to send to (the gateway did not say one). */
        NO_EXTERNAL_ADDRESS;

        /**
         * Whether the outside reached the mapping.
         *
         * @return {@code true} for {@link #ARRIVED} and {@link #CONNECTED}
         */
        public boolean proven() {
            return this == ARRIVED || this == CONNECTED;
        }

        /**
         * Whether the echo service tried and the outside did not get through: a failed reachability signal.
         *
         * @return {@code true} for {@link #NOT_ARRIVED} and {@link #ECHO_FAILED}
         */
        public boolean disproven() {
            return this == NOT_ARRIVED || this == ECHO_FAILED;
        }
    }

    /**
     * What happened.
     *
     * @param arrived whether the token arrived on the internal port
     * @param detail  what the echo service said, or why nothing arrived (for people; decide on {@code outcome})
     * @param took    from asking the service to the token's arrival (or giving up)
     * @param outcome what the proof found
     */
    public record Result(boolean arrived, String detail, Duration took, Outcome outcome) {
        /**
         * Checks the components.
         *
         * @param arrived whether the token arrived on the internal port
         * @param detail  what the echo service said, or why nothing arrived
         * @param took    from asking the service to the token's arrival (or giving up)
         * @param outcome what the proof found; {@code arrived} exactly when it is {@link Outcome#ARRIVED}
         */
        public Result {
            Objects.requireNonNull(detail, "detail");
            Objects.requireNonNull(took, "took");
            Objects.requireNonNull(outcome, "outcome");
            if (arrived != (outcome == Outcome.ARRIVED)) {
                throw new IllegalArgumentException("arrived=" + arrived + " contradicts " + outcome);
            }
        }
    }

    /**
     * Asks {@code echoService} to reach {@code mapping}'s external address and port, and listens on its internal
     * port (on the mapping's internal address) for the token.
     *
     * @param echoService the echo service outside the NAT
     * @param mapping     the mapping to prove
     * @param timeout     how long to wait for the service and for the token
     * @return whether the token arrived, and what happened
     *
     * @throws PortMappingException {@code CONFLICT} when the internal port is in use here (a service already
     *                              listens: stop it, or check another port), {@code NETWORK_FAILURE} when the
     *                              echo service cannot be reached
     */
    public static Result prove(InetSocketAddress echoService, PortMapping mapping, Duration timeout)
            throws PortMappingException {
        Objects.requireNonNull(echoService, "echoService");
        Objects.requireNonNull(mapping, "mapping");
        if (mapping.externalAddress() == null) {
            return new Result(false, "the gateway did not say its external address", Duration.ZERO,
                    Outcome.NO_EXTERNAL_ADDRESS);
        }
        NetworkGuard.check(echoService);
        String token = HexFormat.of().formatHex(bytes(8));
        InetSocketAddress local = new InetSocketAddress(mapping.internalAddress(), mapping.internalPort());
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        try (Listener listener = mapping.transport() == Transport.TCP ? new TcpListener(local) : new UdpListener(
                local)) {
            String reply = ask(echoService, mapping, token, timeout);
            if (!reply.equals("SENT")) {
                return new Result(false, "the echo service answered: " + reply, since(start), unsent(reply));
            }
            // a SENT that came late (a slow connect) has queued the token: still look for it briefly
            boolean arrived = listener.awaitToken(token, Math.max(deadline, System.nanoTime() + 500_000_000L));
            return new Result(arrived, arrived ? "the echo service's packet arrived"
                    : "the echo service sent a packet to " + mapping.external() + " but it did not arrive",
                    since(start), arrived ? Outcome.ARRIVED : Outcome.NOT_ARRIVED);
        } catch (java.net.BindException e) {
            throw new PortMappingException(PortMappingException.Reason.CONFLICT, "cannot listen on " + local
                    + " to receive the echo (" + e.getMessage() + "): is a service already using it?", e);
        } catch (IOException e) {
            if (e instanceof PortMappingException pme) {
                throw pme;
            }
            throw new PortMappingException(PortMappingException.Reason.NETWORK_FAILURE,
                    "echo service " + echoService + ": " + e.getMessage(), e);
        }
    }

    /**
     * The TCP proof while a program already listens on the internal port (so {@link #prove} cannot): asks
     * {@code echoService} to connect to {@code mapping}'s external address and port; its {@code SENT} means the
     * connection was accepted ({@link Outcome#CONNECTED}), its {@code FAILED} that it was not. The listening
     * program sees one short connection carrying the token line. UDP has no such proof (a datagram sent is not
     * a datagram received): use {@link #prove} with the port free.
     *
     * @param echoService the echo service outside the NAT
     * @param mapping     the TCP mapping to prove
     * @param timeout     how long to wait for the service's answer
     * @return {@link Outcome#CONNECTED}, {@link Outcome#ECHO_FAILED}, {@link Outcome#NO_ANSWER} or
     *         {@link Outcome#NO_EXTERNAL_ADDRESS}
     *
     * @throws PortMappingException     {@code NETWORK_FAILURE} when the echo service cannot be reached
     * @throws IllegalArgumentException for a UDP mapping
     */
    public static Result proveConnect(InetSocketAddress echoService, PortMapping mapping, Duration timeout)
            throws PortMappingException {
        Objects.requireNonNull(echoService, "echoService");
        Objects.requireNonNull(mapping, "mapping");
        if (mapping.transport() != Transport.TCP) {
            throw new IllegalArgumentException("only a TCP mapping can be proven by a connection");
        }
        if (mapping.externalAddress() == null) {
            return new Result(false, "the gateway did not say its external address", Duration.ZERO,
                    Outcome.NO_EXTERNAL_ADDRESS);
        }
        NetworkGuard.check(echoService);
        long start = System.nanoTime();
        try {
            String reply = ask(echoService, mapping, HexFormat.of().formatHex(bytes(8)), timeout);
            if (reply.equals("SENT")) {
                return new Result(false, "the echo service connected to " + mapping.external()
                        + " (a program here listens on the port)", since(start), Outcome.CONNECTED);
            }
            return new Result(false, "the echo service answered: " + reply, since(start), unsent(reply));
        } catch (IOException e) {
            throw new PortMappingException(PortMappingException.Reason.NETWORK_FAILURE,
                    "echo service " + echoService + ": " + e.getMessage(), e);
        }
    }

    /** A reply other than SENT: the service's own FAILED, or no usable answer at all. */
    private static Outcome unsent(String reply) {
        return reply.startsWith("FAILED") ? Outcome.ECHO_FAILED : Outcome.NO_ANSWER;
    }

    /**
     * How much longer than the caller's timeout the service's answer is awaited. Its FAILED for a port that
     * does not forward comes only after its own connect gives up (most routers drop an unsolicited SYN rather
     * than refuse it; {@link EchoServer} gives up after {@value EchoServer#CONNECT_TIMEOUT_MS} ms): without the
     * grace a 3 s proof would read that as no answer — and never repair the dead mapping it found.
     */
    static final int ANSWER_GRACE_MS = 3_000;

    private static String ask(InetSocketAddress service, PortMapping m, String token, Duration timeout)
            throws IOException {
        int ms = (int) Math.max(1, timeout.toMillis());
        try (Socket s = new Socket()) {
            s.connect(service, ms);
            s.setSoTimeout(ms + ANSWER_GRACE_MS);
            OutputStream out = s.getOutputStream();
            out.write(("OPENPORT-ECHO 1 " + m.transport().name() + " " + m.externalAddress().getHostAddress() + " "
                    + m.externalPort() + " " + token + "\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            try {
                return readLine(s.getInputStream());
            } catch (SocketTimeoutException e) {
                return "nothing within " + ms + " ms";
            }
        }
    }

    /** One line, at most {@link #MAX_LINE} bytes, printable ASCII only (the service is not trusted either). */
    static String readLine(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < MAX_LINE; i++) {
            int c = in.read();
            if (c < 0 || c == '\n') {
                break;
            }
            if (c >= 0x20 && c < 0x7f) {
                sb.append((char) c);
            }
        }
        return sb.toString().trim();
    }

    private interface Listener extends AutoCloseable {
        boolean awaitToken(String token, long deadlineNanos) throws IOException;

        @Override
        void close() throws IOException;
    }

    private static final class TcpListener implements Listener {
        private final ServerSocket server;

        TcpListener(InetSocketAddress local) throws IOException {
            server = new ServerSocket();
            server.bind(local);
        }

        @Override
        public boolean awaitToken(String token, long deadline) throws IOException {
            while (true) {
                int left = millisLeft(deadline);
                if (left <= 0) {
                    return false;
                }
                server.setSoTimeout(left);
                try (Socket c = server.accept()) {
                    c.setSoTimeout(Math.max(1, millisLeft(deadline)));
                    if (readLine(c.getInputStream()).equals(token)) {
                        return true;
                    }
                } catch (SocketTimeoutException e) {
                    return false;
                }
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }

    private static final class UdpListener implements Listener {
        private final DatagramSocket socket;

        UdpListener(InetSocketAddress local) throws IOException {
            socket = new DatagramSocket(local);
        }

        @Override
        public boolean awaitToken(String token, long deadline) throws IOException {
            byte[] buf = new byte[MAX_LINE];
            while (true) {
                int left = millisLeft(deadline);
                if (left <= 0) {
                    return false;
                }
                socket.setSoTimeout(left);
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                try {
                    socket.receive(p);
                } catch (SocketTimeoutException e) {
                    return false;
                }
                String got = new String(p.getData(), 0, p.getLength(), StandardCharsets.US_ASCII).trim();
                if (got.equals(token)) {
                    return true;
                }
            }
        }

        @Override
        public void close() {
            socket.close();
        }
    }

    private static int millisLeft(long deadline) {
        return (int) Math.min(Integer.MAX_VALUE, (deadline - System.nanoTime()) / 1_000_000);
    }

    private static Duration since(long start) {
        return Duration.ofNanos(System.nanoTime() - start);
    }

    private static byte[] bytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }
}
