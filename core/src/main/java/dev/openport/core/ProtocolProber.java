package dev.openport.core;

import dev.openport.core.spi.PortMapperProvider;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Probes every protocol on one gateway at once, each on its own short-lived daemon thread, and picks the
 * best answer: the most preferred protocol (PCP > NAT-PMP > UPnP) that answers before the grace window after
 * the first answer closes. Losing probes are interrupted and their mappers closed.
 */
final class ProtocolProber {
    private static final Logger LOG = LoggerFactory.getLogger(ProtocolProber.class);

    private final List<PortMapperProvider> providers;
    private final ProtocolRefusals refusals;

    ProtocolProber(List<PortMapperProvider> providers) {
        this(providers, ProtocolRefusals.shared());
    }

    ProtocolProber(List<PortMapperProvider> providers, ProtocolRefusals refusals) {
        this.providers = providers;
        this.refusals = refusals;
    }

    ProtocolRefusals refusals() {
        return refusals;
    }

    /** The outcome of one probe. */
    private record Outcome(MappingProtocol protocol, PortMapper mapper, PortMappingException failure,
            Duration took) {
    }

    /**
     * The best protocol that answers, leaving out those that refused this gateway a mapping lately (see
     * {@link ProtocolRefusals}).
     *
     * @throws PortMappingException the last refusal, listing every protocol's in {@code attempts()}, when every
     *                              allowed protocol refused lately; {@code GATEWAY_NOT_FOUND} when none answered
     */
    PortMapper connect(Gateways.GatewayTarget target, DiscoveryOptions options) throws PortMappingException {
        java.util.Set<MappingProtocol> skip = refusals.refusing(options, target.gateway());
        Run run = start(target, options, skip);
        if (run.started == 0 && !run.skipped.isEmpty()) {
            throw allRefused(target.gateway(), refusals.answers(options, target.gateway()));
        }
        try {
            long deadline = System.nanoTime() + options.timeout().toNanos() + TimeUnit.MILLISECONDS.toNanos(250);
            Outcome best = null;
            long graceEnd = Long.MAX_VALUE;
            int pending = run.started;
            // the protocols still out: once the best answer beats all of them, waiting is pointless
            java.util.EnumSet<MappingProtocol> out = run.protocols.isEmpty()
                    ? java.util.EnumSet.noneOf(MappingProtocol.class) : java.util.EnumSet.copyOf(run.protocols);
            while (pending > 0) {
                long now = System.nanoTime();
                long wait = Math.min(deadline, graceEnd) - now;
                if (wait <= 0) {
                    break;
                }
                Outcome o = run.results.poll(wait, TimeUnit.NANOSECONDS);
                if (o == null) {
                    break;
                }
                pending--;
                out.remove(o.protocol());
                run.outcomes.add(o);
                if (o.mapper() == null) {
                    if (best != null && beatsAll(best.protocol(), out)) {
                        break;
                    }
                    continue;
                }
                if (best == null || o.protocol().compareTo(best.protocol()) < 0) {
                    if (best != null) {
                        best.mapper().close();
                    }
                    best = o;
                    if (graceEnd == Long.MAX_VALUE) {
                        graceEnd = System.nanoTime() + options.graceWindow().toNanos();
                    }
                } else {
                    o.mapper().close();
                }
                if (best.protocol() == mostPreferred(run) || beatsAll(best.protocol(), out)) {
                    break;
                }
            }
            if (best != null) {
                LOG.debug("gateway {}: using {} (answered in {} ms)", target.gateway().getHostAddress(),
                        best.protocol().displayName(), best.took().toMillis());
                return best.mapper();
            }
            throw noGateway(target.gateway(), run);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PortMappingException(PortMappingException.Reason.TIMEOUT, "interrupted while probing");
        } finally {
            run.stop();
        }
    }

