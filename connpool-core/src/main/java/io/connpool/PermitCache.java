package io.connpool;

import io.github.resilience4j.ratelimiter.RateLimiter;

/**
 * Takes a server's Resilience4j permits in batches while its limiter is far from binding, and keeps each batch
 * in the connection that took it: a borrow then usually costs a compare and a decrement of fields its borrower
 * owns, instead of the limiter's shared CAS, clock read and state allocation (which made a limiter that never
 * says no cost more than the borrow itself). Resilience4j still decides every permit: each batch is its grant,
 * a batch is only taken while more than two batches are left in the period, batches are small enough that all
 * the server's connections together hold at most an eighth of the limit, near the limit every permit is asked
 * for one by one, and permits left in a connection when the period ends are dropped, never carried into the
 * next one.
 *
 * <p>The period is counted from when the limiter was made (as Resilience4j's own limiter counts it); a borrow
 * that lands within microseconds of the turn of a period may use the old period's permit.
 */
final class PermitCache {

    /** {@code ceil(2^64 / period)}: the period's index by one high multiplication, not a division. */
    private static final long PERIODS_PER_NANO_SCALED = Long.divideUnsigned(-1L, ServerPool.RATE_PERIOD_NANOS) + 1;
    /**
     * Large, because every call into the limiter matters more than the batch's size: a CAS that loses in
     * Resilience4j's limiter parks its thread ({@code AtomicRateLimiter} backs off with {@code parkNanos}), which
     * on a busy machine is a context switch. With batches of 64 and eight threads that cost a quarter of the
     * borrow; the share of the limit the batches may hold bounds them first anyway.
     */
    private static final int MAX_BATCH = 1024;

    /**
     * The permits one connection holds: owned by whoever owns the connection (its borrower, between the claim
     * and the release that hand it on with a CAS), so plain fields. {@link PoolEntry} extends it rather than
     * pointing to one, so that a borrow does not follow a pointer to a line another core may be writing.
     */
    static class Held {
        private long period;
        private int left;
    }

    private final RateLimiter limiter;
    private final long startNanos;
    /** How many {@link Held} there can be at once: the server's connections. */
    private final int holders;

    PermitCache(RateLimiter limiter, long startNanos, int holders) {
        this.limiter = limiter;
        this.startNanos = startNanos;
        this.holders = holders;
    }

    /** A permit for a borrow of a connection whose permits are {@code held}. */
    boolean tryPermit(Held held, long nowNanos) {
        long period = Math.multiplyHigh(nowNanos - startNanos, PERIODS_PER_NANO_SCALED);
        if (held.left > 0 && held.period == period) {
            held.left--;
            return true;
        }
        // read each time: the limit may be changed at run time
        int batch = Math.min(MAX_BATCH, limiter.getRateLimiterConfig().getLimitForPeriod() / (8 * holders));
        if (batch >= 2 && limiter.getMetrics().getAvailablePermissions() > 2 * batch
                && limiter.acquirePermission(batch)) {
            held.period = period;
            held.left = batch - 1; // one of the batch for this borrow
            return true;
        }
        return tryPermit();
    }

    /** A permit straight from the limiter: for a dial, which has no connection yet and costs far more anyway. */
    boolean tryPermit() {
        return limiter.acquirePermission();
    }
}
