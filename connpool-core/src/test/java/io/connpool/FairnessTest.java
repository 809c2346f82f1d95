package io.connpool;

import static org.assertj.core.api.Assertions.assertThat;

import io.connpool.test.MockTcpServer;
import io.connpool.testing.PoolFixture;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Oversubscription: many more callers than connections, each holding its borrow a moment. Returned
 * connections go to whoever asks first (barging keeps the pool fast), but a caller that has waited
 * {@link WaitQueue#STARVING_NANOS} gets the next one handed to it, so no caller starves.
 */
class FairnessTest {

    @RegisterExtension
    final PoolFixture fixture = new PoolFixture();

    @Test
    void noCallerStarvesWhenThirtyTwoShareFourConnections() throws Exception {
        MockTcpServer server = fixture.register(MockTcpServer.start());
        ConnPool pool = fixture.pool(ConnPool.builder().name(fixture.testName()).servers(server.address())
                .maxConnectionsPerServer(4).minIdlePerServer(4).acquireTimeout(Duration.ofSeconds(30)));
        int threads = 32;
        long[] served = new long[threads];
        long[] slowestNanos = new long[threads];
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(threads);
        for (int t = 0; t < threads; t++) {
            int me = t;
            fixture.threads(1).execute(() -> {
                try {
                    while (!stop.get()) {
                        long start = System.nanoTime();
                        try (PooledConnection c = pool.acquire()) {
                            slowestNanos[me] = Math.max(slowestNanos[me], System.nanoTime() - start);
                            long busyUntil = System.nanoTime() + 20_000; // holds it 20 µs, as a real call would
                            while (System.nanoTime() - busyUntil < 0) {
                                Thread.onSpinWait();
                            }
                        }
                        served[me]++;
                    }
                }
                catch (Throwable ex) {
                    failure.compareAndSet(null, ex);
                }
                finally {
                    done.countDown();
                }
            });
        }
        PoolFixture.letTimePass(Duration.ofSeconds(2)); // the finding is a rate: traffic for a while
        stop.set(true);
        assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();

        assertThat(failure.get()).isNull();
        double mean = Arrays.stream(served).average().orElseThrow();
        long fewest = Arrays.stream(served).min().orElseThrow();
        assertThat(fewest).as("borrows of the least served thread (mean %.0f): %s", mean, Arrays.toString(served))
                .isGreaterThan((long) (mean * 0.1));
        assertThat(Duration.ofNanos(Arrays.stream(slowestNanos).max().orElseThrow())).as("slowest acquire")
                .isLessThan(Duration.ofSeconds(2));
        PoolStats stats = pool.stats();
        assertThat(stats.pending()).isZero();
        assertThat(stats.idle()).as("every connection back: none lost in a hand-off").isEqualTo(4);
        assertThat(stats.acquired()).isEqualTo(stats.released()).isEqualTo(Arrays.stream(served).sum());
        assertThat(stats.created()).as("no connection closed and redialed").isEqualTo(4);
    }
}
