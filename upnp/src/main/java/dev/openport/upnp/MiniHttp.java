package dev.openport.upnp;

import dev.openport.core.MappingProtocol;
import dev.openport.core.PortMappingException;
import dev.openport.core.PortMappingException.Reason;
import dev.openport.core.spi.NetworkGuard;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A tiny HTTP/1.1 client for a router's LAN web server: one request per connection ({@code Connection: close}),
 * no proxy, no redirects, no DNS (IP literals only), a bounded response, and one total deadline per request so
 * a server that trickles bytes (slow loris) still ends in {@code TIMEOUT}. Not {@code java.net.http.HttpClient}:
 * measured here it cost ~240 ms to build and stalled ~40 ms per request on kept-alive connections. Not jupnp: its
 * parser was XXE-open and its start-up took ~256 ms and 24 threads.
 */
final class MiniHttp {
    /** The most header bytes accepted; routers send a handful of short headers. */
    static final int MAX_HEADER_BYTES = 16 * 1024;

    private MiniHttp() {
    }

    /** An HTTP response with a decoded body. */
    record Response(int status, Map<String, String> headers, byte[] body) {
    }

    /** The connection was refused or unroutable: the cached URL is stale (router rebooted onto a new port). */
    static final class Unreachable extends PortMappingException {
        private static final long serialVersionUID = 1L;

        Unreachable(String message, InetAddress gateway, Throwable cause) {
            super(Reason.GATEWAY_NOT_FOUND, message, MappingProtocol.UPNP, gateway, null, cause);
        }
    }

    static Response get(URI uri, long deadlineNanos, int maxBody) throws PortMappingException {
        return exchange("GET", uri, Map.of(), null, deadlineNanos, maxBody, null);
    }

    static Response post(URI uri, Map<String, String> headers, byte[] body, long deadlineNanos, int maxBody)
            throws PortMappingException {
        return exchange("POST", uri, headers, body, deadlineNanos, maxBody, null);
    }

    /** A POST whose connection goes out from {@code source} ({@code null}: the kernel's choice). */
    static Response post(URI uri, Map<String, String> headers, byte[] body, long deadlineNanos, int maxBody,
            InetAddress source) throws PortMappingException {
        return exchange("POST", uri, headers, body, deadlineNanos, maxBody, source);
    }

    /**
     * Binds {@code socket} to {@code source} (port 0) when it is of the target's family; an address this host
     * does not have (any more) leaves the kernel's choice, and the router then says what it thinks (606).
     */
    private static void bindSource(Socket socket, InetAddress source, InetAddress target) {
        if (source == null || source.getClass() != target.getClass()) {
            return;
        }
        try {
            socket.bind(new InetSocketAddress(source, 0));
        } catch (IOException e) {
            org.slf4j.LoggerFactory.getLogger(MiniHttp.class).debug("cannot send from {}: {}",
                    source.getHostAddress(), e.getMessage());
        }
    }

