package io.connpool;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/** {@link Backoff#exponential}: factor 2 from min, capped at max, with jitter. */
final class ExponentialBackoff implements Backoff {

    private final long minNanos;
    private final long maxNanos;
    private final double jitter;

    ExponentialBackoff(Duration min, Duration max, double jitter) {
        if (min == null || min.isNegative() || min.isZero()) {
            throw new IllegalArgumentException("Backoff minimum must be positive, was " + min);
        }
        if (max == null || max.compareTo(min) < 0) {
            throw new IllegalArgumentException(
                    "Backoff maximum (" + max + ") must not be less than the minimum (" + min + ")");
        }
        this.minNanos = min.toNanos();
        this.maxNanos = max.toNanos();
        this.jitter = jitter;
    }

    @Override
    public Duration delay(int failures) {
        return Duration.ofNanos(delayNanos(failures, ThreadLocalRandom.current().nextDouble()));
    }

    /** The delay for a uniform random number {@code u} in [0, 1): deterministic for tests. */
    long delayNanos(int failures, double u) {
        int doublings = Math.min(Math.max(failures, 1) - 1, 62);
        long base = minNanos;
        for (int i = 0; i < doublings && base < maxNanos; i++) {
            base = base > maxNanos / 2 ? maxNanos : base * 2;
        }
        base = Math.min(base, maxNanos);
        double factor = 1 - jitter + 2 * jitter * u;
        long jittered = (long) (base * factor);
        return Math.max(1, Math.min(maxNanos, jittered));
    }

    @Override
    public String toString() {
        return "Backoff.exponential(" + Duration.ofNanos(minNanos) + ", " + Duration.ofNanos(maxNanos) + ")";
    }
}
