package dev.openport.cli;

import dev.openport.core.LeaseState;
import dev.openport.core.ManagedMapping;
import dev.openport.core.PortMapping;
import dev.openport.core.PortMappingException;
import dev.openport.core.Transport;
import dev.openport.diagnostics.ReachabilityProbe;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;

/**
 * {@code map --keep --echo HOST:PORT}: proves every kept mapping from outside through the echo service
 * (docs/diagnostics.md) every {@code --echo-interval}, and when the proof fails tells core
 * ({@link ManagedMapping#reportUnreachable()}), which repairs the mapping with Delete + Add — the repair for a
 * router that lists an entry it no longer forwards (docs/quirks.md, "zombie" entries).
 *
 * <p>One daemon thread, never the renewal thread: proofs run one at a time, each bounded by the timeout, and
 * stop on {@link #close()}. What they find goes to {@link #reports()}, which the {@link Keeper}'s thread prints.
 *
 * <p>While a program listens on a TCP internal port the probe cannot listen there; the echo service's accepted
 * connection is then the proof ({@link ReachabilityProbe#proveConnect}). A busy UDP port cannot be proven (a
 * datagram sent is not a datagram received): that is said once, and nothing is repaired on it.
 */
final class EchoWatch implements AutoCloseable {
    /**
     * The default proof cadence: issue 12's bound for repairing a silently dropped mapping is 60 s, and a proof
     * costs more than a verification (a third party's service, and the internal port held while it runs).
     */
    static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(60);
    /** Failed proofs in a row back off (doubling), up to this, so a port that cannot be reached is not churned. */
    static final Duration MAX_BACKOFF = Duration.ofMinutes(10);

    /** What a proof found, for the Keeper to print: {@code reachable}, {@code unreachable} or a notice. */
    record Report(Kind kind, PortMapping mapping, String detail, Duration took, Duration next) {
        enum Kind { REACHABLE, UNREACHABLE, NOTICE }
    }

    private final EchoTarget echo;
    private final List<ManagedMapping> handles;
    private final Duration interval;
    private final Duration timeout;
    private final Consumer<ManagedMapping> unreachable;
    private final Queue<Report> reports = new ConcurrentLinkedQueue<>();
    /** Last outcome per mapping key: proven (true) or not (false); absent = not yet proven either way. */
    private final Map<String, Boolean> last = new HashMap<>();
    /** Notices already given (a busy UDP port, a family the echo service lacks, the service down). */
    private final java.util.Set<String> noticed = new java.util.HashSet<>();
    private final Thread thread;
    private volatile boolean stopped;
    private int failedRounds;

    /**
     * @param unreachable what to call for a mapping whose proof failed ({@code ManagedMapping::reportUnreachable})
     */
    EchoWatch(EchoTarget echo, List<ManagedMapping> handles, Duration interval, Duration timeout,
            Consumer<ManagedMapping> unreachable) {
        this.echo = echo;
        this.handles = handles;
        this.interval = interval;
        this.timeout = timeout;
        this.unreachable = unreachable;
        this.thread = new Thread(this::run, "openport-echo-probe");
        thread.setDaemon(true);
    }

    EchoWatch start() {
        thread.start();
        return this;
    }

    Queue<Report> reports() {
        return reports;
    }

    private void run() {
        try {
            while (!stopped) {
                boolean failed;
                try {
                    failed = round();
                } catch (RuntimeException e) {
                    // whatever went wrong, the proofs go on: a dead thread here would never repair a zombie again
                    failed = false;
                }
                failedRounds = failed ? failedRounds + 1 : 0;
                Thread.sleep(nextDelay(interval, failedRounds).toMillis());
            }
        } catch (InterruptedException e) {
            // close(): stop
        }
    }

    /** The pause before the next round: the interval, doubled for each failed round in a row after the first. */
    static Duration nextDelay(Duration interval, int failedRounds) {
        Duration cap = interval.compareTo(MAX_BACKOFF) > 0 ? interval : MAX_BACKOFF;
        Duration d = interval;
        for (int i = 1; i < failedRounds && d.compareTo(cap) < 0; i++) {
            d = d.multipliedBy(2);
        }
        return d.compareTo(cap) > 0 ? cap : d;
    }