    /** The IP literal a URL names; {@code null} for a host name (we never resolve names from the LAN). */
    static InetAddress literalHost(URI uri) {
        String host = uri.getHost();
        if (host == null || host.isEmpty()) {
            return null;
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        return parseLiteral(host);
    }

    /** An IPv4 or IPv6 literal (IPv6 may carry a %zone), or {@code null}; never a DNS lookup. */
    static InetAddress parseLiteral(String host) {
        if (host == null || host.isEmpty() || host.length() > 64) {
            return null;
        }
        boolean v4 = host.matches("\\d{1,3}(\\.\\d{1,3}){3}");
        boolean v6 = host.indexOf(':') >= 0 && host.matches("[0-9A-Fa-f:.]+(%[0-9A-Za-z_.\\-]+)?");
        if (!v4 && !v6) {
            return null;
        }
        try {
            return InetAddress.getByName(host); // a literal: no lookup happens
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static Response exchange(String method, URI uri, Map<String, String> headers, byte[] body,
            long deadlineNanos, int maxBody, InetAddress source) throws PortMappingException {
        InetAddress address = literalHost(uri);
        if (address == null) {
            throw new PortMappingException(Reason.PROTOCOL_ERROR, "not an IP-literal http URL: "
                    + SafeXml.shorten(String.valueOf(uri)));
        }
        int port = uri.getPort() < 0 ? 80 : uri.getPort();
        if (port < 1 || port > 65535) {
            throw new PortMappingException(Reason.PROTOCOL_ERROR, "bad port in URL: " + SafeXml.shorten(uri.toString()));
        }
        InetSocketAddress target = new InetSocketAddress(address, port);
        NetworkGuard.check(target);
        try (Socket socket = new Socket(java.net.Proxy.NO_PROXY)) {
            socket.setTcpNoDelay(true);
            bindSource(socket, source, address);
            try {
                socket.connect(target, remainingMillis(deadlineNanos, address, uri));
            } catch (SocketTimeoutException e) {
                throw timeout(address, uri, e);
            } catch (ConnectException | NoRouteToHostException e) {
                throw new Unreachable("cannot connect to " + uri + ": " + e.getMessage(), address, e);
            }
            OutputStream out = socket.getOutputStream();
            out.write(head(method, uri, address, port, headers, body).getBytes(StandardCharsets.ISO_8859_1));
            if (body != null) {
                out.write(body);
            }
            out.flush();
            return read(socket, deadlineNanos, maxBody, address, uri);
        } catch (PortMappingException e) {
            throw e;
        } catch (SocketTimeoutException e) {
            throw timeout(address, uri, e);
        } catch (IOException e) {
            throw new PortMappingException(Reason.PROTOCOL_ERROR, "HTTP " + method + " " + uri + " failed: "
                    + e.getMessage(), MappingProtocol.UPNP, address, null, e);
        }
    }

    private static String head(String method, URI uri, InetAddress address, int port, Map<String, String> headers,
            byte[] body) {
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        if (uri.getRawQuery() != null) {
            path += "?" + uri.getRawQuery();
        }
        String host = address instanceof java.net.Inet6Address ? "[" + stripZone(address.getHostAddress()) + "]"
                : address.getHostAddress();
        StringBuilder sb = new StringBuilder(256);
        sb.append(method).append(' ').append(path).append(" HTTP/1.1\r\n")
                .append("Host: ").append(host).append(':').append(port).append("\r\n")
                .append("Connection: close\r\n")
                .append("User-Agent: openport UPnP/1.1\r\n");
        for (Map.Entry<String, String> h : headers.entrySet()) {
            sb.append(h.getKey()).append(": ").append(h.getValue()).append("\r\n");
        }
        if (body != null) {
            sb.append("Content-Length: ").append(body.length).append("\r\n");
        }
        return sb.append("\r\n").toString();
    }

    private static String stripZone(String s) {
        int pct = s.indexOf('%');
        return pct < 0 ? s : s.substring(0, pct);
    }

    private static int remainingMillis(long deadlineNanos, InetAddress address, URI uri) throws PortMappingException {
        long ms = TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
        if (ms <= 0) {
            throw timeout(address, uri, null);
        }
        return (int) Math.min(Integer.MAX_VALUE, ms);
    }

    private static PortMappingException timeout(InetAddress address, URI uri, Throwable cause) {
        return new PortMappingException(Reason.TIMEOUT, "no complete HTTP answer from " + uri + " in time",
                MappingProtocol.UPNP, address, null, cause);
    }

    private static Response read(Socket socket, long deadlineNanos, int maxBody, InetAddress address, URI uri)
            throws IOException, PortMappingException {
        InputStream in = socket.getInputStream();
        int cap = MAX_HEADER_BYTES + 2 * maxBody + 64;
        byte[] buf = new byte[Math.min(cap, 8192)];
        int len = 0;
        int headerEnd = -1;
        int status = 0;
        Map<String, String> headers = null;
        long contentLength = -1;
        boolean chunked = false;
        while (true) {
            if (Thread.currentThread().isInterrupted()) {
                // core cancels losing probes by interrupting them; socket reads do not notice on their own
                throw new PortMappingException(Reason.TIMEOUT, "interrupted while reading " + uri,
                        MappingProtocol.UPNP, address, null, null);
            }
            socket.setSoTimeout(remainingMillis(deadlineNanos, address, uri));
            if (len == buf.length) {
                if (buf.length >= cap) {
                    throw tooLarge(address, uri, maxBody);
                }
                buf = Arrays.copyOf(buf, Math.min(cap, buf.length * 2));
            }
            int n = in.read(buf, len, buf.length - len);
            if (System.nanoTime() - deadlineNanos > 0) {
                throw timeout(address, uri, null);
            }
            boolean eof = n < 0;
            if (!eof) {
                len += n;
            }
            if (headerEnd < 0) {
                headerEnd = headerEnd(buf, len);
                if (headerEnd < 0) {
                    if (len > MAX_HEADER_BYTES) {
                        throw protocol(address, uri, "HTTP header longer than " + MAX_HEADER_BYTES + " bytes");
                    }
                    if (eof) {
                        throw protocol(address, uri, "connection closed before the HTTP header ended");
                    }
                    continue;
                }
                String head = new String(buf, 0, headerEnd, StandardCharsets.ISO_8859_1);
                headers = new LinkedHashMap<>();
                status = parseHead(head, headers, address, uri);
                chunked = headers.getOrDefault("transfer-encoding", "").toLowerCase(Locale.ROOT).contains("chunked");
                String cl = headers.get("content-length");
                if (!chunked && cl != null) {
                    try {
                        contentLength = Long.parseLong(cl.trim());
                    } catch (NumberFormatException e) {
                        throw protocol(address, uri, "bad Content-Length");
                    }
                    if (contentLength < 0) {
                        throw protocol(address, uri, "bad Content-Length");
                    }
                    if (contentLength > maxBody) {
                        throw tooLarge(address, uri, maxBody);
                    }
                }
            }
            int bodyStart = headerEnd;
            int have = len - bodyStart;
            if (contentLength >= 0) {
                if (have >= contentLength) {
                    return new Response(status, headers, Arrays.copyOfRange(buf, bodyStart,
                            bodyStart + (int) contentLength));
                }
                if (eof) {
                    throw protocol(address, uri, "body shorter than its Content-Length");
                }
            } else if (chunked) {
                byte[] decoded = Chunked.decode(buf, bodyStart, len, maxBody);
                if (decoded == Chunked.TOO_LARGE) {
                    throw tooLarge(address, uri, maxBody);
                }
                if (decoded == Chunked.MALFORMED) {
                    throw protocol(address, uri, "malformed chunk size");
                }
                if (decoded != null) {
                    return new Response(status, headers, decoded);
                }
                if (eof) {
                    throw protocol(address, uri, "chunked body ended early");
                }
            } else {
                if (have > maxBody) {
                    throw tooLarge(address, uri, maxBody);
                }
                if (eof) {
                    return new Response(status, headers, Arrays.copyOfRange(buf, bodyStart, len));
                }
            }
        }
    }

    private static int headerEnd(byte[] b, int len) {
        for (int i = 0; i + 1 < len; i++) {
            if (b[i] == '\n') {
                if (b[i + 1] == '\n') {
                    return i + 2;
                }
                if (i + 2 < len && b[i + 1] == '\r' && b[i + 2] == '\n') {
                    return i + 3;
                }
            }
        }
        return -1;
    }

    private static int parseHead(String head, Map<String, String> headers, InetAddress address, URI uri)
            throws PortMappingException {
        String[] lines = head.split("\r?\n");
        String[] statusLine = lines[0].trim().split(" ", 3);
        if (statusLine.length < 2 || !statusLine[0].startsWith("HTTP/")) {
            throw protocol(address, uri, "not an HTTP status line: " + SafeXml.shorten(lines[0]));
        }
        int status;
        try {
            status = Integer.parseInt(statusLine[1]);
        } catch (NumberFormatException e) {
            throw protocol(address, uri, "bad HTTP status: " + SafeXml.shorten(statusLine[1]));
        }
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.putIfAbsent(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        lines[i].substring(colon + 1).trim());
            }
        }
        return status;
    }

    private static PortMappingException protocol(InetAddress address, URI uri, String what) {
        return new PortMappingException(Reason.PROTOCOL_ERROR, what + " (" + SafeXml.shorten(uri.toString()) + ")",
                MappingProtocol.UPNP, address, null, null);
    }

    private static PortMappingException tooLarge(InetAddress address, URI uri, int maxBody) {
        return protocol(address, uri, "HTTP body larger than " + maxBody + " bytes");
    }

    /** Decodes a chunked body (RFC 9112 §7.1) once it is complete. */
    static final class Chunked {
        static final byte[] TOO_LARGE = new byte[0];
        static final byte[] MALFORMED = new byte[0];

        private Chunked() {
        }

        /** The decoded body, {@code null} when more bytes are needed, {@link #TOO_LARGE} past the limit. */
        static byte[] decode(byte[] b, int from, int to, int maxBody) {
            byte[] out = new byte[Math.min(maxBody, Math.max(0, to - from))];
            int outLen = 0;
            int i = from;
            while (true) {
                int lineEnd = -1;
                for (int k = i; k < to; k++) {
                    if (b[k] == '\n') {
                        lineEnd = k;
                        break;
                    }
                }
                if (lineEnd < 0) {
                    return null;
                }
                String sizeLine = new String(b, i, lineEnd - i, StandardCharsets.ISO_8859_1).trim();
                int semi = sizeLine.indexOf(';');
                if (semi >= 0) {
                    sizeLine = sizeLine.substring(0, semi).trim();
                }
                long size;
                try {
                    size = sizeLine.isEmpty() || sizeLine.length() > 8 ? -1 : Long.parseLong(sizeLine, 16);
                } catch (NumberFormatException e) {
                    size = -1;
                }
                if (size < 0) {
                    return MALFORMED;
                }
                i = lineEnd + 1;
                if (size == 0) {
                    return Arrays.copyOf(out, outLen);
                }
                if (outLen + size > maxBody) {
                    return TOO_LARGE;
                }
                if (to - i < size + 1) {
                    return null;
                }
                System.arraycopy(b, i, out, outLen, (int) size);
                outLen += (int) size;
                i += (int) size;
                // the CRLF after the chunk data
                if (i < to && b[i] == '\r') {
                    i++;
                }
                if (i < to && b[i] == '\n') {
                    i++;
                } else if (i >= to) {
                    return null;
                }
            }
        }
    }
}
