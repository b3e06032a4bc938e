package dev.openport.cli;

import dev.openport.core.LeaseState;
import dev.openport.core.ManagedMapping;
import dev.openport.core.MapOptions;
import dev.openport.core.MappingChange;
import dev.openport.core.PortMapping;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * {@code map --keep}: core's managed mappings ({@link ManagedMapping}) renew, restore after a router reboot and
 * fail over; this class shows what they do, keeps the state file current, and closes them (which deletes the
 * mappings) when stopped — by Ctrl-C/SIGTERM through a shutdown hook, or, in tests, by interrupting the thread.
 * Core's own exit hook is off ({@code cleanupOnExit(false)}): ours removes them and reports it.
 */
final class Keeper {
    private final Ui ui;
    private final StateFile state;
    private final List<ManagedMapping> handles;
    private final LinkedBlockingQueue<MappingChange> changes;
    /** The --on-change hook, or {@code null}. */
    private final HookRunner hooks;
    /** What the hook thread reports (a failed run), printed by this thread. */
    private final java.util.concurrent.ConcurrentLinkedQueue<String> hookReports =
            new java.util.concurrent.ConcurrentLinkedQueue<>();
    /** The last mapping written to the state file per handle and transport, to notice renewals. */
    private final Map<String, PortMapping> stored = new HashMap<>();
    /** The last mapping the hook was told about, per handle and transport. */
    private final Map<String, PortMapping> told = new HashMap<>();
    private boolean saidPermanent;
    /** {@code --echo}: proves the mappings from outside, or {@code null}. */
    private EchoWatch echo;

    /**
     * @param changes  where the handles' listener puts what happened (see {@link #listener})
     * @param onChange the --on-change command, or {@code null}
     */
    Keeper(Ui ui, StateFile state, List<ManagedMapping> handles, LinkedBlockingQueue<MappingChange> changes,
            String onChange, Duration hookTimeout) {
        this.ui = ui;
        this.state = state;
        this.handles = handles;
        this.changes = changes;
        this.hooks = onChange == null ? null : new HookRunner(onChange,
                hookTimeout == null ? HookRunner.DEFAULT_TIMEOUT : hookTimeout, ui.err, hookReports::add);
        for (ManagedMapping h : handles) {
            for (PortMapping m : h.mappings()) {
                String k = key(h, m);
                stored.put(k, m);
                event(KeepEvents.MAPPED, m, null, null, null);
                if (hooks != null && KeepEvents.usable(m.externalAddress())) {
                    told.put(k, m);
                    hooks.submit(new HookRunner.Event(KeepEvents.MAPPED, m));
                }
            }
        }
    }

    /** With {@code --echo}: the watch is started by the caller and closed here before the mappings. */
    Keeper watch(EchoWatch watch) {
        this.echo = watch;
        return this;
    }

    /** An NDJSON line with --json. */
    private void event(String kind, PortMapping current, PortMapping previous, String transport, String detail) {
        if (ui.json) {
            ui.out.println(KeepEvents.json(kind, current, previous, transport, detail, Instant.now()));
            ui.out.flush();
        }
    }

    /** The listener to give {@link MapOptions}: hands changes to this thread, which does the printing. */
    static dev.openport.core.MappingListener listener(LinkedBlockingQueue<MappingChange> queue) {
        return queue::offer;
    }

    private static String key(ManagedMapping h, PortMapping m) {
        return System.identityHashCode(h) + "/" + m.transport();
    }

