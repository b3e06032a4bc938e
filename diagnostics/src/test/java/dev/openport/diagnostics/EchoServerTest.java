package dev.openport.diagnostics;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The echo service over real loopback sockets: what it sends, what it refuses, and that it stays bounded. */
class EchoServerTest {
    static final InetAddress LO = ip("127.0.0.1");

    final BlockingQueue<EchoServer.Served> served = new LinkedBlockingQueue<>();
    EchoServer echo;

    static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    EchoServer start() throws IOException {
        echo = EchoServer.start(new InetSocketAddress(LO, 0), served::add);
        return echo;
    }

    /** Without the rate limit in the way (its own tests and {@link #theRateLimitRefusesABurstBeyondItsSize}). */
    EchoServer startUnlimited() throws IOException {
        echo = EchoServer.start(new InetSocketAddress(LO, 0), served::add,
                new SourceRateLimit(1_000, 10_000, 100, System::nanoTime));
        return echo;
    }

    @AfterEach
    void stop() {
        if (echo != null) {
            echo.close();
        }
    }

    /** Sends {@code request} as is from 127.0.0.1 and returns the answer line. */
    String ask(byte[] request) throws IOException {
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress(LO, 0));
            s.connect(echo.address(), 2_000);
            s.setSoTimeout(10_000);
            s.getOutputStream().write(request);
            s.getOutputStream().flush();
            return ReachabilityProbe.readLine(s.getInputStream());
        }
    }

    String ask(String line) throws IOException {
        return ask((line + "\n").getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void tcpTokenArrivesAtTheRequester() throws Exception {
        start();
        try (ServerSocket target = new ServerSocket(0, 1, LO)) {
            assertThat(ask("OPENPORT-ECHO 1 TCP 127.0.0.1 " + target.getLocalPort() + " tok-1")).isEqualTo("SENT");
            target.setSoTimeout(2_000);
            try (Socket c = target.accept()) {
                c.setSoTimeout(2_000);
                assertThat(ReachabilityProbe.readLine(c.getInputStream())).isEqualTo("tok-1");
            }
        }
        EchoServer.Served s = served.poll(2, TimeUnit.SECONDS);
        assertThat(s.requester()).isEqualTo(LO);
        assertThat(s.asked()).startsWith("TCP 127.0.0.1:");
        assertThat(s.sent()).isTrue();
    }

    @Test
    void udpTokensArrive() throws Exception {
        start();
        try (DatagramSocket target = new DatagramSocket(new InetSocketAddress(LO, 0))) {
            target.setSoTimeout(2_000);
            assertThat(ask("OPENPORT-ECHO 1 UDP 127.0.0.1 " + target.getLocalPort() + " abc")).isEqualTo("SENT");
            for (int i = 0; i < EchoServer.UDP_COPIES; i++) {
                DatagramPacket p = new DatagramPacket(new byte[64], 64);
                target.receive(p);
                assertThat(new String(p.getData(), 0, p.getLength(), StandardCharsets.US_ASCII)).isEqualTo("abc\n");
            }
        }
    }

    @Test
    void ipv6LoopbackReachesItself() throws Exception {
        InetAddress six = ip("::1");
        try (ServerSocket probe = new ServerSocket()) {
            probe.bind(new InetSocketAddress(six, 0));
        } catch (IOException noIpv6) {
            return; // no IPv6 loopback on this machine
        }
        echo = EchoServer.start(new InetSocketAddress(six, 0), served::add);
        try (ServerSocket target = new ServerSocket(0, 1, six); Socket s = new Socket(six, echo.address().getPort())) {
            s.setSoTimeout(5_000);
            s.getOutputStream().write(("OPENPORT-ECHO 1 TCP ::1 " + target.getLocalPort() + " six\n")
                    .getBytes(StandardCharsets.US_ASCII));
            assertThat(ReachabilityProbe.readLine(s.getInputStream())).isEqualTo("SENT");
            target.setSoTimeout(2_000);
            try (Socket c = target.accept()) {
                assertThat(ReachabilityProbe.readLine(c.getInputStream())).isEqualTo("six");
            }
        }
    }

    @Test
    void anotherAddressIsRefusedAndNothingIsSent() throws Exception {
        start();
        assertThat(ask("OPENPORT-ECHO 1 TCP 192.0.2.1 80 t")).isEqualTo("FAILED not your address");
        // 127.0.0.2 is reachable on Linux loopback: a listener there must see nothing from a 127.0.0.1 request
        try (ServerSocket other = new ServerSocket(0, 1, ip("127.0.0.2"));
                DatagramSocket otherUdp = new DatagramSocket(new InetSocketAddress(ip("127.0.0.2"), 0))) {
            assertThat(ask("OPENPORT-ECHO 1 TCP 127.0.0.2 " + other.getLocalPort() + " t"))
                    .isEqualTo("FAILED not your address");
            assertThat(ask("OPENPORT-ECHO 1 UDP 127.0.0.2 " + otherUdp.getLocalPort() + " t"))
                    .isEqualTo("FAILED not your address");
            other.setSoTimeout(300);
            otherUdp.setSoTimeout(300);
            assertThat(nothingAccepted(other)).isTrue();
            assertThat(nothingReceived(otherUdp)).isTrue();
        }
        assertThat(served.poll(2, TimeUnit.SECONDS).asked()).isEqualTo("TCP 192.0.2.1:80");
    }

    static boolean nothingAccepted(ServerSocket s) throws IOException {
        try (Socket c = s.accept()) {
            return false;
        } catch (SocketTimeoutException e) {
            return true;
        }
    }

    static boolean nothingReceived(DatagramSocket s) throws IOException {
        try {
            s.receive(new DatagramPacket(new byte[64], 64));
            return false;
        } catch (SocketTimeoutException e) {
            return true;
        }
    }

    @Test
    void malformedAndOversizeLinesAreBadRequests() throws Exception {
        startUnlimited();
        assertThat(ask("GET / HTTP/1.1")).isEqualTo("FAILED bad request");
        assertThat(ask("OPENPORT-ECHO 1 TCP example.com 80 t")).isEqualTo("FAILED bad request");
        assertThat(ask("OPENPORT-ECHO 1 TCP 127.0.0.1 0 t")).isEqualTo("FAILED bad request");
        assertThat(ask(new byte[] {'O', 0, '\n'})).isEqualTo("FAILED bad request");
        assertThat(ask("OPENPORT-ECHO 1 TCP 127.0.0.1 1 " + "x".repeat(300))).isEqualTo("FAILED bad request");
        // 8 KiB without a newline: answered after the first 256 bytes (the rest is discarded on close)
        byte[] long8k = new byte[8_192];
        java.util.Arrays.fill(long8k, (byte) 'A');
        assertThat(ask(long8k)).isEqualTo("FAILED bad request");
        assertThat(ask("OPENPORT-ECHO 1 TCP 127.0.0.1 1 t".getBytes(StandardCharsets.US_ASCII)))
                .as("no newline before the end").isEqualTo("FAILED bad request");
    }

    @Test
    void aSilentRequesterIsAnsweredAfterTheReadTimeout() throws Exception {
        startUnlimited();
        long t0 = System.nanoTime();
        assertThat(ask("OPENPORT".getBytes(StandardCharsets.US_ASCII))).isEqualTo("FAILED bad request");
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0))
                .isBetween(EchoServer.READ_TIMEOUT_MS - 200L, EchoServer.READ_TIMEOUT_MS + 4_000L);
    }

    @Test
    void theRateLimitRefusesABurstBeyondItsSize() throws Exception {
        echo = EchoServer.start(new InetSocketAddress(LO, 0), served::add,
                new SourceRateLimit(EchoServer.RATE_PER_SECOND, EchoServer.RATE_BURST, 100, () -> 0L));
        for (int i = 0; i < EchoServer.RATE_BURST; i++) {
            assertThat(ask("OPENPORT-ECHO 1 TCP 192.0.2.1 80 t")).isEqualTo("FAILED not your address");
        }
        assertThat(ask("OPENPORT-ECHO 1 TCP 192.0.2.1 80 t")).isEqualTo("FAILED rate limited");
    }

    @Test
    void beyondTheRequestsInFlightItIsBusyAndRecovers() throws Exception {
        startUnlimited();
        List<Socket> hanging = new ArrayList<>();
        try {
            for (int i = 0; i < EchoServer.MAX_IN_FLIGHT; i++) {
                Socket s = new Socket(LO, echo.address().getPort());
                s.getOutputStream().write('O'); // a line begun, never finished: a worker waits for it
                hanging.add(s);
            }
            awaitInFlight(EchoServer.MAX_IN_FLIGHT);
            assertThat(ask("OPENPORT-ECHO 1 TCP 192.0.2.1 80 t")).isEqualTo("FAILED busy");
        } finally {
            for (Socket s : hanging) {
                s.close();
            }
        }
        // the workers see the end of their streams and answer; the service serves again
        for (int i = 0; i < 50; i++) {
            String a = ask("OPENPORT-ECHO 1 TCP 192.0.2.1 80 t");
            if (a.equals("FAILED not your address")) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("still busy after the hanging requests ended");
    }

    /** Waits until {@code n} requests have been handed to workers (each holds a worker thread). */
    private static void awaitInFlight(int n) throws InterruptedException {
        for (int i = 0; i < 100 && workers() < n; i++) {
            Thread.sleep(50);
        }
        assertThat(workers()).isGreaterThanOrEqualTo(n);
    }

    private static long workers() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("openport-echo-") && !t.getName().equals("openport-echo-accept"))
                .count();
    }

    @Test
    void closeEndsEveryThreadEvenWithARequestUnderWay() throws Exception {
        startUnlimited();
        try (Socket s = new Socket(LO, echo.address().getPort())) {
            s.getOutputStream().write('O');
            awaitInFlight(1);
            echo.close();
        }
        List<Thread> left = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("openport-echo")).toList();
        assertThat(left).isEmpty();
        Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("openport-")).forEach(t ->
                assertThat(t.isDaemon()).as(t.getName()).isTrue());
    }

    @Test
    void randomLinesGetAnAnswerAndSendNothing() throws Exception {
        startUnlimited();
        Random random = new Random(20261126L);
        String base = "OPENPORT-ECHO 1 TCP 192.0.2.1 9 token";
        for (int i = 0; i < 300; i++) {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            byte[] b = base.getBytes(StandardCharsets.US_ASCII);
            for (int j = 0; j < b.length; j++) {
                int dice = random.nextInt(20);
                if (dice == 0) {
                    line.write(random.nextInt(256)); // replace
                } else if (dice == 1) {
                    line.write(b[j]);
                    line.write(random.nextInt(128)); // insert
                } else if (dice != 2) {
                    line.write(b[j]); // else: delete
                }
            }
            line.write('\n');
            String a = ask(line.toByteArray());
            assertThat(a).as(line.toString(StandardCharsets.ISO_8859_1))
                    .isIn("FAILED bad request", "FAILED not your address");
        }
        for (int i = 0; i < 100 && served.size() < 300; i++) {
            Thread.sleep(20); // the listener hears of a request after its answer went out
        }
        assertThat(served).hasSize(300).allSatisfy(s -> assertThat(s.sent()).isFalse())
                .anySatisfy(s -> assertThat(s.answer()).isEqualTo("FAILED not your address"));
    }
}
