package dev.openport.core;

import dev.openport.core.spi.GatewayEvent;
import dev.openport.core.spi.GatewayListener;
import dev.openport.core.spi.PortMapperProvider;
import dev.openport.core.spi.ProbeContext;
import dev.openport.core.spi.ProtocolState;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * An in-memory gateway for core's tests: a mapping table, the protocols it currently answers, a reboot that
 * loses the table and tells the mappers (as an epoch check or ANNOUNCE would), and providers with scripted
 * probe delays. Core may not depend on the protocol modules' real-byte fakes, so this is a real implementation
 * of the SPI in memory, not a mock.
 */
final class FakeGateway {
    final InetAddress address;
    volatile InetAddress external;
    private final Set<MappingProtocol> answering = EnumSet.allOf(MappingProtocol.class);
    private final Map<String, PortMapping> table = new LinkedHashMap<>();
    private final Set<String> dead = new java.util.HashSet<>(); // listed entries whose forwarding rule is gone
    final List<FakeMapper> mappers = new CopyOnWriteArrayList<>();
    final List<String> log = new CopyOnWriteArrayList<>();
    volatile Supplier<Instant> clock = Instant::now;
    /** When set, leases are permanent (UPnP error 725 routers). */
    volatile boolean permanentOnly;
    /** When set, the gateway grants at most this lease. */
    volatile Duration maxLifetime;
    /** When set, the gateway refuses mapping requests with this reason (it still answers). */
    volatile PortMappingException.Reason refuse;
    /** When set, only these protocols refuse (a half-open router: PCP and NAT-PMP answer but refuse). */
    volatile Set<MappingProtocol> refuseOn;
    /** When set, only requests for this transport are refused. */
    volatile Transport refuseOnly;
    /** When set, renew() signals {@code renewEntered} and waits for this latch (a renewal "in flight"). */
    volatile java.util.concurrent.CountDownLatch renewGate;
    final java.util.concurrent.CountDownLatch renewEntered = new java.util.concurrent.CountDownLatch(1);
    /** Called after every change of the table (a child JVM writes it to a file). */
    volatile Runnable onChange = () -> { };
    /** Every mapping request that reached the gateway object, answered or not. */
    final java.util.concurrent.atomic.AtomicInteger attempts = new java.util.concurrent.atomic.AtomicInteger();
    /** Every delete request that reached the gateway object, answered or not. */
    final java.util.concurrent.atomic.AtomicInteger deleteAttempts = new java.util.concurrent.atomic.AtomicInteger();