    /** Watches until stopped, then closes (deletes) the mappings. Returns the exit code. */
    int runUntilStopped() {
        CountDownLatch stop = new CountDownLatch(1);
        CountDownLatch cleaned = new CountDownLatch(1);
        // the hook only signals and waits: the removal runs on this thread
        Thread hook = new Thread(() -> {
            stop.countDown();
            try {
                cleaned.await(15, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "openport-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        int count = count();
        if (!ui.tty) {
            ui.line("keeping " + plural(count) + "; stop with Ctrl-C or SIGTERM to remove "
                    + (count == 1 ? "it" : "them"));
            ui.out.flush();
        }
        boolean interrupted = false;
        try {
            while (!stop.await(1, TimeUnit.SECONDS)) {
                tick();
            }
        } catch (InterruptedException e) {
            interrupted = true;
        }
        try {
            return closeAll();
        } finally {
            if (hooks != null) {
                hooks.close();
            }
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
    }

    private int count() {
        return handles.stream().mapToInt(h -> h.mappings().size()).sum();
    }

    private static String plural(int n) {
        return n == 1 ? "1 mapping" : n + " mappings";
    }

    /** Reports what changed since the last tick and refreshes the status line. */
    private void tick() {
        EchoWatch.Report proof; // first: a failed proof is why core's "lost"/"restored" below happen
        while (echo != null && (proof = echo.reports().poll()) != null) {
            report(proof);
        }
        MappingChange c;
        java.util.Set<String> explained = new java.util.HashSet<>();
        while ((c = changes.poll()) != null) {
            report(c);
            if (c.source() != null) {
                explained.add(System.identityHashCode(c.source()) + "/" + c.transport());
            }
        }
        String hookReport;
        while ((hookReport = hookReports.poll()) != null) {
            ui.warn(hookReport);
        }
        Instant next = Instant.MAX;
        LeaseState worst = LeaseState.ACTIVE;
        for (ManagedMapping h : handles) {
            if (h.state() != LeaseState.ACTIVE) {
                worst = h.state();
            }
            for (PortMapping m : h.mappings()) {
                if (m == null) {
                    continue;
                }
                String k = key(h, m);
                PortMapping before = stored.get(k);
                if (before != null && !before.expiresAt().equals(m.expiresAt()) && !explained.contains(k)) {
                    ui.line(KeepEvents.usable(m.externalAddress())
                            ? "renewed " + Render.arrow(m) + " via " + m.protocol().displayName() + ", lease "
                                    + Render.lease(m)
                            : "renewed " + m.externalPort() + "/" + m.transport().lowerName() + " via "
                                    + m.protocol().displayName() + " (waiting for the WAN: no usable external "
                                    + "address)");
                    event(KeepEvents.RENEWED, m, null, null, null);
                    ui.out.flush();
                }
                if (m.isPermanent() && before != null && !before.isPermanent() && !saidPermanent) {
                    saidPermanent = true; // once per run: firmware that keeps only permanent leases
                    ui.warn("the router drops finite leases: switched to permanent leases (still removed when "
                            + "openport stops)");
                }
                if (hooks != null) {
                    PortMapping last = told.get(k);
                    if (last == null ? KeepEvents.usable(m.externalAddress()) : KeepEvents.movedForHook(last, m)) {
                        told.put(k, m);
                        hooks.submit(new HookRunner.Event(last == null ? KeepEvents.MAPPED : KeepEvents.CHANGED, m));
                    }
                }
                if (before == null || !before.equals(m)) {
                    stored.put(k, m);
                    remember(m, before);
                }
                next = min(next, nextRenewal(m));
            }
        }
        if (ui.tty && !ui.json) {
            String when = worst != LeaseState.ACTIVE ? worst.name().toLowerCase(java.util.Locale.ROOT)
                    .replace('_', ' ') + "…"
                    : next.equals(Instant.MAX) ? "permanent"
                    : "next renewal in " + Durations.format(Duration.between(Instant.now(), next).withNanos(0));
            int n = count();
            ui.progress("keeping " + plural(n) + " — " + when + " — Ctrl-C removes " + (n == 1 ? "it" : "them"));
        }
    }

    /** Core renews at half the granted lease, and at least every check interval (5 min). */
    private static Instant nextRenewal(PortMapping m) {
        if (m.isPermanent() || m.expiresAt().equals(Instant.MAX)) {
            return Instant.MAX;
        }
        Duration half = m.lifetime().dividedBy(2);
        if (half.compareTo(MapOptions.DEFAULT_CHECK_INTERVAL) > 0) {
            half = MapOptions.DEFAULT_CHECK_INTERVAL;
        }
        return m.expiresAt().minus(m.lifetime()).plus(half);
    }

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }

    private void report(MappingChange c) {
        PortMapping cur = c.current();
        String what = cur == null ? c.transport().lowerName() : Render.arrow(cur);
        String transport = c.transport().lowerName();
        switch (c.kind()) {
            case LOST -> {
                ui.warn("lost " + what + (c.detail().isEmpty() ? "" : ": " + Main.oneLine(c.detail()))
                        + "; re-creating it");
                event(KeepEvents.LOST, cur, c.previous(), transport, c.detail());
            }
            case RESTORED -> {
                ui.warn("restored " + what + " via " + cur.protocol().displayName());
                event(KeepEvents.RESTORED, cur, c.previous(), transport, null);
                hook(KeepEvents.RESTORED, c);
            }
            case CHANGED -> {
                PortMapping prev = c.previous();
                if (cur != null && !KeepEvents.usable(cur.externalAddress())) {
                    ui.warn("waiting for the WAN: the router reports no usable external address for "
                            + cur.externalPort() + "/" + transport);
                } else {
                    ui.warn("moved " + (prev == null ? "" : Render.host(prev.externalAddress()) + ":"
                            + prev.externalPort() + " via " + prev.protocol().displayName() + " ") + "to " + what
                            + (cur == null ? "" : " via " + cur.protocol().displayName()));
                }
                event(KeepEvents.CHANGED, cur, prev, transport, c.detail());
                if (cur != null && KeepEvents.usable(cur.externalAddress())) {
                    String w = Render.doubleNatWarning(cur.externalAddress(), cur.externalPort());
                    if (w != null) {
                        ui.warn(w);
                    }
                }
                hook(KeepEvents.CHANGED, c);
            }
            default -> {
            }
        }
    }

    /** What an echo proof found: one line (stdout when proven, a warning when not) and an NDJSON event. */
    private void report(EchoWatch.Report r) {
        PortMapping m = r.mapping();
        String transport = m.transport().lowerName();
        switch (r.kind()) {
            case REACHABLE -> {
                ui.line("reachable " + Render.arrow(m) + " from outside (" + Main.oneLine(r.detail()) + ", "
                        + r.took().toMillis() + " ms)");
                event(KeepEvents.REACHABLE, m, null, transport, r.detail());
            }
            case UNREACHABLE -> {
                ui.warn("unreachable " + Render.arrow(m) + " from outside: " + Main.oneLine(r.detail())
                        + "; repairing it (delete + add), next proof in " + Durations.format(r.next()));
                event(KeepEvents.UNREACHABLE, m, null, transport, r.detail());
            }
            default -> ui.warn(r.detail());
        }
        ui.out.flush();
    }

    /** Tells the hook when the outside now connects elsewhere (or again, after a loss). */
    private void hook(String kind, MappingChange c) {
        PortMapping cur = c.current();
        if (hooks == null || cur == null || c.source() == null || !KeepEvents.usable(cur.externalAddress())) {
            return;
        }
        String k = key(c.source(), cur);
        PortMapping last = told.get(k);
        if (kind.equals(KeepEvents.RESTORED) || last == null || KeepEvents.movedForHook(last, cur)) {
            told.put(k, cur);
            hooks.submit(new HookRunner.Event(last == null ? KeepEvents.MAPPED : kind, cur));
        }
    }

    /** Keeps the state file in step: a renewal moves the expiry, a failover changes protocol or gateway. */
    private void remember(PortMapping now, PortMapping before) {
        try {
            if (before != null) {
                StateFile.Entry old = StateFile.Entry.of(before);
                if (!old.sameAs(StateFile.Entry.of(now))) {
                    state.remove(old);
                }
            }
            state.put(StateFile.Entry.of(now));
        } catch (IOException | RuntimeException e) {
            ui.warn("could not update " + state.path() + ": " + e.getMessage());
        }
    }

    private int closeAll() {
        ui.clearProgress();
        if (echo != null) {
            echo.close(); // no proof (and no repair) races the removal
        }
        List<PortMapping> last = new ArrayList<>();
        for (ManagedMapping h : handles) {
            last.addAll(h.mappings());
            h.close(); // deletes; a failure is logged by core, and the lease then runs out on its own
        }
        for (PortMapping m : last) {
            if (m == null) {
                continue;
            }
            try {
                state.remove(StateFile.Entry.of(m));
            } catch (IOException | RuntimeException e) {
                ui.warn("could not update " + state.path() + ": " + e.getMessage());
            }
            String line = "removed " + Render.arrow(m);
            if (ui.json) {
                event(KeepEvents.REMOVED, m, null, null, null);
            } else {
                ui.line(line);
            }
        }
        ui.out.flush();
        return ExitCodes.OK;
    }
}
