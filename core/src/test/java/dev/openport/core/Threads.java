package dev.openport.core;

import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;

/** Polling helpers for tests: no fixed sleeps, a deadline instead. */
final class Threads {
    private Threads() {
    }

    static List<String> named(String prefix) {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(n -> n.startsWith(prefix)).toList();
    }

    /** Polls until {@code condition} holds or the deadline passes; returns whether it held. */
    static boolean await(Duration deadline, BooleanSupplier condition) {
        long end = System.nanoTime() + deadline.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                return false;
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }
}
