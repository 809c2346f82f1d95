package io.connpool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.connpool.test.MockTcpServer;
import io.connpool.testing.LineClient;
import io.connpool.testing.PoolFixture;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ConnectionBudgetTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @RegisterExtension
    final PoolFixture fixture = new PoolFixture();

    private ConnPool pool(String name, ConnectionBudget budget, int maxPerServer, MockTcpServer... servers) {
        return fixture.pool(fixture.builder(servers).name(name).budget(budget).minIdlePerServer(0)
                .maxConnectionsPerServer(maxPerServer).acquireTimeout(Duration.ofSeconds(5)));
    }

    @Test
    void budgetFromTheFileDescriptorLimitLeavesRoomForTheRestOfTheProcess() {
        assertThat(ConnectionBudget.forSoftLimit(1024)).isEqualTo(900);
        assertThat(ConnectionBudget.forSoftLimit(4096)).isEqualTo(4000);
        assertThat(ConnectionBudget.forSoftLimit(1_048_576)).isEqualTo(1_048_500);
        // Dominator panicked under 50; here a tiny limit still gives a usable budget
        assertThat(ConnectionBudget.forSoftLimit(149)).isEqualTo(1);
        assertThat(ConnectionBudget.forSoftLimit(49)).isEqualTo(1);
        assertThat(ConnectionBudget.forSoftLimit(0)).isEqualTo(1);
        assertThat(ConnectionBudget.forSoftLimit(-1)).isEqualTo(900);
        assertThat(ConnectionBudget.fromFileDescriptorLimit().max()).isPositive();
        assertThatThrownBy(() -> ConnectionBudget.of(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least 1");
    }

    @Test
    void aFullBudgetClosesTheLeastRecentlyUsedIdleConnectionOfAnotherPool() throws Exception {
        MockTcpServer a = fixture.server("a");
        MockTcpServer b = fixture.server("b");
        ConnectionBudget budget = ConnectionBudget.of(2);
        ConnPool first = pool("first", budget, 4, a);
        ConnPool second = pool("second", budget, 4, b);
        PooledConnection older = first.acquire();
        PooledConnection newer = first.acquire();
        int olderPort = older.socket().getLocalPort();
        older.close();
        newer.close();
        await().atMost(WAIT).until(() -> a.openConnections() == 2);

        try (PooledConnection c = second.acquire()) {
            assertThat(LineClient.call(c, "hi")).isEqualTo("b:hi");
        }

        // the socket really closed: the server saw it go (Dominator leaked the fd)
        await().atMost(WAIT).until(() -> a.openConnections() == 1);
        assertThat(budget.open()).isEqualTo(2);
        try (PooledConnection kept = first.acquire()) {
            assertThat(kept.socket().getLocalPort()).as("the older idle one was evicted").isNotEqualTo(olderPort);
        }
    }

    @Test
    void tryAcquireFailsAtOnceWhenTheBudgetIsFullWithNothingIdle() throws Exception {
        MockTcpServer a = fixture.server("a");
        ConnectionBudget budget = ConnectionBudget.of(1);
        ConnPool first = pool("first", budget, 4, a);
        ConnPool second = pool("second", budget, 4, a);
        try (PooledConnection held = first.acquire()) {
            assertThatThrownBy(second::tryAcquire).isInstanceOf(PoolExhaustedException.class)
                    .hasMessageContaining("budget").hasMessageContaining("'second'")
                    .hasMessageContaining("max=1");
        }
    }

    @Test
    void acquireWaitsForRoomAndGetsItWhenAnotherPoolReturnsAConnection() throws Exception {
        MockTcpServer a = fixture.server("a");
        MockTcpServer b = fixture.server("b");
        ConnectionBudget budget = ConnectionBudget.of(1);
        ConnPool first = pool("first", budget, 4, a);
        ConnPool second = pool("second", budget, 4, b);
        PooledConnection held = first.acquire();

        CompletableFuture<String> waiting = CompletableFuture.supplyAsync(() -> {
            try (PooledConnection c = second.acquire(Duration.ofSeconds(10))) {
                return LineClient.call(c, "late");
            }
            catch (IOException ex) {
                return ex.toString();
            }
        });
        await().atMost(WAIT).until(() -> second.stats().pending() == 1);
        assertThat(waiting).isNotDone();

        held.close(); // goes idle in the first pool, and is evicted for the second

        assertThat(waiting.get(10, TimeUnit.SECONDS)).isEqualTo("b:late");
        await().atMost(WAIT).until(() -> a.openConnections() == 0);
    }

    @Test
    void acquireTimesOutWhenTheBudgetStaysFull() throws Exception {
        MockTcpServer a = fixture.server("a");
        ConnectionBudget budget = ConnectionBudget.of(1);
        ConnPool first = pool("first", budget, 4, a);
        ConnPool second = pool("second", budget, 4, a);
        try (PooledConnection held = first.acquire()) {
            assertThatThrownBy(() -> second.acquire(Duration.ofMillis(200)))
                    .isInstanceOf(AcquireTimeoutException.class).hasMessageContaining("budget");
        }
    }

    @Test
    void concurrentEvictionAndReleaseKeepTheCountExact() throws Exception {
        MockTcpServer a1 = fixture.server("a1");
        MockTcpServer a2 = fixture.server("a2");
        MockTcpServer b1 = fixture.server("b1");
        MockTcpServer b2 = fixture.server("b2");
        ConnectionBudget budget = ConnectionBudget.of(6);
        ConnPool first = pool("first", budget, 8, a1, a2);
        ConnPool second = pool("second", budget, 8, b1, b2);
        AtomicInteger overBudget = new AtomicInteger();
        AtomicReference<Throwable> unexpected = new AtomicReference<>();
        AtomicInteger served = new AtomicInteger();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);

        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 64; t++) {
            ConnPool pool = t % 2 == 0 ? first : second;
            threads.add(new Thread(() -> {
                ThreadLocalRandom random = ThreadLocalRandom.current();
                while (System.nanoTime() < end) {
                    try (PooledConnection c = pool.acquire(Duration.ofSeconds(5))) {
                        if (budget.open() > budget.max()) {
                            overBudget.incrementAndGet();
                        }
                        if (random.nextInt(4) == 0) {
                            LineClient.call(c, "x");
                        }
                        if (random.nextInt(10) == 0) {
                            c.invalidate();
                        }
                        served.incrementAndGet();
                    }
                    catch (AcquireTimeoutException tolerated) {
                        // 64 threads over 6 sockets may wait long on a loaded machine; counts still must hold
                    }
                    catch (Throwable ex) {
                        unexpected.compareAndSet(null, ex);
                    }
                }
            }));
        }
        threads.forEach(Thread::start);
        for (Thread thread : threads) {
            thread.join(30_000);
        }

        assertThat(unexpected.get()).isNull();
        assertThat(served.get()).isGreaterThan(100);
        assertThat(overBudget.get()).isZero();
        List<MockTcpServer> all = List.of(a1, a2, b1, b2);
        await().atMost(WAIT).untilAsserted(() -> assertThat(budget.open())
                .isEqualTo(all.stream().mapToInt(MockTcpServer::openConnections).sum())
                .isLessThanOrEqualTo(6));
        assertThat(first.stats().total() + second.stats().total()).isEqualTo(budget.open());

        first.close();
        second.close();
        assertThat(budget.open()).isZero();
        await().atMost(WAIT).until(() -> all.stream().mapToInt(MockTcpServer::openConnections).sum() == 0);
    }
}
