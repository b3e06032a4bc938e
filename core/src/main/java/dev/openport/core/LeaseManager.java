package dev.openport.core;

import dev.openport.core.spi.PortMapperProvider;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps every managed mapping of the JVM: one scheduler (one thread) for all of them, one
 * {@link GatewaySession} per distinct {@link DiscoveryOptions}, and the shutdown hook that deletes what is
 * still open at exit. Tests build their own with a fake scheduler and in-memory providers.
 */
final class LeaseManager {
    private static final Logger LOG = LoggerFactory.getLogger(LeaseManager.class);
    /** How long the shutdown hook may spend deleting mappings before the JVM is allowed to go. */
    static final Duration SHUTDOWN_DEADLINE = Duration.ofSeconds(5);

    private static volatile LeaseManager shared;

    private final LeaseScheduler scheduler;
    private final List<PortMapperProvider> providers;
    private final DoubleSupplier random;
    private final boolean installHook;
    private final ProtocolRefusals refusals;
    private volatile Resolver resolver = Gateways.GatewayTarget::resolve;
    private NetworkWatch watch; // guarded by this; null = not watching (tests that do not test it)
    private long watchEvery; // guarded by this
    private boolean watchScheduled; // guarded by this
    private final Map<DiscoveryOptions, GatewaySession> sessions = new HashMap<>(); // guarded by this
    private final Set<Lease> live = new LinkedHashSet<>(); // guarded by this
    private Thread hook; // guarded by this

    LeaseManager(LeaseScheduler scheduler, List<PortMapperProvider> providers, DoubleSupplier random,
            boolean installHook) {
        this(scheduler, providers, random, installHook, new ProtocolRefusals(scheduler::nanoTime));
    }

    LeaseManager(LeaseScheduler scheduler, List<PortMapperProvider> providers, DoubleSupplier random,
            boolean installHook, ProtocolRefusals refusals) {
        this.refusals = refusals;
        this.scheduler = scheduler;
        this.providers = providers;
        this.random = random;
        this.installHook = installHook;
    }

    /** The JVM-wide manager: real scheduler, installed protocol modules, a shutdown hook. */
    static LeaseManager shared() {
        LeaseManager m = shared;
        if (m == null) {
            synchronized (LeaseManager.class) {
                if (shared == null) {
                    LeaseManager m0 = new LeaseManager(new ExecutorLeaseScheduler(), Providers.installed(),
                            () -> ThreadLocalRandom.current().nextDouble(), true, ProtocolRefusals.shared());
                    m0.watchNetwork(Gateways.GatewayTarget::resolve, new ClockJump(System::currentTimeMillis,
                            System::nanoTime, NetworkWatch.JUMP_TOLERANCE), NetworkWatch.EVERY);
                    shared = m0;
                }
                m = shared;
            }
        }
        return m;
    }

    LeaseScheduler scheduler() {
        return scheduler;
    }

    double random() {
        return random.getAsDouble();
    }

    /** Which protocols refused which gateway (the half-open router: docs/quirks.md). */
    ProtocolRefusals refusals() {
        return refusals;
    }

    /** The gateway to talk to and the local address that reaches it, as the routing table says now. */
    Gateways.GatewayTarget resolve(DiscoveryOptions options) throws PortMappingException {
        return resolver.resolve(options);
    }

    PortMapper probe(DiscoveryOptions options, Gateways.GatewayTarget target) throws PortMappingException {
        return new ProtocolProber(providers, refusals).connect(target, options);
    }

    /** How a session finds its gateway and local address (tests move the host to another network). */
    interface Resolver {
        Gateways.GatewayTarget resolve(DiscoveryOptions options) throws PortMappingException;
    }

    /** Watches for suspend/resume and network changes every {@code every} while a mapping is live (tests). */
    synchronized void watchNetwork(Resolver r, ClockJump clock, java.time.Duration every) {
        this.resolver = r;
        this.watch = new NetworkWatch(clock);
        this.watchEvery = every.toNanos();
    }

    /** Schedules the next look while mappings are live. Caller holds this. */
    private void scheduleWatch() {
        if (watch == null || watchScheduled) {
            return;
        }
        watchScheduled = true;
        scheduler.schedule(this::look, watchEvery);
    }

    private void look() {
        List<Lease> all;
        List<GatewaySession> open;
        synchronized (this) {
            watchScheduled = false;
            if (live.isEmpty()) {
                return;
            }
            all = new ArrayList<>(live);
            open = new ArrayList<>(sessions.values());
        }
        try {
            watch.look(all, open);
        } finally { // one failed look must not end the watch
            synchronized (this) {
                if (!live.isEmpty()) {
                    scheduleWatch();
                }
            }
        }
    }

