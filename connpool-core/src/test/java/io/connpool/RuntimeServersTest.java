package io.connpool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.connpool.testing.LineClient;
import io.connpool.testing.TestServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RuntimeServersTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private final TestServer a = TestServer.start("a");
    private final TestServer b = TestServer.start("b");
    private final TestServer c = TestServer.start("c");
    private ConnPool pool;

    @AfterEach
    void tearDown() {
        if (pool != null) {
            pool.close();
        }
        a.close();
        b.close();
        c.close();
    }

    private Map<String, Integer> spread(int acquires) throws Exception {
        Map<String, Integer> served = new HashMap<>();
        for (int i = 0; i < acquires; i++) {
            try (PooledConnection connection = pool.acquire()) {
                String reply = LineClient.call(connection, "x");
                served.merge(reply.substring(0, reply.indexOf(':')), 1, Integer::sum);
            }
        }
        return served;
    }

    @Test
    void anAddedServerTakesItsShareOfTrafficAtOnce() throws Exception {
        pool = ConnPool.builder().name("rt").servers(a.hostPort(), b.hostPort()).build();
        assertThat(spread(100)).containsOnlyKeys("a", "b");

        assertThat(pool.addServer(c.address())).isTrue();
        assertThat(pool.addServer(c.address())).as("adding twice has no effect").isFalse();
        // its first dial is in flight: an UNKNOWN server gets one dial at a time, so wait for it to be UP
        await().atMost(WAIT).until(() -> pool.servers().get(2).state() == ServerState.UP);

        Map<String, Integer> served = spread(300);
        assertThat(served.values()).allSatisfy(count -> assertThat(count).isBetween(99, 101));
        assertThat(pool.servers()).extracting(ServerStatus::address)
                .containsExactly(a.address(), b.address(), c.address());
    }

    @Test
    void aRemovedServerClosesIdleConnectionsNowAndBorrowedOnesOnReturn() throws Exception {
        pool = ConnPool.builder().name("rt").servers(a.hostPort(), b.hostPort()).minIdlePerServer(2).build();
        await().atMost(WAIT).until(() -> a.openConnections() == 2 && b.openConnections() == 2);
        PooledConnection borrowed = borrowFrom(a);

        assertThat(pool.removeServer(a.address())).isTrue();
        assertThat(pool.removeServer(a.address())).isFalse();

        await().atMost(WAIT).until(() -> a.openConnections() == 1);
        assertThat(LineClient.call(borrowed, "still works")).isEqualTo("a:still works");
        assertThat(spread(50)).containsOnlyKeys("b");
        borrowed.close();
        await().atMost(WAIT).until(() -> a.openConnections() == 0);
        assertThat(pool.stats().max()).isEqualTo(8);
    }

    private PooledConnection borrowFrom(TestServer server) throws Exception {
        List<PooledConnection> others = new ArrayList<>();
        try {
            while (true) {
                PooledConnection connection = pool.acquire();
                if (connection.server().equals(server.address())) {
                    return connection;
                }
                others.add(connection);
            }
        }
        finally {
            others.forEach(PooledConnection::close);
        }
    }

    @Test
    void serversChangeSafelyWhileTrafficFlows() throws Exception {
        pool = ConnPool.builder().name("rt").servers(a.hostPort()).acquireTimeout(Duration.ofSeconds(5)).build();
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicInteger calls = new AtomicInteger();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            workers.add(new Thread(() -> {
                while (running.get()) {
                    try (PooledConnection connection = pool.acquire()) {
                        String reply = LineClient.call(connection, "x");
                        assertThat(reply).endsWith(":x");
                        calls.incrementAndGet();
                    }
                    catch (Throwable ex) {
                        failure.compareAndSet(null, ex);
                    }
                }
            }));
        }
        workers.forEach(Thread::start);
        for (int round = 0; round < 20; round++) {
            pool.addServer(round % 2 == 0 ? b.address() : c.address());
            int before = calls.get();
            await().atMost(WAIT).until(() -> calls.get() > before + 20);
            pool.removeServer(round % 2 == 0 ? c.address() : b.address());
        }
        running.set(false);
        for (Thread worker : workers) {
            worker.join(TimeUnit.SECONDS.toMillis(10));
        }

        assertThat(failure.get()).isNull();
        assertThat(pool.servers()).extracting(ServerStatus::address).containsExactly(a.address(), c.address());
        PoolStats stats = pool.stats();
        assertThat(stats.acquired()).isEqualTo(stats.released());
        assertThat(stats.active()).isZero();
        await().atMost(WAIT).until(() -> b.openConnections() == 0);
    }
}
