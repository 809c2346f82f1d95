package io.connpool;

import io.github.resilience4j.ratelimiter.RateLimiter;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Takes a server's Resilience4j permits in small batches while its limiter is far from binding, so that a
 * borrow usually costs one uncontended CAS on a counter of its own thread's cell instead of the limiter's
 * shared CAS, clock read and state allocation (which made a limiter that never says no cost more than the
 * borrow itself). Resilience4j still decides every permit: each batch is its grant, a batch is only taken
 * while more than two batches are left in the period, near the limit every permit is asked for one by one,
 * and permits left in a cell when the period ends are dropped, never carried into the next one.
 *
 * <p>The period is counted from when the limiter was made (as Resilience4j's own limiter counts it); a borrow
 * that lands within microseconds of the turn of a period may use the old period's permit.
 */
final class PermitCache {

    /** Cells, one cache line apart: threads keep to their own (by thread id) and do not contend. */
    private static final int CELLS = 8;
    private static final int STRIDE = 8;
    private static final int COUNT_BITS = 20;
    private static final long COUNT_MASK = (1L << COUNT_BITS) - 1;
    /** {@code ceil(2^64 / period)}: the period's index by one high multiplication, not a division. */
    private static final long PERIODS_PER_NANO_SCALED = Long.divideUnsigned(-1L, ServerPool.RATE_PERIOD_NANOS) + 1;

    private final RateLimiter limiter;
    private final long startNanos;
    /** Per cell: the period index above {@link #COUNT_BITS}, the permits left below. */
    private final AtomicLongArray cells = new AtomicLongArray(CELLS * STRIDE);

    PermitCache(RateLimiter limiter, long startNanos) {
        this.limiter = limiter;
        this.startNanos = startNanos;
    }

    boolean tryPermit(long nowNanos) {
        long period = Math.multiplyHigh(nowNanos - startNanos, PERIODS_PER_NANO_SCALED);
        int cell = cellOfCurrentThread();
        // one atomic decrement: a cell of an old period, or an empty one, reads as not ours after it too (the
        // borrow from the period bits makes the period wrong), so whoever finds it so refills it
        long held = cells.getAndDecrement(cell);
        if (held >>> COUNT_BITS == period && (held & COUNT_MASK) != 0) {
            return true;
        }
        return refill(cell, period);
    }

    private boolean refill(int cell, long period) {
        int batch = Math.min(64, limiter.getRateLimiterConfig().getLimitForPeriod() / 64);
        if (batch >= 2 && limiter.getMetrics().getAvailablePermissions() > 2 * batch
                && limiter.acquirePermission(batch)) {
            cells.set(cell, period << COUNT_BITS | (batch - 1)); // one of the batch for this borrow
            return true;
        }
        return limiter.acquirePermission();
    }

    @SuppressWarnings("deprecation") // Thread.getId(): threadId() is JDK 19+, this is a Java 17 library
    private static int cellOfCurrentThread() {
        return (int) (Thread.currentThread().getId() & (CELLS - 1)) * STRIDE;
    }
}