    Gateway discover(Gateways.GatewayTarget target, DiscoveryOptions options) throws PortMappingException {
        Run run = start(target, options, java.util.Set.of());
        Map<MappingProtocol, Duration> answered = new EnumMap<>(MappingProtocol.class);
        InetAddress external = null;
        try {
            long deadline = System.nanoTime() + options.timeout().toNanos() + TimeUnit.MILLISECONDS.toNanos(250);
            for (int i = 0; i < run.started; i++) {
                long wait = deadline - System.nanoTime();
                Outcome o = wait <= 0 ? null : run.results.poll(wait, TimeUnit.NANOSECONDS);
                if (o == null) {
                    break;
                }
                run.outcomes.add(o);
                if (o.mapper() != null) {
                    answered.put(o.protocol(), o.took());
                    if (external == null) {
                        try {
                            external = o.mapper().externalAddress();
                        } catch (PortMappingException e) {
                            LOG.debug("{}: no external address: {}", o.protocol().displayName(), e.getMessage());
                        }
                    }
                    o.mapper().close();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            run.stop();
        }
        return new Gateway(target.gateway(), answered, external);
    }

    /** Whether {@code best} is preferred to every protocol in {@code pending} (PCP > NAT-PMP > UPnP). */
    private static boolean beatsAll(MappingProtocol best, java.util.Set<MappingProtocol> pending) {
        for (MappingProtocol p : pending) {
            if (p.compareTo(best) < 0) {
                return false;
            }
        }
        return true;
    }

    private static MappingProtocol mostPreferred(Run run) {
        return run.protocols.isEmpty() ? MappingProtocol.PCP : run.protocols.get(0);
    }

    private PortMappingException noGateway(InetAddress gateway, Run run) {
        StringBuilder tried = new StringBuilder();
        for (MappingProtocol p : run.protocols) {
            tried.append(tried.length() == 0 ? "" : ", ").append(p.displayName());
        }
        StringBuilder why = new StringBuilder();
        List<PortMappingException> attempts = new ArrayList<>();
        for (Outcome o : run.outcomes) {
            if (o.failure() != null) {
                why.append("; ").append(o.protocol().displayName()).append(": ").append(o.failure().getMessage());
                attempts.add(o.failure());
            }
        }
        if (providers.isEmpty()) {
            // a class-path problem, not the router's: say which artifact brings the protocols
            return new PortMappingException(PortMappingException.Reason.GATEWAY_NOT_FOUND,
                    "no protocol module is installed: add dev.openport:openport (or openport-upnp, openport-natpmp,"
                            + " openport-pcp) to the class path or module path", null, gateway,
                    new PortMappingException.NoProtocolModule("dev.openport:openport"), List.of(), null);
        }
        String what = run.protocols.isEmpty() ? "none of the requested protocols is installed"
                : "no gateway answered on " + gateway.getHostAddress() + " (tried " + tried + ")";
        for (MappingProtocol p : run.skipped) {
            why.append("; ").append(p.displayName()).append(": refused a mapping lately, not asked");
        }
        return new PortMappingException(PortMappingException.Reason.GATEWAY_NOT_FOUND,
                what + " — is UPnP/NAT-PMP enabled on your router?" + why, null, gateway, null, attempts, null);
    }

    /** Every protocol on {@code gateway} refused: the error lists each one's answer. */
    static PortMappingException allRefused(InetAddress gateway, List<PortMappingException> answers) {
        StringBuilder why = new StringBuilder();
        for (PortMappingException a : answers) {
            why.append(why.length() == 0 ? "" : "; ").append(a.protocol() == null ? "?" : a.protocol().displayName())
                    .append(": ").append(a.getMessage());
        }
        PortMappingException.Reason reason = answers.isEmpty() ? PortMappingException.Reason.NOT_AUTHORIZED
                : answers.get(answers.size() - 1).reason();
        return new PortMappingException(reason, "every protocol the gateway " + gateway.getHostAddress()
                + " answers refused the mapping — " + why, null, gateway, null, answers,
                answers.isEmpty() ? null : answers.get(answers.size() - 1));
    }

    private Run start(Gateways.GatewayTarget target, DiscoveryOptions options, java.util.Set<MappingProtocol> skip) {
        Run run = new Run();
        for (PortMapperProvider provider : providers) {
            if (!options.protocols().contains(provider.protocol())) {
                continue;
            }
            if (skip.contains(provider.protocol())) {
                run.skipped.add(provider.protocol());
                continue;
            }
            run.protocols.add(provider.protocol());
            Thread t = new Thread(() -> run.results.add(probe(provider, target, options)),
                    "openport-probe-" + provider.protocol().name().toLowerCase(java.util.Locale.ROOT));
            t.setDaemon(true);
            run.threads.add(t);
            run.started++;
        }
        run.threads.forEach(Thread::start);
        return run;
    }

    private static Outcome probe(PortMapperProvider provider, Gateways.GatewayTarget target,
            DiscoveryOptions options) {
        long start = System.nanoTime();
        try {
            PortMapper mapper = provider.probe(Gateways.context(target, options, provider));
            return new Outcome(provider.protocol(), mapper, null, Duration.ofNanos(System.nanoTime() - start));
        } catch (PortMappingException e) {
            LOG.debug("{} probe of {} failed: {}", provider.protocol().displayName(),
                    target.gateway().getHostAddress(), e.getMessage());
            return new Outcome(provider.protocol(), null, e, Duration.ofNanos(System.nanoTime() - start));
        } catch (RuntimeException e) {
            LOG.warn("{} probe threw unexpectedly", provider.protocol().displayName(), e);
            return new Outcome(provider.protocol(), null, new PortMappingException(
                    PortMappingException.Reason.PROTOCOL_ERROR, e.toString(), e),
                    Duration.ofNanos(System.nanoTime() - start));
        }
    }

    /** The probes of one call. */
    private static final class Run {
        final List<MappingProtocol> protocols = new ArrayList<>();
        final List<MappingProtocol> skipped = new ArrayList<>();
        final List<Thread> threads = new ArrayList<>();
        final LinkedBlockingQueue<Outcome> results = new LinkedBlockingQueue<>();
        final List<Outcome> outcomes = new ArrayList<>();
        int started;

        /** Interrupts the probes still running; a late winner's mapper is closed by a reaper. */
        void stop() {
            for (Thread t : threads) {
                t.interrupt();
            }
            // probes that finish after we stopped listening must not leak sockets
            Thread reaper = new Thread(() -> {
                for (Thread t : threads) {
                    try {
                        t.join(5_000);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                Outcome o;
                while ((o = results.poll()) != null) {
                    if (o.mapper() != null) {
                        o.mapper().close();
                    }
                }
            }, "openport-probe-reaper");
            reaper.setDaemon(true);
            reaper.start();
        }
    }
}
