package dev.openport.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * {@code openport map ... --keep} running in-process on a thread of its own; {@link #stop()} interrupts it, which
 * is what the Ctrl-C/SIGTERM shutdown hook does minus the JVM exit.
 */
final class KeepRun {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final AtomicInteger code = new AtomicInteger(-1);
    private final Thread thread;

    private KeepRun(String... args) {
        PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        thread = new Thread(() -> code.set(Main.run(args, o, e)), "keep-run");
        thread.start();
    }

    static KeepRun start(String... args) {
        return new KeepRun(args);
    }

    String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    /** Waits until {@code condition} holds, failing with what was printed so far after {@code millis}. */
    KeepRun waitFor(BooleanSupplier condition, long millis) throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within " + millis + " ms; out:\n" + out() + "\nerr:\n"
                        + err());
            }
            Thread.sleep(20);
        }
        return this;
    }

    /** Stops it as Ctrl-C would and returns its exit code (the run must end within 5 s). */
    int stop() throws InterruptedException {
        thread.interrupt();
        thread.join(5000);
        assertThat(thread.isAlive()).as("--keep still running after the interrupt").isFalse();
        return code.get();
    }
}
