package io.connpool;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Batches of Resilience4j permits kept by connections: never more granted than the limiter allows per period,
 * and under demand above the limit almost all of it granted (what a batch left in a connection at the turn of a
 * period loses). Each thread here stands for a borrower holding one connection.
 */
class PermitCacheTest {

    private static RateLimiter limiter(int perSecond) {
        return RateLimiter.of("test", RateLimiterConfig.custom().limitForPeriod(perSecond)
                .limitRefreshPeriod(Duration.ofNanos(ServerPool.RATE_PERIOD_NANOS)).timeoutDuration(Duration.ZERO)
                .build());
    }

    /** Eight threads asking as fast as they can for about 2.5 s; returns the permits granted. */
    private static long hammer(PermitCache cache, long[] elapsedNanos) throws Exception {
        AtomicLong granted = new AtomicLong();
        long start = System.nanoTime();
        long end = start + TimeUnit.MILLISECONDS.toNanos(2_500);
        CountDownLatch done = new CountDownLatch(8);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            Thread thread = new Thread(() -> {
                PermitCache.Held held = new PermitCache.Held();
                long mine = 0;
                long now;
                while ((now = System.nanoTime()) - end < 0) {
                    if (cache.tryPermit(held, now)) {
                        mine++;
                    }
                }
                granted.addAndGet(mine);
                done.countDown();
            });
            threads.add(thread);
            thread.start();
        }
        assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
        elapsedNanos[0] = System.nanoTime() - start;
        return granted.get();
    }

    @Test
    void neverGrantsMoreThanTheLimiterAllowsAndNearlyAllOfItUnderDemand() throws Exception {
        int limit = 20_000;
        long created = System.nanoTime();
        PermitCache cache = new PermitCache(limiter(limit), created, 8);
        long[] elapsed = new long[1];

        long granted = hammer(cache, elapsed);

        // the run touches at most ceil(elapsed) + 1 periods of the limiter
        long periods = elapsed[0] / ServerPool.RATE_PERIOD_NANOS + 2;
        assertThat(granted).as("granted in %d ms", elapsed[0] / 1_000_000).isLessThanOrEqualTo(periods * limit);
        // and at least the full periods it spans, less what the connections' batches may hold: an eighth
        long fullPeriods = elapsed[0] / ServerPool.RATE_PERIOD_NANOS - 1;
        assertThat(granted).isGreaterThanOrEqualTo(fullPeriods * (limit - limit / 8));
    }

    @Test
    void aSmallLimitIsAskedOfTheLimiterPermitByPermit() throws Exception {
        int limit = 100; // a batch would be under 2: every permit goes to Resilience4j itself
        RateLimiter limiter = limiter(limit);
        PermitCache cache = new PermitCache(limiter, System.nanoTime(), 1);
        PermitCache.Held held = new PermitCache.Held();
        int granted = 0;
        for (int i = 0; i < 1_000; i++) {
            if (cache.tryPermit(held, System.nanoTime())) {
                granted++;
            }
        }
        assertThat(granted).isBetween(limit, 2 * limit); // within one period, maybe two
        assertThat(limiter.getMetrics().getAvailablePermissions()).isLessThanOrEqualTo(limit);
    }

    @Test
    void allTheConnectionsTogetherHoldAnEighthOfTheLimitAtMost() {
        int limit = 8_000;
        int connections = 50; // a batch of 8,000 / (8 * 50) = 20
        RateLimiter limiter = limiter(limit);
        PermitCache cache = new PermitCache(limiter, System.nanoTime(), connections);
        List<PermitCache.Held> held = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            held.add(new PermitCache.Held());
            assertThat(cache.tryPermit(held.get(i), System.nanoTime())).isTrue();
        }
        // a period that turned meanwhile only gives back more
        assertThat(limit - limiter.getMetrics().getAvailablePermissions()).isLessThanOrEqualTo(limit / 8);

        int before = limiter.getMetrics().getAvailablePermissions();
        for (int i = 0; i < 19; i++) {
            assertThat(cache.tryPermit(held.get(0), System.nanoTime())).isTrue();
        }
        assertThat(limiter.getMetrics().getAvailablePermissions()).as("the rest of its batch, not asked again")
                .isGreaterThanOrEqualTo(before);
    }

    @Test
    void permitsLeftInAConnectionAreDroppedWhenThePeriodEnds() {
        RateLimiter limiter = limiter(1_000_000);
        long created = System.nanoTime();
        PermitCache cache = new PermitCache(limiter, created, 8);
        PermitCache.Held held = new PermitCache.Held();
        assertThat(cache.tryPermit(held, created)).isTrue(); // takes a batch for period 0
        int afterBatch = limiter.getMetrics().getAvailablePermissions();

        // the same connection a period later (by the time it passes in) asks the limiter again
        assertThat(cache.tryPermit(held, created + ServerPool.RATE_PERIOD_NANOS)).isTrue();
        assertThat(limiter.getMetrics().getAvailablePermissions()).as("a new batch, not the old one's rest")
                .isLessThan(afterBatch);
    }
}
