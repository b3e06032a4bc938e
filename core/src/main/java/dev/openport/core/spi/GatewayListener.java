package dev.openport.core.spi;

/**
 * Told when a gateway signals that mappings may be gone or the external address changed.
 *
 * <pre>{@code
 * mapper.addListener(event -> log.info("gateway {}: {}", event.gateway(), event.kind()));
 * }</pre>
 */
@FunctionalInterface
public interface GatewayListener {
    /**
     * Called on an openport thread; must return quickly and must not throw.
     *
     * @param event what the gateway signalled
     */
    void onEvent(GatewayEvent event);
}