    FakeGateway(String address, String external) {
        try {
            this.address = InetAddress.getByName(address);
            this.external = InetAddress.getByName(external);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    static FakeGateway loopback() {
        return new FakeGateway("127.0.0.1", "203.0.113.1");
    }

    synchronized void answer(MappingProtocol p, boolean yes) {
        if (yes) {
            answering.add(p);
        } else {
            answering.remove(p);
        }
    }

    synchronized boolean answers(MappingProtocol p) {
        return answering.contains(p);
    }

    synchronized List<PortMapping> table() {
        return new ArrayList<>(table.values());
    }

    synchronized void clear() {
        table.clear();
        dead.clear();
    }

    /**
     * The zombie of docs/quirks.md ("listed but not forwarding"): the entry stays listed and reads back as held,
     * but its forwarding rule is gone. A re-add only updates the lease and leaves it dead; a delete removes the
     * deadness with the entry, so only delete + add repairs it.
     */
    synchronized void stopForwarding(Transport t, int externalPort) {
        if (table.containsKey(t + "/" + externalPort)) {
            dead.add(t + "/" + externalPort);
        }
    }

    /** Whether traffic from outside to {@code externalPort} would arrive: an entry is listed and not a zombie. */
    synchronized boolean forwards(Transport t, int externalPort) {
        return table.containsKey(t + "/" + externalPort) && !dead.contains(t + "/" + externalPort);
    }

    /** A reboot: the table is gone; mappers that can notice (epoch, ANNOUNCE) tell their listeners. */
    void reboot(GatewayEvent.Kind signal) {
        clear();
        log.add("reboot");
        if (signal != null) {
            for (FakeMapper m : mappers) {
                if (!m.closed) {
                    m.fire(new GatewayEvent(signal, m.protocol, address, "fake reboot"));
                }
            }
        }
    }

    PortMapperProvider provider(MappingProtocol p) {
        return provider(p, Duration.ZERO);
    }

    /** A provider whose probe takes {@code delay} and then answers if the gateway answers {@code p}. */
    PortMapperProvider provider(MappingProtocol p, Duration delay) {
        return new PortMapperProvider() {
            @Override
            public MappingProtocol protocol() {
                return p;
            }

            @Override
            public PortMapper probe(ProbeContext context) throws PortMappingException {
                long until = System.nanoTime() + delay.toNanos();
                long left;
                while ((left = until - System.nanoTime()) > 0) {
                    try {
                        Thread.sleep(Math.max(1, left / 1_000_000));
                    } catch (InterruptedException e) {
                        throw new PortMappingException(PortMappingException.Reason.TIMEOUT, "probe cancelled");
                    }
                }
                if (!answers(p)) {
                    throw new PortMappingException(PortMappingException.Reason.TIMEOUT, "no answer", p, address,
                            null, null);
                }
                FakeMapper m = new FakeMapper(FakeGateway.this, p);
                m.local = context.localAddress();
                mappers.add(m);
                return m;
            }
        };
    }

    List<PortMapperProvider> providers() {
        return List.of(provider(MappingProtocol.PCP), provider(MappingProtocol.NAT_PMP),
                provider(MappingProtocol.UPNP));
    }

    synchronized PortMapping grant(FakeMapper by, MappingRequest req, int wantedPort) throws PortMappingException {
        attempts.incrementAndGet();
        if (!answering.contains(by.protocol)) {
            throw new PortMappingException(PortMappingException.Reason.TIMEOUT, "gateway does not answer",
                    by.protocol, address, null, null);
        }
        if (refuse != null && (refuseOnly == null || refuseOnly == req.transport())
                && (refuseOn == null || refuseOn.contains(by.protocol))) {
            throw new PortMappingException(refuse, "refused", by.protocol, address, 99, null);
        }
        int port = wantedPort == 0 ? 40000 : wantedPort;
        while (true) {
            PortMapping held = table.get(req.transport() + "/" + port);
            if (held == null || held.internalPort() == req.internalPort()) {
                break;
            }
            if (req.exactExternalPort()) {
                throw new PortMappingException(PortMappingException.Reason.CONFLICT, "port taken", by.protocol,
                        address, 718, null);
            }
            port++;
        }
        Duration lease = permanentOnly ? Duration.ZERO
                : maxLifetime != null && maxLifetime.compareTo(req.lifetime()) < 0 ? maxLifetime : req.lifetime();
        Instant now = clock.get();
        InetAddress client = req.internalAddress() != null ? req.internalAddress()
                : by.local != null ? by.local : address;
        PortMapping m = new PortMapping(req, client, external, port, lease,
                lease.isZero() ? Instant.MAX : now.plus(lease), by.protocol, address, ProtocolState.of("fake"));
        table.put(req.transport() + "/" + port, m);
        log.add(by.protocol + " map " + req.transport() + " " + port);
        onChange.run();
        return m;
    }

    synchronized void delete(FakeMapper by, PortMapping m) throws PortMappingException {
        deleteAttempts.incrementAndGet();
        if (!answering.contains(by.protocol)) {
            throw new PortMappingException(PortMappingException.Reason.TIMEOUT, "gateway does not answer",
                    by.protocol, address, null, null);
        }
        table.remove(m.transport() + "/" + m.externalPort());
        dead.remove(m.transport() + "/" + m.externalPort());
        log.add(by.protocol + " unmap " + m.transport() + " " + m.externalPort());
        onChange.run();
    }

    /** One protocol's view of the gateway. */
    static final class FakeMapper implements PortMapper {
        final FakeGateway gw;
        final MappingProtocol protocol;
        final List<GatewayListener> listeners = new CopyOnWriteArrayList<>();
        volatile boolean closed;
        /** The local address it was probed from (the client its mappings forward to), or null. */
        volatile InetAddress local;
        /** This mapper (not the gateway) stopped working: a stale socket, a cached control URL now refused. */
        volatile boolean broken;

        FakeMapper(FakeGateway gw, MappingProtocol protocol) {
            this.gw = gw;
            this.protocol = protocol;
        }

        void fire(GatewayEvent e) {
            listeners.forEach(l -> l.onEvent(e));
        }

        private void open() throws PortMappingException {
            if (closed) {
                throw new IllegalStateException("mapper used after close()");
            }
            if (broken) {
                throw new PortMappingException(PortMappingException.Reason.TIMEOUT, "broken mapper", protocol,
                        gw.address, null, null);
            }
        }

        @Override
        public MappingProtocol protocol() {
            return protocol;
        }

        @Override
        public InetAddress gateway() {
            return gw.address;
        }

        @Override
        public InetAddress externalAddress() throws PortMappingException {
            open();
            if (!gw.answers(protocol)) {
                throw new PortMappingException(PortMappingException.Reason.TIMEOUT, "no answer");
            }
            return gw.external;
        }

        @Override
        public PortMapping map(MappingRequest request) throws PortMappingException {
            open();
            gw.log.add(protocol + " map() call");
            return gw.grant(this, request, request.externalPort());
        }

        @Override
        public PortMapping renew(PortMapping mapping) throws PortMappingException {
            open();
            java.util.concurrent.CountDownLatch gate = gw.renewGate;
            if (gate != null) {
                gw.renewEntered.countDown();
                try {
                    gate.await();
                } catch (InterruptedException e) {
                    throw new PortMappingException(PortMappingException.Reason.TIMEOUT, "interrupted");
                }
            }
            gw.log.add(protocol + " renew() call, state " + mapping.protocolState().text());
            return gw.grant(this, mapping.request(), mapping.externalPort());
        }

        @Override
        public void unmap(PortMapping mapping) throws PortMappingException {
            open();
            gw.delete(this, mapping);
        }

        @Override
        public List<PortMapping> list() throws PortMappingException {
            open();
            return gw.table();
        }

        @Override
        public void addListener(GatewayListener listener) {
            listeners.add(listener);
        }

        @Override
        public void close() {
            closed = true;
        }
    }
}
