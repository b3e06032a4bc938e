package dev.openport.core;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A port kept open in the background: renewed before its lease ends, re-created after a router reboot, moved to
 * another protocol when the one in use stops answering, and deleted on {@link #close()} (or at JVM exit). One
 * handle may hold several transports of the same port (a game's TCP and UDP).
 *
 * <pre>{@code
 * try (ManagedMapping m = OpenPort.map(EnumSet.of(Transport.TCP, Transport.UDP), 25565)) {
 *     System.out.println("players connect to " + m.external() + " via " + m.protocol().displayName());
 *     m.addListener(c -> System.out.println("now at " + c.current().external()));
 *     server.run();
 * }   // both mappings deleted here
 * }</pre>
 *
 * Thread-safe. All mappings share one daemon thread, {@code openport-lease}, which stops when the last one
 * is closed.
 */
public final class ManagedMapping implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ManagedMapping.class);

    private final Lease[] leases;
    private final Executor listenerExecutor;
    private volatile List<MappingListener> listeners; // null until the first one: most mappings have none
    // dual stack (OpenPort.map on both families): set once, before the handle is returned
    private volatile ManagedMapping ipv6Part;
    private volatile java.util.Map<AddressFamily, PortMappingException> failures = java.util.Map.of();

    ManagedMapping(int transports, MappingListener listener, Executor listenerExecutor) {
        this.leases = new Lease[transports];
        this.listenerExecutor = listenerExecutor;
        if (listener != null) {
            addListener(listener);
        }
    }

    void setLease(int i, Lease lease) {
        leases[i] = lease;
    }

    Lease[] leases() {
        return leases;
    }

    /**
     * Where the outside reaches the first transport's mapping: what to tell players or peers.
     *
     * @return the external address and port now (they change on WAN renumbering or a failover)
     */
    public Endpoint external() {
        return mapping().external();
    }

    /**
     * Where the outside reaches {@code transport}'s mapping.
     *
     * @param transport one of the transports this handle maps
     * @return the external address and port now
     * @throws IllegalArgumentException when this handle does not map {@code transport}
     */
    public Endpoint external(Transport transport) {
        return mapping(transport).external();
    }

    /**
     * The first transport's current mapping (it changes after a reboot or failover).
     *
     * @return the mapping as last granted or read back
     */
    public PortMapping mapping() {
        return leases[0].current();
    }

    /**
     * {@code transport}'s current mapping.
     *
     * @param transport one of the transports this handle maps
     * @return the mapping as last granted or read back
     * @throws IllegalArgumentException when this handle does not map {@code transport}
     */
    public PortMapping mapping(Transport transport) {
        for (Lease l : leases) {
            if (l.request.transport() == transport) {
                return l.current();
            }
        }
        throw new IllegalArgumentException("this mapping has no " + transport + " part");
    }

    /**
     * Every transport's current mapping, in the order asked; then the IPv6 pinholes opened beside them.
     *
     * @return a new list, one entry per mapping this handle keeps
     */
    public List<PortMapping> mappings() {
        List<PortMapping> out = new ArrayList<>(leases.length);
        for (Lease l : leases) {
            out.add(l.current());
        }
        ManagedMapping six = ipv6Part;
        if (six != null) {
            out.addAll(six.mappings());
        }
        return out;
    }

    /**
     * The IPv6 pinholes {@link OpenPort#map} opened for the same port beside these IPv4 mappings (dual stack), if
     * any. Closing this handle closes them too.
     *
     * @return the IPv6 half, or empty when only IPv4 was opened
     */
    public java.util.Optional<ManagedMapping> ipv6() {
        return java.util.Optional.ofNullable(ipv6Part);
    }

    /**
     * The address family that could not be opened while the other one was (dual stack), with the reason: e.g.
     * {@code IPV6 -> NOT_AUTHORIZED} when the router refuses pinholes. Empty when every family asked for worked.
     *
     * @return an unmodifiable map from the family that failed to why
     */
    public java.util.Map<AddressFamily, PortMappingException> failures() {
        return failures;
    }

    void attachIpv6(ManagedMapping six) {
        this.ipv6Part = six;
    }

    void failed(AddressFamily family, PortMappingException why) {
        this.failures = java.util.Map.of(family, why);
    }

    /**
     * The protocol the first transport's mapping currently uses (it changes when openport fails over).
     *
     * @return the protocol
     */
    public MappingProtocol protocol() {
        return mapping().protocol();
    }

    /**
     * The state, the most troubled of all transports' (e.g. {@link LeaseState#RETRYING} when one of TCP/UDP is
     * retrying).
     *
     * @return the state; a read-back in flight counts as {@link LeaseState#ACTIVE}
     */
    public LeaseState state() {
        LeaseState worst = LeaseState.ACTIVE;
        for (Lease l : leases) {
            LeaseState s = l.state().publicState();
            if (rank(s) > rank(worst)) {
                worst = s;
            }
        }
        return worst;
    }

    private static int rank(LeaseState s) {
        return switch (s) {
            case ACTIVE -> 0;
            case RENEWING -> 1;
            case MAPPING -> 2;
            case WAITING_FOR_WAN -> 3;
            case RETRYING -> 4;
            case FAILING_OVER -> 5;
            case CLOSED -> 6;
        };
    }

    /**
     * Tells openport that the outside could not reach this mapping, although the gateway may still list it as
     * held: each mapping of this handle (every transport, and the IPv6 pinholes beside them) is deleted and added
     * again at once, on openport's lease thread; this method returns immediately. Some routers keep listing an
     * entry whose forwarding rule is gone; reading the entry back shows nothing wrong and a plain renewal leaves
     * it dead, only a delete + add repairs it (docs/quirks.md, "listed but not forwarding"). Listeners see
     * {@link MappingChange.Kind#LOST}, then {@link MappingChange.Kind#RESTORED} once the new entry is granted (and
     * {@link MappingChange.Kind#CHANGED} if the gateway grants another port); if the repair fails, the mapping
     * retries with backoff as after any failure, and the retry repairs again. Ignored after {@link #close()}.
     *
     * <p>Call it when something outside openport proved the port unreachable, e.g. a reachability probe from a
     * server on the internet, or players reporting that they cannot connect:
     *
     * <pre>{@code
     * ManagedMapping m = OpenPort.map(Transport.TCP, 25565);
     * if (!probeFromOutside(m.external())) {   // your own check, e.g. an echo service that connects back
     *     m.reportUnreachable();
     * }
     * }</pre>
     */
    public void reportUnreachable() {
        for (Lease l : leases) {
            if (l != null) {
                l.reportUnreachable();
            }
        }
        ManagedMapping six = ipv6Part;
        if (six != null) {
            six.reportUnreachable();
        }
    }

    /**
     * Whether {@link #close()} was called.
     *
     * @return {@code true} once closed
     */
    public boolean isClosed() {
        return leases[0].state() == LeasePhase.CLOSED;
    }

    /**
     * Tells {@code listener} about changes from now on (to see changes during {@code map} too, pass it in
     * {@link MapOptions.Builder#listener}).
     *
     * @param listener called for every change, on the lease thread or the options' listener executor
     */
    public synchronized void addListener(MappingListener listener) {
        java.util.Objects.requireNonNull(listener, "listener");
        if (listeners == null) {
            listeners = new CopyOnWriteArrayList<>();
        }
        listeners.add(listener);
    }

    /**
     * Stops telling {@code listener}.
     *
     * @param listener a listener added before; others are ignored
     */
    public synchronized void removeListener(MappingListener listener) {
        if (listeners != null) {
            listeners.remove(listener);
        }
    }

    void notify(MappingChange change) {
        List<MappingListener> ls = listeners;
        if (ls == null || ls.isEmpty()) {
            return;
        }
        Runnable call = () -> {
            for (MappingListener l : ls) {
                try {
                    l.onChange(change);
                } catch (RuntimeException e) {
                    LOG.warn("mapping listener threw", e);
                }
            }
        };
        if (listenerExecutor == null) {
            call.run();
        } else {
            try {
                listenerExecutor.execute(call);
            } catch (RuntimeException e) {
                LOG.warn("listener executor refused a notification", e);
            }
        }
    }

    /**
     * Deletes the mappings and stops managing them. Each deletion is bounded by the discovery timeout (3 s by
     * default); a failure is logged, not thrown (the lease then simply runs out). Idempotent.
     */
    @Override
    public void close() {
        for (Lease l : leases) {
            if (l != null) {
                l.close();
            }
        }
        ManagedMapping six = ipv6Part;
        if (six != null) {
            six.close();
        }
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("ManagedMapping[");
        for (Lease l : leases) {
            PortMapping m = l.current();
            sb.append(m == null ? "-" : m.transport().lowerName() + " " + m.internalPort() + " -> " + m.external()
                    + " via " + m.protocol().displayName()).append(", ");
        }
        ManagedMapping six = ipv6Part;
        return sb.append(state()).append(six == null ? "" : ", ipv6=" + six).append(']').toString();
    }
}
