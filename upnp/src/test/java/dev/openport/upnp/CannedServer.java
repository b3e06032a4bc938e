package dev.openport.upnp;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A loopback HTTP server that answers every request with the same raw bytes (a captured {@code .http} response,
 * or a status + body), or hands the socket to a custom writer (attack tests).
 */
final class CannedServer implements AutoCloseable {
    private final ServerSocket server;
    private volatile byte[] raw;
    private volatile Consumer<OutputStream> writer;
    final AtomicInteger connections = new AtomicInteger();
    volatile String lastRequest = "";

    CannedServer() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::loop, "openport-test-canned-http");
        t.setDaemon(true);
        t.start();
    }

    /** Answers with these exact bytes (status line, headers, body). */
    CannedServer raw(byte[] bytes) {
        this.raw = bytes;
        this.writer = null;
        return this;
    }

    CannedServer respond(int status, byte[] body) {
        String head = "HTTP/1.1 " + status + " X\r\nContent-Type: text/xml\r\nConnection: close\r\nContent-Length: "
                + body.length + "\r\n\r\n";
        byte[] h = head.getBytes(StandardCharsets.ISO_8859_1);
        byte[] all = new byte[h.length + body.length];
        System.arraycopy(h, 0, all, 0, h.length);
        System.arraycopy(body, 0, all, h.length, body.length);
        return raw(all);
    }

    CannedServer writer(Consumer<OutputStream> w) {
        this.writer = w;
        return this;
    }

    URI url(String path) {
        return URI.create("http://127.0.0.1:" + server.getLocalPort() + path);
    }

    private void loop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                connections.incrementAndGet();
                Thread t = new Thread(() -> serve(s), "openport-test-canned-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        try (s) {
            s.setSoTimeout(5000);
            InputStream in = s.getInputStream();
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            int c;
            while ((c = in.read()) >= 0) {
                b.write(c);
                String sofar = b.toString(StandardCharsets.ISO_8859_1);
                if (sofar.endsWith("\r\n\r\n")) {
                    break;
                }
            }
            String head = b.toString(StandardCharsets.ISO_8859_1);
            int len = 0;
            for (String line : head.split("\r\n")) {
                if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                    len = Integer.parseInt(line.substring(15).trim());
                }
            }
            lastRequest = head + new String(in.readNBytes(len), StandardCharsets.UTF_8);
            OutputStream out = s.getOutputStream();
            Consumer<OutputStream> w = writer;
            if (w != null) {
                w.accept(out);
            } else {
                out.write(raw);
            }
            out.flush();
        } catch (IOException | RuntimeException e) {
            // client went away
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
