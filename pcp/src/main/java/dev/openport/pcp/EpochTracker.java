package dev.openport.pcp;

import dev.openport.core.spi.EpochRule;

/**
 * The client side of RFC 6887 §8.5: decides from each response's epoch time whether the server lost its state
 * (rebooted, or its external address changed) since the previous response. Thread-safe.
 */
final class EpochTracker implements EpochRule {
    private boolean seen;
    private long previousServerSeconds;
    private long previousClientMillis;

    /**
     * Records a response's epoch and checks it against the previous one.
     *
     * @param serverSeconds the epoch time field of the response (unsigned 32-bit)
     * @param clientMillis  our monotonic clock when it arrived, in milliseconds
     * @return {@code null} when the epoch is valid (or the first one seen), else why it is not
     */
    synchronized String update(long serverSeconds, long clientMillis) {
        String invalid = null;
        if (seen) {
            if (serverSeconds < previousServerSeconds - 1) {
                // time never goes backwards; up to one second is tolerated for reordering (§8.5)
                invalid = "epoch went from " + previousServerSeconds + " to " + serverSeconds;
            } else {
                long clientDelta = clientMillis - previousClientMillis;
                long serverDelta = (serverSeconds - previousServerSeconds) * 1000;
                // §8.5: client_delta+2 < server_delta - server_delta/16 or server_delta+2 < client_delta - client_delta/16
                if (clientDelta + 2000 < serverDelta - serverDelta / 16
                        || serverDelta + 2000 < clientDelta - clientDelta / 16) {
                    invalid = "epoch advanced " + serverDelta / 1000 + " s while " + clientDelta / 1000
                            + " s passed here (from " + previousServerSeconds + " to " + serverSeconds + ")";
                }
            }
        }
        seen = true;
        previousServerSeconds = serverSeconds;
        previousClientMillis = clientMillis;
        return invalid;
    }

    @Override
    public String check(long epochSeconds, long receivedAtNanos) {
        return update(epochSeconds, receivedAtNanos / 1_000_000);
    }

    /** The last epoch seen, or -1. */
    synchronized long lastEpoch() {
        return seen ? previousServerSeconds : -1;
    }
}
