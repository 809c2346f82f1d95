package io.connpool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.connpool.test.MockTcpServer;
import io.connpool.testing.PoolFixture;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * 32 threads × 10,000 borrows of few connections, some invalidated: ownership must stay exclusive and the
 * cap hold. No I/O in the loop, so the pool's own hand-over is what is exercised.
 */
class StressTest {

    private static final int THREADS = 32;
    private static final int ITERATIONS = 10_000;
    private static final int SERVERS = 2;
    private static final int MAX_PER_SERVER = 4;

    @RegisterExtension
    final PoolFixture fixture = new PoolFixture();

    @Test
    void noConnectionIsEverHeldByTwoBorrowersAndTheCapHolds() throws Exception {
        List<MockTcpServer> servers = fixture.servers("a", "b");
        ConnPool pool = fixture.pool(fixture.builder(servers.toArray(MockTcpServer[]::new))
                .maxConnectionsPerServer(MAX_PER_SERVER).acquireTimeout(Duration.ofSeconds(30)));
        int cap = SERVERS * MAX_PER_SERVER;

        Map<Socket, AtomicBoolean> inUse = new ConcurrentHashMap<>();
        AtomicReference<String> violation = new AtomicReference<>();
        AtomicInteger invalidated = new AtomicInteger();
        AtomicInteger mostOpen = new AtomicInteger();
        AtomicLong samples = new AtomicLong();
        AtomicBoolean running = new AtomicBoolean(true);
        CountDownLatch go = new CountDownLatch(1);

        ExecutorService threads = fixture.threads(THREADS + 1);
        Future<?> sampler = threads.submit(() -> {
            while (running.get()) {
                PoolStats stats = pool.stats();
                mostOpen.accumulateAndGet(stats.total(), Math::max);
                if (stats.total() > cap) {
                    violation.compareAndSet(null, "active + idle above the cap: " + stats);
                }
                samples.incrementAndGet();
                Thread.yield();
            }
        });
        List<Future<?>> workers = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            workers.add(threads.submit(() -> {
                go.await();
                ThreadLocalRandom random = ThreadLocalRandom.current();
                for (int i = 0; i < ITERATIONS; i++) {
                    PooledConnection c = pool.acquire();
                    Socket socket = c.socket();
                    AtomicBoolean flag = inUse.computeIfAbsent(socket, s -> new AtomicBoolean());
                    if (!flag.compareAndSet(false, true)) {
                        violation.compareAndSet(null, "two borrowers hold " + socket);
                    }
                    if (socket.isClosed()) {
                        violation.compareAndSet(null, "handed out a closed socket " + socket);
                    }
                    flag.set(false);
                    if (random.nextInt(200) == 0) {
                        invalidated.incrementAndGet();
                        c.invalidate();
                    }
                    else {
                        c.close();
                    }
                }
                return null;
            }));
        }
        long start = System.nanoTime();
        go.countDown();
        for (Future<?> worker : workers) {
            worker.get(120, TimeUnit.SECONDS);
        }
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        running.set(false);
        sampler.get(10, TimeUnit.SECONDS);

        System.out.printf("stress: %d borrows in %d ms, %d invalidated, %d connections used, %d stats samples,"
                + " at most %d open%n", THREADS * ITERATIONS, tookMillis, invalidated.get(), inUse.size(),
                samples.get(), mostOpen.get());
        assertThat(violation.get()).isNull();
        assertThat(samples.get()).as("the sampler ran during the borrows").isGreaterThan(10);
        PoolStats stats = pool.stats();
        assertThat(stats.acquired()).isEqualTo((long) THREADS * ITERATIONS);
        assertThat(stats.released()).isEqualTo(stats.acquired());
        assertThat(stats.active()).isZero();
        assertThat(stats.total()).isLessThanOrEqualTo(cap);
        assertThat(stats.created() - stats.closed()).isEqualTo(stats.total());
        assertThat(invalidated.get()).isPositive();

        pool.close();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> servers.stream().mapToInt(MockTcpServer::openConnections).sum() == 0);
    }
}
