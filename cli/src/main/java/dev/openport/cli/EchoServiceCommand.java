package dev.openport.cli;

import dev.openport.diagnostics.EchoServer;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code openport echo-service [--listen ADDRESS:PORT]}: runs {@link EchoServer} in the foreground until Ctrl-C or
 * SIGTERM (in tests: an interrupt), one line per request. Talks to no gateway.
 */
final class EchoServiceCommand extends BaseCommand {
    /** {@code null}: every address of both families (one dual-stack socket where the system has IPv6). */
    private InetSocketAddress listen;

    @Override
    String name() {
        return "echo-service";
    }

    @Override
    void option(String name, String value) {
        switch (name) {
            case "--listen" -> listen = listenAddress(value);
            case "--json" -> local.set("--json", null);
            case "--verbose" -> local.set("--verbose", null);
            default -> throw new IllegalStateException("option in Catalog without a field: " + name);
        }
    }

    /** {@code 203.0.113.2:7777}, {@code [2001:db8::2]:7777}, {@code :7777} or {@code 7777}; port 0: any free one. */
    static InetSocketAddress listenAddress(String value) {
        String t = value.trim();
        int colon = t.lastIndexOf(':');
        String host = colon < 0 ? "" : t.substring(0, colon);
        String port = t.substring(colon + 1);
        int p;
        try {
            p = port.equals("0") ? 0 : Converters.port(port);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid listen address '" + value + "': use ADDRESS:PORT, "
                    + "[v6]:PORT or :PORT with a port 1-65535");
        }
        if (host.isEmpty()) {
            return new InetSocketAddress(p);
        }
        if (host.contains(":") && !host.startsWith("[")) {
            throw new IllegalArgumentException("invalid listen address '" + value + "': write an IPv6 address "
                    + "in brackets, e.g. [::]:7777");
        }
        return new InetSocketAddress(IpLiteral.parse(host), p);
    }

    @Override
    int call() throws CliException {
        InetSocketAddress bind = listen != null ? listen : new InetSocketAddress(EchoServer.DEFAULT_PORT);
        CountDownLatch stop = new CountDownLatch(1);
        CountDownLatch closed = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            stop.countDown();
            try {
                closed.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "openport-shutdown");
        EchoServer echo;
        try {
            echo = EchoServer.start(bind, this::served);
        } catch (IOException e) {
            throw new CliException(ExitCodes.FAILED, "cannot listen on " + text(bind) + ": " + e.getMessage());
        }
        try (echo) {
            Runtime.getRuntime().addShutdownHook(hook);
            listening(echo.address());
            stop.await();
        } catch (InterruptedException e) {
            // stopped (tests interrupt, as the hook's signal would)
        } finally {
            closed.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // the JVM is shutting down: the hook is running and has just been released
            }
        }
        return ExitCodes.OK;
    }

    private void listening(InetSocketAddress a) {
        if (ui().json) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("command", name());
            doc.put("event", "listening");
            doc.put("address", a.getAddress().isAnyLocalAddress() ? null : a.getAddress().getHostAddress());
            doc.put("port", a.getPort());
            ui().json(doc);
        } else {
            ui().line("echo service listening on " + text(a) + (a.getAddress().isAnyLocalAddress()
                    ? " (every address)" : "") + "; stop with Ctrl-C or SIGTERM");
            out.flush();
        }
    }

    /** One line per request, from the service's worker threads. */
    private synchronized void served(EchoServer.Served s) {
        String time = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        if (ui().json) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("command", name());
            doc.put("event", "request");
            doc.put("time", time);
            doc.put("requester", s.requester().getHostAddress());
            doc.put("asked", s.asked());
            doc.put("answer", s.answer());
            doc.put("sent", s.sent());
            ui().json(doc);
        } else {
            ui().line(time + " " + s.requester().getHostAddress()
                    + (s.asked() != null ? " asked " + s.asked() : "") + ": " + s.answer());
            out.flush();
        }
    }

    /** {@code *:7777} for every address, {@code [::1]:7777}, {@code 127.0.0.1:7777}. */
    static String text(InetSocketAddress a) {
        InetAddress ip = a.getAddress();
        String host = ip == null || ip.isAnyLocalAddress() ? "*"
                : ip instanceof Inet6Address ? "[" + ip.getHostAddress() + "]" : ip.getHostAddress();
        return host + ":" + a.getPort();
    }
}
