package io.connpool;

import static io.connpool.testing.PoolFixture.addressOf;
import static org.assertj.core.api.Assertions.assertThat;

import io.connpool.test.MockTcpServer;
import io.connpool.testing.PoolFixture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Waiters must never be stranded. Under continuous traffic a lost wake-up heals itself at the next
 * release; a burst of callers that each borrow once does not, so a waiter that misses its wake-up
 * would sit parked until its acquire timeout while connections stay idle.
 */
class WaitQueueTest {

    private static final int ROUNDS = 300;

    @RegisterExtension
    final PoolFixture fixture = new PoolFixture();

    private final MockTcpServer server = fixture.server("w");
    /** Runs in a waiter's thread after its last look, just before it parks: the pool's test seam. */
    private final AtomicReference<Runnable> beforePark = new AtomicReference<>();
    private ConnPool pool;

    @Test
    void aReleaseBetweenAWaitersLastLookAndItsParkStillWakesIt() throws Exception {
        ConnPool.Builder builder = ConnPool.builder().servers(server.address()).maxConnectionsPerServer(1)
                .minIdlePerServer(0).acquireTimeout(Duration.ofSeconds(30));
        builder.options.beforePark = () -> {
            Runnable hook = beforePark.get();
            if (hook != null) {
                hook.run();
            }
        };
        pool = fixture.pool(builder);
        PooledConnection held = pool.acquire();
        CountDownLatch looked = new CountDownLatch(1);
        CountDownLatch released = new CountDownLatch(1);
        beforePark.set(() -> {
            looked.countDown();
            try {
                released.await(10, TimeUnit.SECONDS);
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        });
        ConcurrentLinkedQueue<Object> outcome = new ConcurrentLinkedQueue<>();
        Thread waiter = new Thread(() -> {
            try (PooledConnection c = pool.acquire()) {
                outcome.add(c.server());
            }
            catch (Throwable ex) {
                outcome.add(ex);
            }
        });
        waiter.start();
        assertThat(looked.await(10, TimeUnit.SECONDS)).isTrue(); // it looked, found nothing, and is about to park
        beforePark.set(null);

        long closing = System.nanoTime();
        held.close(); // lands in the gap: the waiter's look is over, its park not begun
        // the release gives way to the waiter, but only for its bound: the waiter cannot take it until we go on
        assertThat(Duration.ofNanos(System.nanoTime() - closing)).as("close() while the waiter is held")
                .isLessThan(Duration.ofSeconds(5));
        released.countDown();

        waiter.join(TimeUnit.SECONDS.toMillis(10)); // a lost wake-up would park it for the whole 30 s timeout
        assertThat(waiter.isAlive()).as("the waiter was woken by the release").isFalse();
        assertThat(outcome).containsExactly(addressOf(server));
    }

    @Test
    void burstsOfOneShotBorrowersAreAllServedLongBeforeTheirTimeout() throws Exception {
        Duration acquireTimeout = Duration.ofSeconds(30);
        pool = fixture.pool(ConnPool.builder().servers(server.address()).maxConnectionsPerServer(2).minIdlePerServer(2)
                .acquireTimeout(acquireTimeout));
        for (int round = 0; round < ROUNDS; round++) {
            int callers = 64;
            CountDownLatch start = new CountDownLatch(1);
            CountDownLatch done = new CountDownLatch(callers);
            ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < callers; i++) {
                Thread thread = new Thread(() -> {
                    try {
                        start.await();
                        try (PooledConnection c = pool.acquire()) {
                            c.socket(); // hold it for no time at all: the waiters' wake-ups are all that matters
                        }
                    }
                    catch (Throwable ex) {
                        failures.add(ex);
                    }
                    finally {
                        done.countDown();
                    }
                });
                threads.add(thread);
                thread.start();
            }
            start.countDown();
            // a stranded waiter would hold this up to the 30 s acquire timeout
            assertThat(done.await(10, TimeUnit.SECONDS)).as("round %d: every caller served", round).isTrue();
            assertThat(failures).isEmpty();
            for (Thread thread : threads) {
                thread.join();
            }
            assertThat(pool.stats().pending()).isZero();
        }
        PoolStats stats = pool.stats();
        assertThat(stats.acquired()).isEqualTo(stats.released()).isEqualTo(ROUNDS * 64);
        assertThat(stats.timeouts()).isZero();
    }
}
