package dev.openport.upnp;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The fake IGD's HTTP side, one connection at a time: GET serves the description and the SCPD, POST goes to the
 * SOAP control ({@link FakeIgdSoap}). Connection: close on every answer, as miniupnpd.
 */
final class FakeIgdHttp {
    private final FakeIgd igd;
    private final FakeIgdDocuments documents;
    private final FakeIgdSoap soap;

    FakeIgdHttp(FakeIgd igd, FakeIgdDocuments documents, FakeIgdSoap soap) {
        this.igd = igd;
        this.documents = documents;
        this.soap = soap;
    }

    /** Reads one request from {@code s}, answers it and closes the connection. */
    void serve(Socket s) {
        try (s) {
            s.setSoTimeout(5000);
            InputStream in = s.getInputStream();
            String head = readHead(in);
            if (head == null) {
                return;
            }
            String[] first = head.split("\r\n", 2)[0].split(" ");
            Map<String, String> headers = new LinkedHashMap<>();
            for (String line : head.split("\r\n")) {
                int c = line.indexOf(':');
                if (c > 0) {
                    headers.put(line.substring(0, c).trim().toLowerCase(Locale.ROOT), line.substring(c + 1).trim());
                }
            }
            OutputStream out = s.getOutputStream();
            if (first[0].equals("GET")) {
                get(first[1], out);
            } else if (first[0].equals("POST")) {
                int len = Integer.parseInt(headers.getOrDefault("content-length", "0"));
                byte[] body = in.readNBytes(len);
                soap.post(first[1], headers.getOrDefault("soapaction", ""), new String(body, StandardCharsets.UTF_8),
                        out, s.getInetAddress().getHostAddress());
            }
            out.flush();
        } catch (IOException | RuntimeException e) {
            // the client gave up (timeouts in attack tests): fine
        } finally {
            igd.forget(s);
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            b.write(c);
            byte[] a = b.toByteArray();
            int n = a.length;
            if (n >= 4 && a[n - 4] == '\r' && a[n - 3] == '\n' && a[n - 2] == '\r' && a[n - 1] == '\n') {
                return new String(a, StandardCharsets.ISO_8859_1);
            }
        }
        return null;
    }

    private void get(String path, OutputStream out) throws IOException {
        if (path.equals("/rootDesc.xml")) {
            igd.descriptionFetches.incrementAndGet();
            Function<OutputStream, Boolean> override = igd.descriptionOverride;
            if (override != null) {
                override.apply(out);
                return;
            }
            byte[] body = igd.descriptionBody != null ? igd.descriptionBody
                    : documents.description().getBytes(StandardCharsets.UTF_8);
            respond(out, 200, body);
        } else if (path.equals("/WANIPCn.xml")) {
            respond(out, 200, documents.scpd().getBytes(StandardCharsets.UTF_8));
        } else {
            respond(out, 404, new byte[0]);
        }
    }

    static void respond(OutputStream out, int status, byte[] body) throws IOException {
        String head = "HTTP/1.1 " + status + (status == 200 ? " OK" : status == 500 ? " Internal Server Error"
                : " Not Found") + "\r\nContent-Type: text/xml; charset=\"utf-8\"\r\nConnection: close\r\n"
                + "Content-Length: " + body.length + "\r\nServer: fake UPnP/1.1 FakeIgd/1.0\r\n\r\n";
        out.write(head.getBytes(StandardCharsets.ISO_8859_1));
        out.write(body);
    }
}
