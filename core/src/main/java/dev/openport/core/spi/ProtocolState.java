package dev.openport.core.spi;

import java.util.Objects;

/**
 * What a protocol module must remember about a mapping it made, to renew or delete it later — possibly from another
 * process (the PCP nonce, the UPnP control URL or pinhole id, the internal port a NAT-PMP "any port" request sent).
 * Only the module that wrote it reads it; everyone else keeps it as it is.
 *
 * <p>It lives in the SPI, not beside {@link dev.openport.core.PortMapping}, so that an application never fabricates
 * a protocol's internals: it gets mappings from a {@link dev.openport.core.PortMapper}. A tool that persists mappings
 * across processes (the openport CLI's state file) saves {@link #text()} and restores it with
 * {@link #of(String)}.
 *
 * <pre>{@code
 * // in a protocol module
 * return new PortMapping(request, internal, external, port, lease, expiry, MappingProtocol.PCP, gateway,
 *         ProtocolState.of(nonce.toHex()));
 * // later, renewing it
 * Octets nonce = Octets.fromHex(mapping.protocolState().text());
 * }</pre>
 *
 * @param text the module's own encoding; empty when it needs nothing
 */
public record ProtocolState(String text) {
    /**
     * The longest state accepted: far above what any module writes (a UPnP control URL is the longest), and a
     * bound on what a state file read back from disk can make us hold.
     */
    public static final int MAX_LENGTH = 2048;

    /** No state: the mapping's addresses, ports and transport say everything. */
    public static final ProtocolState NONE = new ProtocolState("");

    /**
     * Checks the state.
     *
     * @param text the module's own encoding, not {@code null}, at most {@link #MAX_LENGTH} characters
     * @throws NullPointerException     when {@code text} is {@code null}
     * @throws IllegalArgumentException when {@code text} is longer than {@link #MAX_LENGTH}
     */
    public ProtocolState {
        Objects.requireNonNull(text, "text");
        if (text.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("protocol state longer than " + MAX_LENGTH + " characters");
        }
    }

    /**
     * The state for {@code text}.
     *
     * @param text the module's own encoding; {@code null} or empty = {@link #NONE}
     * @return the state
     * @throws IllegalArgumentException when {@code text} is longer than {@link #MAX_LENGTH}
     */
    public static ProtocolState of(String text) {
        return text == null || text.isEmpty() ? NONE : new ProtocolState(text);
    }

    /**
     * Whether the module stored nothing.
     *
     * @return {@code true} for an empty state
     */
    public boolean isEmpty() {
        return text.isEmpty();
    }
}
