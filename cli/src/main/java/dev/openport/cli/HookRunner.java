package dev.openport.cli;

import dev.openport.core.PortMapping;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * {@code map --keep --on-change CMD}: runs {@code sh -c CMD} ({@code cmd /c} on Windows) for each event, one at a
 * time, on a thread of its own (never the renewal thread), each run stopped after a timeout. What the hook prints
 * goes to our stderr (stdout may carry NDJSON). A failure or timeout is reported through {@code report}, never
 * thrown: a broken hook must not cost the mapping.
 */
final class HookRunner implements AutoCloseable {
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    /** Events waiting for the hook; more than this means the hook is far too slow: drop and say so. */
    private static final int QUEUE = 32;

    /** What a hook is told: {@code mapped}, {@code changed} or {@code restored}, and the mapping. */
    record Event(String kind, PortMapping mapping) {
    }

    /** How one run ended: its exit code, or a timeout, or it could not start ({@code error}). */
    record Outcome(int exitCode, boolean timedOut, String error) {
        boolean ok() {
            return !timedOut && error == null && exitCode == 0;
        }
    }

    private final String command;
    private final Duration timeout;
    private final PrintStream output;
    private final Consumer<String> report;
    private final BlockingQueue<Event> queue = new ArrayBlockingQueue<>(QUEUE);
    private final Thread thread;
    /** Submitted and not yet finished (queued or running). */
    private final java.util.concurrent.atomic.AtomicInteger pending = new java.util.concurrent.atomic.AtomicInteger();
    private volatile boolean closed;

    /**
     * @param output where the hook's stdout and stderr go
     * @param report told (on the hook thread) when a run failed or timed out
     */
    HookRunner(String command, Duration timeout, PrintStream output, Consumer<String> report) {
        this.command = command;
        this.timeout = timeout;
        this.output = output;
        this.report = report;
        this.thread = new Thread(this::loop, "openport-hook");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /** Queues an event for the hook; never blocks. */
    void submit(Event e) {
        if (closed) {
            return;
        }
        pending.incrementAndGet();
        if (!queue.offer(e)) {
            pending.decrementAndGet();
            report.accept("--on-change is too slow: dropped the '" + e.kind() + "' event for "
                    + Render.arrow(e.mapping()));
        }
    }

    private void loop() {
        while (!closed) {
            Event e;
            try {
                e = queue.take();
            } catch (InterruptedException ie) {
                return;
            }
            try {
                Outcome o = run(e);
                if (!o.ok()) {
                    report.accept(describe(o, e));
                }
            } finally {
                pending.decrementAndGet();
            }
        }
    }

    static String describe(Outcome o, Event e) {
        String what = "--on-change hook for '" + e.kind() + "' ";
        if (o.error() != null) {
            return what + "could not start: " + o.error();
        }
        return o.timedOut() ? what + "timed out and was stopped" : what + "exited with " + o.exitCode();
    }

    /** Runs the hook once for {@code e} on the calling thread and waits (at most the timeout). */
    Outcome run(Event e) {
        ProcessBuilder pb = new ProcessBuilder(shell(command));
        pb.environment().putAll(environment(e));
        pb.redirectErrorStream(true);
        pb.redirectInput(ProcessBuilder.Redirect.from(nullFile()));
        Process p;
        try {
            p = pb.start();
        } catch (IOException ex) {
            return new Outcome(-1, false, ex.getMessage());
        }
        Thread pump = new Thread(() -> copy(p.getInputStream(), output), "openport-hook-output");
        pump.setDaemon(true);
        pump.start();
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor(2, TimeUnit.SECONDS);
                return new Outcome(-1, true, null);
            }
            pump.join(1000);
            return new Outcome(p.exitValue(), false, null);
        } catch (InterruptedException ie) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            return new Outcome(-1, false, "interrupted");
        }
    }

    /** The variables the hook reads. */
    static Map<String, String> environment(Event e) {
        PortMapping m = e.mapping();
        return Map.of(
                "OPENPORT_EVENT", e.kind(),
                "OPENPORT_EXTERNAL_IP", m.externalAddress() == null ? "" : m.externalAddress().getHostAddress(),
                "OPENPORT_EXTERNAL_PORT", String.valueOf(m.externalPort()),
                "OPENPORT_INTERNAL_PORT", String.valueOf(m.internalPort()),
                "OPENPORT_TRANSPORT", m.transport().lowerName(),
                "OPENPORT_PROTOCOL", Names.id(m.protocol()));
    }

    static List<String> shell(String command) {
        return windows() ? List.of("cmd", "/c", command) : List.of("sh", "-c", command);
    }

    private static boolean windows() {
        return System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");
    }

    private static java.io.File nullFile() {
        return new java.io.File(windows() ? "NUL" : "/dev/null");
    }

    private static void copy(InputStream in, OutputStream out) {
        byte[] buf = new byte[4096];
        try (in) {
            int n;
            while ((n = in.read(buf)) > 0) {
                synchronized (out) {
                    out.write(buf, 0, n);
                    out.flush();
                }
            }
        } catch (IOException e) {
            // the hook closed its output, or we stopped it
        }
    }

    /** Stops taking events; a run in progress finishes (or times out) on its own thread. */
    @Override
    public void close() {
        closed = true;
        thread.interrupt();
    }

    /** For tests and a clean stop: waits until queued events have run (at most {@code max}). */
    boolean drain(Duration max) throws InterruptedException {
        long end = System.nanoTime() + max.toNanos();
        while (pending.get() > 0 && System.nanoTime() < end) {
            Thread.sleep(10);
        }
        return pending.get() == 0;
    }
}
