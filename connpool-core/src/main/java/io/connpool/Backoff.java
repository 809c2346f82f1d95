package io.connpool;

import java.time.Duration;

/**
 * How long a {@link ServerState#DOWN} server waits before the next probe. The default is
 * {@link #exponential(Duration, Duration)} from the pool's {@code retryMin} and {@code retryMax}.
 */
@FunctionalInterface
public interface Backoff {

    /**
     * Returns the wait before the next dial.
     *
     * @param failures consecutive failed dials so far, at least 1
     * @return the wait, positive
     */
    Duration delay(int failures);

    /**
     * Exponential backoff: {@code min × 2^(failures−1)}, capped at {@code max}, with ±50 % jitter that
     * never goes above {@code max}. Spreads the probes of many clients of one server apart.
     *
     * @param min the first wait, positive
     * @param max the longest wait, not less than {@code min}
     * @return the backoff
     */
    static Backoff exponential(Duration min, Duration max) {
        return new ExponentialBackoff(min, max, 0.5);
    }
}
