package io.connpool;

import static org.assertj.core.api.Assertions.assertThat;

import io.connpool.test.MockTcpServer;
import io.connpool.testing.LineClient;
import io.connpool.testing.PoolFixture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link Balancer#leastLoaded()} against {@link Balancer#roundRobin()}: one server answering in 50 ms, one at
 * once, eight threads calling as fast as they can for a while. Shares, not timings, are asserted.
 */
class LeastLoadedBalancerTest {

    private static final int THREADS = 8;
    private static final Duration RUN = Duration.ofSeconds(1);

    @RegisterExtension
    final PoolFixture fixture = new PoolFixture();

    private MockTcpServer slow;
    private MockTcpServer fast;

    private ConnPool pool(Balancer balancer) {
        slow = fixture.register(MockTcpServer.start()).delay(Duration.ofMillis(50));
        fast = fixture.register(MockTcpServer.start());
        return fixture.pool(ConnPool.builder().name(fixture.testName()).servers(slow.address(), fast.address())
                .balancer(balancer).acquireTimeout(Duration.ofSeconds(10)));
    }

    /** Calls from eight threads until {@code run} has passed; counts the calls each server answered. */
    private Map<String, Integer> traffic(ConnPool pool, Duration run) throws Exception {
        Map<String, AtomicInteger> served = new ConcurrentHashMap<>();
        ExecutorService threads = fixture.threads(THREADS);
        CountDownLatch go = new CountDownLatch(1);
        long[] deadline = new long[1];
        List<Future<?>> callers = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            callers.add(threads.submit(() -> {
                go.await();
                while (System.nanoTime() - deadline[0] < 0) {
                    try (PooledConnection connection = pool.acquire()) {
                        assertThat(LineClient.call(connection, "x")).isEqualTo("x");
                        served.computeIfAbsent(connection.server().toString(), s -> new AtomicInteger())
                                .incrementAndGet();
                    }
                }
                return null;
            }));
        }
        deadline[0] = System.nanoTime() + run.toNanos();
        go.countDown();
        for (Future<?> caller : callers) {
            caller.get(30, TimeUnit.SECONDS);
        }
        Map<String, Integer> counts = new ConcurrentHashMap<>();
        served.forEach((server, count) -> counts.put(server, count.get()));
        return counts;
    }

    private double share(Map<String, Integer> counts, MockTcpServer server) {
        int total = counts.values().stream().mapToInt(Integer::intValue).sum();
        return (double) counts.getOrDefault(server.address(), 0) / total;
    }

    private void report(String what, Map<String, Integer> counts) {
        System.out.printf("%s: fast %d calls, slow %d calls, fast share %.1f %%%n", what,
                counts.getOrDefault(fast.address(), 0), counts.getOrDefault(slow.address(), 0),
                100 * share(counts, fast));
    }

    @Test
    void leastLoadedSendsMostCallsToTheFastServerAndASlowOneThatRecoversGetsItsShareBack() throws Exception {
        ConnPool pool = pool(Balancer.leastLoaded());

        Map<String, Integer> counts = traffic(pool, RUN);
        report("least-loaded, slow server 50 ms", counts);
        assertThat(share(counts, fast)).isGreaterThanOrEqualTo(0.8);
        assertThat(counts.get(slow.address())).as("slow, not ejected: it still serves").isPositive();

        slow.delay(Duration.ZERO);
        Map<String, Integer> recovered = traffic(pool, RUN);
        report("least-loaded, both at once", recovered);
        assertThat(share(recovered, slow)).as("the recovered server's share").isGreaterThanOrEqualTo(0.2);
    }

    @Test
    void roundRobinSendsAboutHalfTheCallsToEach() throws Exception {
        ConnPool pool = pool(Balancer.roundRobin());

        Map<String, Integer> counts = traffic(pool, RUN);
        report("round-robin, slow server 50 ms", counts);
        assertThat(share(counts, fast)).isBetween(0.4, 0.6);
    }

    private static ServerPool server(int port) {
        return new ServerPool(ServerOrigin.of(new ServerAddress("127.0.0.1", port), ServerOrigin.Problem.NONE),
                new ServerHealth(Backoff.exponential(Duration.ofSeconds(1), Duration.ofSeconds(2)), 5, Ticker.SYSTEM), 8,
                0, "unit", Ticker.SYSTEM);
    }

    @Test
    void itStartsWithTheServerWithFewerBorrowedConnectionsThenTheQuickerOne() {
        Balancer balancer = Balancer.leastLoaded();
        ServerPool busy = server(1);
        ServerPool idle = server(2);
        ServerPool[] turns = {busy, idle};
        balancer.leased(busy);
        balancer.leased(busy);
        for (int i = 0; i < 100; i++) {
            assertThat(balancer.first(turns)).isEqualTo(1);
        }

        balancer.released(busy, TimeUnit.MILLISECONDS.toNanos(1));
        balancer.released(busy, TimeUnit.MILLISECONDS.toNanos(1));
        balancer.leased(idle);
        balancer.released(idle, TimeUnit.MILLISECONDS.toNanos(50)); // none borrowed either side: the quicker wins
        assertThat(balancer.first(turns)).isZero();

        // three servers: the one with most borrowed never goes first (each pair it is in, it loses)
        ServerPool third = server(3);
        ServerPool[] three = {busy, idle, third};
        balancer.leased(idle);
        for (int i = 0; i < 100; i++) {
            assertThat(balancer.first(three)).isNotEqualTo(1);
        }
    }

    @Test
    void aServerThatWasSlowWinsATieAgainSoonEvenForALoneSequentialCaller() {
        Balancer balancer = Balancer.leastLoaded();
        ServerPool quick = server(1);
        ServerPool wasSlow = server(2);
        balancer.leased(quick);
        balancer.released(quick, TimeUnit.MICROSECONDS.toNanos(100));
        for (int i = 0; i < 20; i++) {
            balancer.leased(wasSlow);
            balancer.released(wasSlow, TimeUnit.MILLISECONDS.toNanos(50));
        }
        ServerPool[] turns = {quick, wasSlow};
        int firstWin = -1;
        for (int borrow = 0; borrow < 1000 && firstWin < 0; borrow++) {
            int chosen = balancer.first(turns); // nothing borrowed: every pair ties on load
            if (chosen == 1) {
                firstWin = borrow;
            }
            else {
                balancer.leased(quick);
                balancer.released(quick, TimeUnit.MICROSECONDS.toNanos(100));
            }
        }
        assertThat(firstWin).as("borrows until the once slow server is tried again").isBetween(1, 200);
    }
}
