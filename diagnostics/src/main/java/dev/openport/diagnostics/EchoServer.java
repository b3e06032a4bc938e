package dev.openport.diagnostics;

import dev.openport.core.Transport;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The echo service that {@link ReachabilityProbe} (and {@code openport check --echo}) asks to prove a mapping
 * from outside: run it on a host outside the network whose port you map, e.g. a VPS. It reads one line
 * {@code OPENPORT-ECHO 1 <TCP|UDP> <ip> <port> <token>}, connects (TCP) or sends {@value #UDP_COPIES} datagrams
 * (UDP) carrying {@code <token>\n} to that address, and answers {@code SENT} or {@code FAILED <why>}
 * (docs/diagnostics.md).
 *
 * <p>It is on the internet and connects out on request, so it reaches only the requester itself: the target
 * must be the address the request came from (IPv4), or in the same /64 (IPv6: the host's stable address and
 * the temporary one it connects from); anything else is {@code FAILED not your address} and nothing is sent.
 * Everything else is bounded too: a line of at most {@value #MAX_LINE} bytes read within
 * {@value #READ_TIMEOUT_MS} ms, a connect within {@value #CONNECT_TIMEOUT_MS} ms, at most {@value #MAX_IN_FLIGHT}
 * requests at once ({@code FAILED busy}), and per source (IPv4 address or IPv6 /64) {@value #RATE_PER_SECOND}
 * requests a second after a burst of {@value #RATE_BURST} ({@code FAILED rate limited}). A malformed line is
 * {@code FAILED bad request}.
 *
 * <pre>{@code
 * try (EchoServer echo = EchoServer.start(new InetSocketAddress(EchoServer.DEFAULT_PORT),
 *         served -> log.info("{} asked {}: {}", served.requester(), served.asked(), served.answer()))) {
 *     Thread.currentThread().join(); // serve until interrupted
 * }
 * }</pre>
 *
 * <p>Its threads are daemons named {@code openport-echo-*}; {@link #close()} stops them all.
 */
public final class EchoServer implements AutoCloseable {
    /** The port {@code openport echo-service} listens on by default. */
    public static final int DEFAULT_PORT = 7777;
    /** Longest request line, newline included; a probe's line is under 100 bytes. */
    public static final int MAX_LINE = 256;
    /** Time a requester has to send its whole line. */
    public static final int READ_TIMEOUT_MS = 5_000;
    /**
     * Time to connect to the target (TCP). Short, because a router drops a SYN to a port it does not forward and
     * the requester is waiting for the FAILED that says so (within a 3 s proof plus the probe's grace).
     */
    public static final int CONNECT_TIMEOUT_MS = 2_000;
    /** Requests served at once; more are answered {@code FAILED busy}. */
    public static final int MAX_IN_FLIGHT = 32;
    /** Requests a source may make per second, sustained. */
    public static final int RATE_PER_SECOND = 2;
    /** Requests a source may make at once after a quiet moment. */
    public static final int RATE_BURST = 6;
    /** Datagrams sent per UDP request: one may be lost. */
    public static final int UDP_COPIES = 3;

    /** What closing a request's socket reads and discards at most (see lingeringClose). */
    private static final int DRAIN_BYTES = 65_536;
    private static final int DRAIN_MS = 500;
    /** Sources the rate limit tracks at once (a bound on its memory). */
    private static final int MAX_SOURCES = 4_096;
    private static final Logger LOG = LoggerFactory.getLogger(EchoServer.class);

    /**
     * One request and its answer, as {@link #start}'s listener sees it.
     *
     * @param requester the address the request came from
     * @param asked     what was asked, e.g. {@code TCP 203.0.113.1:25565}, or {@code null} when the line was not
     *                  read or not a request
     * @param answer    what the service answered: {@code SENT} or {@code FAILED <why>}
     */
    public record Served(InetAddress requester, String asked, String answer) {
        /**
         * Checks the fields.
         *
         * @param requester the address the request came from
         * @param asked     what was asked, or {@code null}
         * @param answer    the answer line
         */
        public Served {
            Objects.requireNonNull(requester, "requester");
            Objects.requireNonNull(answer, "answer");
        }

        /**
         * Whether the token was sent.
         *
         * @return {@code true} for {@code SENT}
         */
        public boolean sent() {
            return answer.equals("SENT");
        }
    }

    private final ServerSocket server;
    private final Consumer<Served> listener;
    private final Thread acceptor;
    private final ThreadPoolExecutor workers;
    private final Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);
    private final SourceRateLimit rate;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    /** The pool's threads, so that close() can wait for each to have ended, not only for its tasks. */
    private final Set<Thread> threads = ConcurrentHashMap.newKeySet();

    private EchoServer(ServerSocket server, Consumer<Served> listener, SourceRateLimit rate) {
        this.server = server;
        this.listener = listener;
        this.rate = rate;
        AtomicInteger n = new AtomicInteger();
        workers = new ThreadPoolExecutor(0, MAX_IN_FLIGHT, 10, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
            Thread t = new Thread(r, "openport-echo-" + n.incrementAndGet());
            t.setDaemon(true);
            threads.removeIf(old -> !old.isAlive()); // bounded: at most the pool's size plus the ones just ended
            threads.add(t);
            return t;
        });
        acceptor = new Thread(this::acceptLoop, "openport-echo-accept");
        acceptor.setDaemon(true);
    }

    /**
     * Listens on {@code listen} and serves until {@link #close()}.
     *
     * @param listen   address and port to listen on ({@code new InetSocketAddress(7777)}: every address; port 0:
     *                 any free port, see {@link #address()})
     * @param listener told of every request and answer, on the thread that served it (must not block long)
     * @return the running service
     * @throws IOException when the address cannot be bound
     */
    public static EchoServer start(InetSocketAddress listen, Consumer<Served> listener) throws IOException {
        return start(listen, listener, new SourceRateLimit(RATE_PER_SECOND, RATE_BURST, MAX_SOURCES,
                System::nanoTime));
    }

    static EchoServer start(InetSocketAddress listen, Consumer<Served> listener, SourceRateLimit rate)
            throws IOException {
        ServerSocket s = new ServerSocket();
        try {
            s.bind(listen, 64);
        } catch (IOException e) {
            s.close();
            throw e;
        }
        EchoServer echo = new EchoServer(s, Objects.requireNonNull(listener, "listener"), rate);
        echo.acceptor.start();
        LOG.info("echo service listening on {}", echo.address());
        return echo;
    }

    /**
     * The address and port it listens on (the bound port when started with port 0).
     *
     * @return the listening address
     */
    public InetSocketAddress address() {
        return new InetSocketAddress(server.getInetAddress(), server.getLocalPort());
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            Socket c;
            try {
                c = server.accept();
            } catch (IOException e) {
                if (!server.isClosed()) {
                    LOG.warn("accept failed: {}", e.toString());
                    pause(); // e.g. out of file descriptors: do not spin
                }
                continue;
            }
            open.add(c);
            InetAddress peer = c.getInetAddress();
            // refusals are decided here, before reading, so a flood costs no worker and no line buffer
            if (!inFlight.tryAcquire()) {
                refuse(c, peer, "FAILED busy");
            } else if (!rate.tryAcquire(peer)) {
                inFlight.release();
                refuse(c, peer, "FAILED rate limited");
            } else {
                try {
                    workers.execute(() -> {
                        try {
                            serve(c, peer);
                        } finally {
                            inFlight.release();
                        }
                    });
                } catch (RejectedExecutionException e) {
                    inFlight.release(); // a worker had not yet returned to the pool, or close() is under way
                    refuse(c, peer, "FAILED busy");
                }
            }
        }
    }

    /** Answers without reading: a fresh socket's send buffer takes the short line without blocking. */
    private void refuse(Socket c, InetAddress peer, String answer) {
        try (c) {
            answer(c, answer);
        } catch (IOException e) {
            LOG.debug("could not answer {}", peer, e);
        } finally {
            open.remove(c);
        }
        served(new Served(peer, null, answer));
    }

    private void serve(Socket c, InetAddress peer) {
        String asked = null;
        String answer;
        try (c) {
            String line;
            try {
                line = readLine(c, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(READ_TIMEOUT_MS));
            } catch (SocketTimeoutException e) {
                LOG.debug("{} sent no whole line within {} ms", peer, READ_TIMEOUT_MS);
                line = null;
            }
            EchoRequest r = line == null ? null : EchoRequest.parse(line);
            if (r == null) {
                answer = "FAILED bad request";
            } else {
                asked = r.describe();
                answer = r.allowedFrom(peer) ? send(r) : "FAILED not your address";
            }
            answer(c, answer);
            lingeringClose(c);
        } catch (IOException e) {
            answer = "FAILED " + e.getClass().getSimpleName();
            LOG.debug("request from {} failed", peer, e);
        } finally {
            open.remove(c);
        }
        served(new Served(peer, asked, answer));
    }

    private static void pause() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void served(Served s) {
        LOG.debug("{} asked {}: {}", s.requester().getHostAddress(), s.asked(), s.answer());
        try {
            listener.accept(s);
        } catch (RuntimeException e) {
            LOG.warn("echo listener failed", e);
        }
    }

    /**
     * One line of printable ASCII ending in '\n', within {@link #MAX_LINE} bytes and by {@code deadline}, or
     * {@code null} when it is longer, ends early or holds another byte. The deadline is for the whole line: a
     * byte every few seconds does not keep a worker forever.
     */
    static String readLine(Socket c, long deadline) throws IOException {
        InputStream in = c.getInputStream();
        ByteArrayOutputStream line = new ByteArrayOutputStream(MAX_LINE);
        for (int i = 0; i < MAX_LINE; i++) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0) {
                throw new SocketTimeoutException("deadline");
            }
            c.setSoTimeout((int) left);
            int b = in.read();
            if (b == '\r') {
                continue; // a person typing into nc or telnet sends CR LF
            }
            if (b == '\n') {
                return line.toString(StandardCharsets.US_ASCII);
            }
            if (b < 0x20 || b >= 0x7f) {
                return null; // end of stream, or a control or non-ASCII byte
            }
            line.write(b);
        }
        return null;
    }

    private String send(EchoRequest r) {
        byte[] token = (r.token() + "\n").getBytes(StandardCharsets.US_ASCII);
        try {
            if (r.transport() == Transport.TCP) {
                try (Socket s = new Socket()) {
                    open.add(s); // close() ends a connect under way
                    try {
                        s.connect(r.target(), CONNECT_TIMEOUT_MS);
                        OutputStream out = s.getOutputStream();
                        out.write(token);
                        out.flush();
                    } finally {
                        open.remove(s);
                    }
                }
            } else {
                try (DatagramSocket d = new DatagramSocket()) {
                    for (int i = 0; i < UDP_COPIES; i++) {
                        d.send(new DatagramPacket(token, token.length, r.target()));
                    }
                }
            }
            return "SENT";
        } catch (SocketTimeoutException e) {
            return "FAILED connect timed out";
        } catch (ConnectException e) {
            return "FAILED connection refused";
        } catch (NoRouteToHostException e) {
            return "FAILED no route to host";
        } catch (IOException e) {
            return "FAILED " + e.getClass().getSimpleName();
        }
    }

    /**
     * Closing a socket with unread bytes resets the connection, and the reset can overtake the answer at the
     * requester: so first end our side, then discard what is left, at most {@value #DRAIN_BYTES} bytes for at
     * most {@value #DRAIN_MS} ms (a requester that has its answer closes at once).
     */
    private static void lingeringClose(Socket c) throws IOException {
        c.shutdownOutput();
        c.setSoTimeout(DRAIN_MS);
        InputStream in = c.getInputStream();
        byte[] buf = new byte[4_096];
        try {
            for (int total = 0; total < DRAIN_BYTES; ) {
                int n = in.read(buf);
                if (n < 0) {
                    return;
                }
                total += n;
            }
        } catch (SocketTimeoutException e) {
            // the requester keeps its side open: close anyway
        }
    }

    private static void answer(Socket c, String answer) throws IOException {
        OutputStream out = c.getOutputStream();
        out.write((answer + "\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /** Stops listening, ends every request under way and waits (briefly) for the service's threads. */
    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            LOG.debug("closing the listening socket", e);
        }
        workers.shutdownNow();
        for (Socket s : open) {
            try {
                s.close(); // a worker blocked reading a line returns at once
            } catch (IOException e) {
                LOG.debug("closing a request's socket", e);
            }
        }
        try {
            acceptor.join(2_000);
            workers.awaitTermination(CONNECT_TIMEOUT_MS + 1_000L, TimeUnit.MILLISECONDS);
            for (Thread t : threads) {
                t.join(1_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