    /** Proves each mapping once; true when one of them failed its proof (and was reported unreachable). */
    private boolean round() {
        boolean failed = false;
        for (ManagedMapping h : handles) {
            for (PortMapping m : h.mappings()) {
                if (stopped) {
                    return failed;
                }
                ManagedMapping owner = owner(h, m);
                if (m == null || owner.isClosed() || owner.state() != LeaseState.ACTIVE
                        || !KeepEvents.usable(m.externalAddress())) {
                    continue; // being restored or waiting for the WAN: core is on it, a proof would say nothing
                }
                failed |= prove(owner, m);
            }
        }
        return failed;
    }

    /** The IPv6 half's handle for a pinhole (its repair is that handle's), else {@code h}. */
    private static ManagedMapping owner(ManagedMapping h, PortMapping m) {
        Optional<ManagedMapping> six = h.ipv6();
        return six.isPresent() && six.get().mappings().contains(m) ? six.get() : h;
    }

    private boolean prove(ManagedMapping owner, PortMapping m) {
        String key = System.identityHashCode(owner) + "/" + m.transport();
        Optional<InetSocketAddress> service = echo.forFamilyOf(m.externalAddress());
        if (service.isEmpty()) {
            notice("family/" + key, m, "not proven from outside: the echo service " + echo.text()
                    + " has no address in the family of " + Render.host(m.externalAddress()));
            return false;
        }
        ReachabilityProbe.Result r;
        try {
            try {
                r = ReachabilityProbe.prove(service.get(), m, timeout);
            } catch (PortMappingException e) {
                if (e.reason() != PortMappingException.Reason.CONFLICT) {
                    throw e;
                }
                if (m.transport() == Transport.UDP) {
                    notice("busy/" + key, m, "not proven from outside while a program uses port "
                            + m.internalPort() + "/udp here (an echo datagram cannot be received then)");
                    return false;
                }
                r = ReachabilityProbe.proveConnect(service.get(), m, timeout); // the program accepts it
            }
        } catch (PortMappingException e) {
            notice("echo", m, "the echo service " + echo.text() + " cannot be reached, so nothing is proven: "
                    + Main.oneLine(e.getMessage()));
            return false;
        } catch (RuntimeException e) {
            notice("error/" + key, m, "a proof of " + Render.arrow(m) + " failed unexpectedly, so nothing is "
                    + "proven: " + Main.oneLine(String.valueOf(e)));
            return false;
        }
        noticed.remove("echo");
        noticed.remove("busy/" + key);
        if (r.outcome().proven()) {
            if (!Boolean.TRUE.equals(last.put(key, true))) {
                reports.add(new Report(Report.Kind.REACHABLE, m, r.detail(), r.took(), null));
            }
            return false;
        }
        if (!r.outcome().disproven()) {
            notice("echo", m, "the echo service " + echo.text() + " gave no answer, so nothing is proven: "
                    + Main.oneLine(r.detail()));
            return false;
        }
        last.put(key, false);
        if (stopped || owner.isClosed()) {
            return false;
        }
        reports.add(new Report(Report.Kind.UNREACHABLE, m, r.detail(), r.took(),
                nextDelay(interval, failedRounds + 1)));
        unreachable.accept(owner); // core repairs it with Delete + Add, on its own threads
        return true;
    }

    /** Says {@code text} once until the situation changes (the key is cleared by a successful ask). */
    private void notice(String key, PortMapping m, String text) {
        if (noticed.add(key)) {
            reports.add(new Report(Report.Kind.NOTICE, m, text, Duration.ZERO, null));
        }
    }

    /** Stops proving; a proof under way ends within its timeout (its sockets are bounded by it). */
    @Override
    public void close() {
        stopped = true;
        thread.interrupt();
        try {
            thread.join(timeout.toMillis() + 1_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
