package dev.openport.core.spi;

/**
 * How a protocol decides from the epoch in a gateway's messages that the gateway lost its state (rebooted, or
 * its external address changed) and every mapping must be re-created. The two rules differ and stay separate:
 * NAT-PMP's (RFC 6886 §3.6: the new epoch must be at least the old one plus 7/8 of the local time elapsed, less
 * 2 s) and PCP's (RFC 6887 §8.5: never backwards by more than 1 s, and both clocks advancing alike within 1/16
 * plus 2 s). Implementations are thread-safe; every accepted message, answer or announcement, goes through
 * {@link #check}.
 *
 * <pre>{@code
 * String lost = epochs.check(answer.epochSeconds(), answer.receivedAtNanos());
 * if (lost != null) {
 *     dispatcher.fire(new GatewayEvent(GatewayEvent.Kind.STATE_LOST, protocol, gateway, lost));
 * }
 * }</pre>
 */
public interface EpochRule {
    /**
     * Records the epoch of a message and checks it against the previous one; the message always becomes the new
     * reference.
     *
     * @param epochSeconds    the message's epoch field (unsigned 32-bit seconds)
     * @param receivedAtNanos when it arrived, {@link System#nanoTime()}
     * @return {@code null} when the epoch is consistent (or the first one seen), else why state was lost
     */
    String check(long epochSeconds, long receivedAtNanos);
}
