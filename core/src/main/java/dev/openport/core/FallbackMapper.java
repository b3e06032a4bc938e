package dev.openport.core;

import dev.openport.core.spi.GatewayListener;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The mapper {@link Gateways#connect} returns: the best protocol that answered, and, when that protocol refuses
 * a mapping with a lasting refusal ({@link ProtocolRefusals#isLasting}), the next one that answers — the
 * half-open router of docs/quirks.md, whose PCP or NAT-PMP answers the probe and refuses every MAP while UPnP
 * works. The refusal is remembered for the process, so the next connect skips that protocol at once. When every
 * protocol refuses, the error's {@link PortMappingException#attempts()} lists each one's answer.
 *
 * <p>{@link #protocol()} is the protocol the next {@link #map} goes to; renew, unmap, check and repair go to the
 * protocol that made the mapping (it stays open until {@link #close()}).
 */
final class FallbackMapper implements PortMapper {
    private static final Logger LOG = LoggerFactory.getLogger(FallbackMapper.class);

    private final ProtocolProber prober;
    private final Gateways.GatewayTarget target;
    private final DiscoveryOptions options;
    private final Map<MappingProtocol, PortMapper> open = new EnumMap<>(MappingProtocol.class); // guarded by this
    private final List<GatewayListener> listeners = new CopyOnWriteArrayList<>();
    private volatile PortMapper current;

    FallbackMapper(ProtocolProber prober, Gateways.GatewayTarget target, DiscoveryOptions options,
            PortMapper first) {
        this.prober = prober;
        this.target = target;
        this.options = options;
        this.current = first;
        open.put(first.protocol(), first);
    }

    /** Probes and wraps the best answer. */
    static FallbackMapper connect(ProtocolProber prober, Gateways.GatewayTarget target, DiscoveryOptions options)
            throws PortMappingException {
        return new FallbackMapper(prober, target, options, prober.connect(target, options));
    }

    @Override
    public MappingProtocol protocol() {
        return current.protocol();
    }

    @Override
    public InetAddress gateway() {
        return current.gateway();
    }

    @Override
    public InetAddress externalAddress() throws PortMappingException {
        return current.externalAddress();
    }

    @Override
    public PortMapping map(MappingRequest request) throws PortMappingException {
        List<PortMappingException> attempts = new ArrayList<>();
        PortMapper mapper = current;
        while (true) {
            if (request.isPermanent() && mapper.protocol() != MappingProtocol.UPNP) {
                // lifetime 0 deletes a mapping in NAT-PMP and PCP: never send it (not a refusal of the gateway)
                throw new PortMappingException(PortMappingException.Reason.UNSUPPORTED, mapper.protocol()
                        .displayName() + " has no permanent leases", mapper.protocol(), mapper.gateway(), null, null);
            }
            try {
                PortMapping m = mapper.map(request);
                prober.refusals().granted(options, mapper.gateway(), mapper.protocol());
                return m;
            } catch (PortMappingException e) {
                if (!ProtocolRefusals.isLasting(e)) {
                    throw attempts.isEmpty() ? e : withAttempts(e, attempts);
                }
                attempts.add(e);
                prober.refusals().refused(options, mapper.gateway(), mapper.protocol(), e);
                PortMapper next;
                try {
                    next = prober.connect(target, options);
                } catch (PortMappingException none) {
                    // nothing else answers: report every protocol's refusal
                    throw ProtocolProber.allRefused(mapper.gateway(), attempts);
                }
                LOG.info("gateway {}: {} refused the mapping ({}); trying {}", mapper.gateway().getHostAddress(),
                        mapper.protocol().displayName(), e.getMessage(), next.protocol().displayName());
                mapper = adopt(next);
            }
        }
    }

    /** A transient failure after earlier refusals: keep its reason, list every answer. */
    private static PortMappingException withAttempts(PortMappingException last, List<PortMappingException> before) {
        List<PortMappingException> all = new ArrayList<>(before);
        all.add(last);
        return new PortMappingException(last.reason(), last.getMessage() + " (after: "
                + before.stream().map(Throwable::getMessage).reduce((a, b) -> a + "; " + b).orElse("") + ")",
                last.protocol(), last.gateway(), last.failure().orElse(null), all, last);
    }

    /** Makes {@code next} current, closing it instead when the same protocol is already open. */
    private PortMapper adopt(PortMapper next) {
        PortMapper keep;
        synchronized (this) {
            keep = open.putIfAbsent(next.protocol(), next);
        }
        if (keep != null) {
            next.close();
            current = keep;
            return keep;
        }
        listeners.forEach(next::addListener);
        current = next;
        return next;
    }

    /** The mapper that made {@code m}: its protocol's, else the current one. */
    private PortMapper by(PortMapping m) {
        synchronized (this) {
            PortMapper p = open.get(m.protocol());
            return p != null ? p : current;
        }
    }

    @Override
    public PortMapping renew(PortMapping mapping) throws PortMappingException {
        return by(mapping).renew(mapping);
    }

    @Override
    public void unmap(PortMapping mapping) throws PortMappingException {
        by(mapping).unmap(mapping);
    }

    @Override
    public MappingCheck check(PortMapping mapping) throws PortMappingException {
        return by(mapping).check(mapping);
    }

    @Override
    public PortMapping repair(PortMapping mapping) throws PortMappingException {
        return by(mapping).repair(mapping);
    }

    @Override
    public List<PortMapping> list() throws PortMappingException {
        return current.list();
    }

    @Override
    public void addListener(GatewayListener listener) {
        listeners.add(listener);
        List<PortMapper> all;
        synchronized (this) {
            all = new ArrayList<>(open.values());
        }
        all.forEach(m -> m.addListener(listener));
    }

    @Override
    public void close() {
        List<PortMapper> all;
        synchronized (this) {
            all = new ArrayList<>(open.values());
            open.clear();
        }
        all.forEach(PortMapper::close);
    }

    @Override
    public String toString() {
        return current.toString();
    }
}
