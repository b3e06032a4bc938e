package dev.openport.core;

/**
 * Told about a managed mapping's background life: a changed external address or port, a loss, a recovery.
 *
 * <pre>{@code
 * ManagedMapping m = OpenPort.map(Transport.TCP, 25565);
 * m.addListener(c -> log.info("{} {}: now {}", c.kind(), c.transport(), c.current().external()));
 * }</pre>
 *
 * Runs on the lease thread (or the executor given with {@link MapOptions.Builder#listenerExecutor}); must
 * return quickly. Exceptions it throws are logged and ignored.
 */
@FunctionalInterface
public interface MappingListener {
    /**
     * Called once per change, in the order they happened for each transport.
     *
     * @param change what happened, with the mapping before and after
     */
    void onChange(MappingChange change);
}