    /** Maps {@code port} for each transport; all or nothing. */
    ManagedMapping map(int port, MapOptions options, List<Transport> transports) throws PortMappingException {
        ManagedMapping handle = new ManagedMapping(transports.size(), options.listener(), options.listenerExecutor());
        GatewaySession session;
        List<Lease> made = new ArrayList<>();
        synchronized (this) {
            session = sessions.computeIfAbsent(options.discovery(), d -> new GatewaySession(this, d));
            for (int i = 0; i < transports.size(); i++) {
                Lease l = new Lease(this, handle, session, options.request(transports.get(i), port), options);
                handle.setLease(i, l);
                session.addLocked(l);
                live.add(l);
                scheduler.acquire();
                made.add(l);
            }
            scheduleWatch();
            if (installHook && hook == null && options.cleanupOnExit()) {
                installShutdownHook();
            }
        }
        try {
            PortMapper mapper = session.mapper();
            int anyPortGranted = 0;
            for (Lease l : made) {
                if (anyPortGranted != 0 && l.request.followsExternalPort()) {
                    l.askForTheSamePortAs(anyPortGranted);
                }
                mapper = start(l, session, mapper);
                PortMapping got = l.current();
                if (anyPortGranted == 0 && l.request.followsExternalPort() && got != null) {
                    anyPortGranted = got.externalPort();
                } else if (anyPortGranted != 0 && got != null && got.externalPort() != anyPortGranted) {
                    LOG.warn("the gateway granted {} port {} after granting port {} to the first transport: the "
                            + "service must listen on both", l.request.transport(), got.externalPort(), anyPortGranted);
                }
            }
            return handle;
        } catch (PortMappingException | RuntimeException e) {
            handle.close(); // deletes what was mapped, releases the rest
            throw e;
        }
    }

    /**
     * The first mapping of {@code l}: a cached mapper whose protocol went quiet is probed again once; a protocol
     * that refuses with a lasting reason is remembered and the next one that answers is tried (the half-open
     * router of docs/quirks.md), until one grants or none is left — then the error lists every answer.
     */
    private PortMapper start(Lease l, GatewaySession session, PortMapper mapper) throws PortMappingException {
        List<PortMappingException> refused = new ArrayList<>();
        boolean reprobed = false;
        while (true) {
            try {
                l.start(mapper);
                return mapper;
            } catch (PortMappingException e) {
                boolean lasting = ProtocolRefusals.isLasting(e);
                if (!lasting && (reprobed || !LeaseHistory.isSilent(e))) {
                    throw refused.isEmpty() ? e : ProtocolProber.allRefused(mapper.gateway(), plus(refused, e));
                }
                if (lasting) {
                    refused.add(e);
                    refusals.refused(session.options, mapper.gateway(), mapper.protocol(), e);
                } else {
                    reprobed = true;
                }
                PortMapper failed = mapper;
                try {
                    mapper = session.failover(failed);
                } catch (PortMappingException none) {
                    if (refused.isEmpty()) {
                        throw none;
                    }
                    throw ProtocolProber.allRefused(failed.gateway(), refused);
                }
                if (mapper == failed) {
                    throw lasting ? ProtocolProber.allRefused(failed.gateway(), refused) : e;
                }
            }
        }
    }

    private static List<PortMappingException> plus(List<PortMappingException> list, PortMappingException e) {
        List<PortMappingException> out = new ArrayList<>(list);
        out.add(e);
        return out;
    }

    /** A lease is finished: the scheduler thread stops with the last one. */
    void release(Lease l) {
        synchronized (this) {
            if (!live.remove(l)) {
                return;
            }
            if (live.isEmpty()) {
                watchScheduled = false; // the scheduler drops its timers with the last mapping
            }
        }
        scheduler.release();
    }

    synchronized void retire(GatewaySession s) {
        sessions.remove(s.options, s);
    }

    synchronized int liveCount() {
        return live.size();
    }

    synchronized int sessionCount() {
        return sessions.size();
    }

    private void installShutdownHook() {
        hook = new Thread(() -> closeAllAtExit(SHUTDOWN_DEADLINE), "openport-shutdown");
        try {
            Runtime.getRuntime().addShutdownHook(hook);
        } catch (IllegalStateException e) {
            LOG.debug("JVM already shutting down: no hook");
        }
    }

    /** The shutdown hook's work: delete every mapping that asked for it, until the deadline. */
    void closeAllAtExit(Duration deadline) {
        long end = System.nanoTime() + deadline.toNanos();
        List<Lease> all;
        synchronized (this) {
            all = new ArrayList<>(live);
        }
        int left = 0;
        for (Lease l : all) {
            if (!l.cleanupOnExit()) {
                continue;
            }
            if (System.nanoTime() > end) {
                left++;
                continue;
            }
            l.close();
        }
        if (left > 0) {
            LOG.warn("JVM exit: {} mappings not deleted within {} s; their leases will run out", left,
                    deadline.toSeconds());
        }
    }

    /** Whether the hook is registered (tests). */
    synchronized boolean hookInstalled() {
        return hook != null;
    }
}
