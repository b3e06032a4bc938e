package dev.openport.cli;

import dev.openport.core.PortMapper;
import dev.openport.core.PortMapping;
import dev.openport.core.PortMappingException;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code map --keep}: renews each lease at half its lifetime (RFC 6886 §3.3), retries with backoff while the
 * gateway is away, and removes every mapping when stopped — by Ctrl-C/SIGTERM (a shutdown hook) or, in tests,
 * by interrupting the thread. Core's managed mappings had not landed when this was written, so the CLI renews
 * through {@link PortMapper#renew} itself.
 */
final class Keeper {
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(60);
    private static final Duration MIN_INTERVAL = Duration.ofMillis(500);

    private final Ui ui;
    private final PortMapper mapper;
    private final StateFile state;
    private final List<Slot> slots = new ArrayList<>();

    /** One kept mapping and when to renew it next. */
    private static final class Slot {
        PortMapping mapping;
        Instant renewAt;
        int failures;

        Slot(PortMapping mapping, Instant now) {
            this.mapping = mapping;
            schedule(now);
        }

        void schedule(Instant now) {
            failures = 0;
            renewAt = mapping.isPermanent() ? Instant.MAX : now.plus(max(mapping.lifetime().dividedBy(2)));
        }

        void backoff(Instant now) {
            failures++;
            Duration d = Duration.ofSeconds(1L << Math.min(failures, 6));
            renewAt = now.plus(d.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : d);
        }

        private static Duration max(Duration d) {
            return d.compareTo(MIN_INTERVAL) < 0 ? MIN_INTERVAL : d;
        }
    }

    Keeper(Ui ui, PortMapper mapper, StateFile state, List<PortMapping> mappings) {
        this.ui = ui;
        this.mapper = mapper;
        this.state = state;
        Instant now = Instant.now();
        mappings.forEach(m -> slots.add(new Slot(m, now)));
    }

    /** Renews until stopped, then removes the mappings. Returns the exit code. */
    int runUntilStopped() {
        CountDownLatch stop = new CountDownLatch(1);
        CountDownLatch cleaned = new CountDownLatch(1);
        // the hook only signals and waits: the removal runs on this thread, which owns the mapper
        Duration budget = Duration.ofSeconds(10);
        Thread hook = new Thread(() -> {
            stop.countDown();
            try {
                cleaned.await(budget.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "openport-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        if (!ui.tty) {
            ui.line("keeping " + count() + "; stop with Ctrl-C or SIGTERM to remove "
                    + (slots.size() == 1 ? "it" : "them"));
            ui.out.flush();
        }
        boolean interrupted = false;
        try {
            loop(stop);
        } catch (InterruptedException e) {
            interrupted = true;
        }
        int code;
        try {
            code = removeAll();
        } finally {
            cleaned.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // the JVM is shutting down: the hook is running and has just been released
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        return code;
    }

    private String count() {
        return slots.size() == 1 ? "1 mapping" : slots.size() + " mappings";
    }

    private void loop(CountDownLatch stop) throws InterruptedException {
        while (true) {
            Instant now = Instant.now();
            for (Slot s : slots) {
                if (!s.renewAt.isAfter(now)) {
                    renew(s);
                }
            }
            Instant next = slots.stream().map(s -> s.renewAt).min(Instant::compareTo).orElse(Instant.MAX);
            now = Instant.now();
            Duration untilNext = next.equals(Instant.MAX) ? Duration.ofDays(365) : Duration.between(now, next);
            if (ui.tty && !ui.json) {
                ui.progress("keeping " + count() + (next.equals(Instant.MAX) ? " (permanent)"
                        : " — next renewal in " + Durations.format(untilNext.withNanos(0)))
                        + " — Ctrl-C removes " + (slots.size() == 1 ? "it" : "them"));
            }
            long waitMs = Math.max(1, untilNext.toMillis());
            if (ui.tty) {
                waitMs = Math.min(waitMs, 1000); // tick the status line
            }
            if (stop.await(waitMs, TimeUnit.MILLISECONDS)) {
                return;
            }
        }
    }

    private void renew(Slot s) {
        PortMapping old = s.mapping;
        try {
            PortMapping fresh = mapper.renew(old);
            if (fresh.externalAddress() == null && old.externalAddress() != null) {
                fresh = new PortMapping(fresh.request(), fresh.internalAddress(), old.externalAddress(),
                        fresh.externalPort(), fresh.lifetime(), fresh.expiresAt(), fresh.protocol(), fresh.gateway(),
                        fresh.protocolState());
            }
            s.mapping = fresh;
            s.schedule(Instant.now());
            if (fresh.externalPort() != old.externalPort()
                    || !Objects.equals(fresh.externalAddress(), old.externalAddress())) {
                ui.warn("the gateway moved " + Render.host(old.externalAddress()) + ":" + old.externalPort() + "/"
                        + old.transport().lowerName() + " to " + Render.host(fresh.externalAddress()) + ":"
                        + fresh.externalPort());
            }
            ui.line("renewed " + Render.arrow(fresh) + ", lease " + Render.lease(fresh));
            ui.out.flush();
            try {
                state.put(StateFile.Entry.of(fresh));
            } catch (IOException | RuntimeException e) {
                ui.warn("could not update " + state.path() + ": " + e.getMessage());
            }
        } catch (PortMappingException e) {
            s.backoff(Instant.now());
            ui.warn("renewing " + Render.arrow(old) + " failed: " + Main.oneLine(e.getMessage())
                    + "; retrying in " + Durations.format(Duration.between(Instant.now(), s.renewAt).withNanos(0)));
        } catch (RuntimeException e) {
            s.backoff(Instant.now());
            ui.warn("renewing " + Render.arrow(old) + " failed unexpectedly: " + e);
        }
    }

    private int removeAll() {
        ui.clearProgress();
        int code = ExitCodes.OK;
        for (Slot s : slots) {
            PortMapping m = s.mapping;
            try {
                mapper.unmap(m);
                try {
                    state.remove(StateFile.Entry.of(m));
                } catch (IOException | RuntimeException e) {
                    ui.warn("could not update " + state.path() + ": " + e.getMessage());
                }
                String line = "removed " + Render.arrow(m);
                if (ui.json) {
                    ui.err.println(line);
                } else {
                    ui.line(line);
                }
            } catch (PortMappingException e) {
                code = ExitCodes.of(e);
                ui.error("could not remove " + Render.arrow(m) + ": " + Main.oneLine(e.getMessage())
                        + (m.isPermanent() ? "" : " (the lease ends on its own in at most "
                                + Durations.format(m.lifetime()) + ")"));
            }
        }
        ui.out.flush();
        return code;
    }
}
