package dev.openport.cli;

import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * The reachability echo service (docs/diagnostics.md) on loopback: reads
 * {@code OPENPORT-ECHO 1 <TCP|UDP> <ip> <port> <token>}, sends the token there, answers {@code SENT}.
 */
final class CheckEchoServer implements AutoCloseable {
    private final ServerSocket server;
    private final Thread thread;
    /**
     * Where the "internet" delivers: {@code null} = the address asked for; 127.0.0.1 plays the NAT of a fake
     * gateway that reports a documentation address (203.0.113.7) as its external one.
     */
    volatile InetAddress deliverTo;
    /** {@code false}: a zombie router — the entry is listed but nothing gets through (TCP FAILED, UDP lost). */
    volatile boolean forwarding = true;
    final java.util.concurrent.atomic.AtomicInteger requests = new java.util.concurrent.atomic.AtomicInteger();

    CheckEchoServer() throws IOException {
        server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
        thread = new Thread(this::serve, "fake-echo");
        thread.setDaemon(true);
        thread.start();
    }

    String hostPort() {
        return "127.0.0.1:" + server.getLocalPort();
    }

    private void serve() {
        while (!server.isClosed()) {
            try (Socket c = server.accept()) {
                c.setSoTimeout(2_000);
                String[] f = line(c.getInputStream()).split(" ");
                requests.incrementAndGet();
                InetAddress via = deliverTo;
                InetSocketAddress to = new InetSocketAddress(via != null ? via : InetAddress.getByName(f[3]),
                        Integer.parseInt(f[4]));
                byte[] token = (f[5] + "\n").getBytes(StandardCharsets.US_ASCII);
                String reply = "SENT";
                try {
                    if (!forwarding) {
                        reply = f[2].equals("TCP") ? "FAILED connect timed out" : "SENT";
                    } else if (f[2].equals("TCP")) {
                        try (Socket s = new Socket()) {
                            s.connect(to, 1_000);
                            s.getOutputStream().write(token);
                        }
                    } else {
                        try (DatagramSocket d = new DatagramSocket()) {
                            d.send(new DatagramPacket(token, token.length, to));
                        }
                    }
                } catch (IOException e) {
                    reply = "FAILED " + e.getMessage();
                }
                c.getOutputStream().write((reply + "\n").getBytes(StandardCharsets.US_ASCII));
            } catch (IOException | RuntimeException e) {
                // next client
            }
        }
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int c = in.read(); c >= 0 && c != '\n' && sb.length() < 256; c = in.read()) {
            sb.append((char) c);
        }
        return sb.toString();
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
}
