package dev.openport.diagnostics;

import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The reachability echo service of {@link ReachabilityProbe} (a test fixture, also run on the lab's WAN host
 * through {@link #main}): reads {@code OPENPORT-ECHO 1 <TCP|UDP> <ip> <port> <token>}, sends the token there,
 * answers {@code SENT} or {@code FAILED <why>}. Unrestricted (it sends wherever asked): a test fixture; the
 * service to run on the internet is {@link EchoServer}.
 */
final class EchoService implements AutoCloseable {
    private final ServerSocket server;
    private final Thread thread;
    final AtomicInteger requests = new AtomicInteger();

    EchoService(InetSocketAddress bind) throws IOException {
        server = new ServerSocket();
        server.bind(bind);
        thread = new Thread(this::serve, "openport-test-echo");
        thread.setDaemon(true);
        thread.start();
    }

    static EchoService onLoopback() throws IOException {
        return new EchoService(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    }

    InetSocketAddress address() {
        return new InetSocketAddress(server.getInetAddress(), server.getLocalPort());
    }

    private void serve() {
        while (!server.isClosed()) {
            try (Socket c = server.accept()) {
                c.setSoTimeout(2_000);
                requests.incrementAndGet();
                String reply = handle(ReachabilityProbe.readLine(c.getInputStream()));
                OutputStream out = c.getOutputStream();
                out.write((reply + "\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
            } catch (IOException | RuntimeException e) {
                // next client
            }
        }
    }

    private static String handle(String line) {
        String[] f = line.split(" ");
        if (f.length != 6 || !f[0].equals("OPENPORT-ECHO") || !f[1].equals("1")) {
            return "FAILED bad request";
        }
        try {
            InetSocketAddress to = new InetSocketAddress(InetAddress.getByName(f[3]), Integer.parseInt(f[4]));
            byte[] token = (f[5] + "\n").getBytes(StandardCharsets.US_ASCII);
            if (f[2].equals("TCP")) {
                try (Socket s = new Socket()) {
                    s.connect(to, 2_000);
                    s.getOutputStream().write(token);
                }
            } else {
                try (DatagramSocket d = new DatagramSocket()) {
                    for (int i = 0; i < 3; i++) { // UDP may drop one: three copies
                        d.send(new DatagramPacket(token, token.length, to));
                    }
                }
            }
            return "SENT";
        } catch (IOException | RuntimeException e) {
            return "FAILED " + e.getMessage();
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        try {
            thread.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** For the lab: {@code java -cp core/target/test-classes:... dev.openport.core.EchoService 203.0.113.2 7777}. */
    public static void main(String[] args) throws Exception {
        EchoService e = new EchoService(new InetSocketAddress(InetAddress.getByName(args[0]),
                Integer.parseInt(args[1])));
        System.out.println("echo service on " + e.address() + " pid " + ProcessHandle.current().pid());
        System.out.flush();
        e.thread.join();
    }
}
