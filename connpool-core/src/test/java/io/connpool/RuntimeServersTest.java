package io.connpool;

import static io.connpool.testing.PoolFixture.addressOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.connpool.test.MockTcpServer;
import io.connpool.testing.LineClient;
import io.connpool.testing.PoolFixture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class RuntimeServersTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @RegisterExtension
    final PoolFixture fixture = new PoolFixture();

    private final MockTcpServer a = fixture.server("a");
    private final MockTcpServer b = fixture.server("b");
    private final MockTcpServer c = fixture.server("c");
    private ConnPool pool;

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
        pool = fixture.pool(ConnPool.builder().name("rt").servers(a.address(), b.address()));
        assertThat(spread(100)).containsOnlyKeys("a", "b");

        assertThat(pool.addServer(addressOf(c))).isTrue();
        assertThat(pool.addServer(addressOf(c))).as("adding twice has no effect").isFalse();
        // its first dial is in flight: an UNKNOWN server gets one dial at a time, so wait for it to be UP
        await().atMost(WAIT).until(() -> pool.servers().get(2).state() == ServerState.UP);

        Map<String, Integer> served = spread(300);
        assertThat(served.values()).allSatisfy(count -> assertThat(count).isBetween(99, 101));
        assertThat(pool.servers()).extracting(ServerStatus::address)
                .containsExactly(addressOf(a), addressOf(b), addressOf(c));
    }

    @Test
    void aRemovedServerClosesIdleConnectionsNowAndBorrowedOnesOnReturn() throws Exception {
        pool = fixture.pool(ConnPool.builder().name("rt").servers(a.address(), b.address()).minIdlePerServer(2));
        await().atMost(WAIT).until(() -> a.openConnections() == 2 && b.openConnections() == 2);
        PooledConnection borrowed = borrowFrom(a);

        assertThat(pool.removeServer(addressOf(a))).isTrue();
        assertThat(pool.removeServer(addressOf(a))).isFalse();

        await().atMost(WAIT).until(() -> a.openConnections() == 1);
        assertThat(LineClient.call(borrowed, "still works")).isEqualTo("a:still works");
        assertThat(spread(50)).containsOnlyKeys("b");
        borrowed.close();
        await().atMost(WAIT).until(() -> a.openConnections() == 0);
        assertThat(pool.stats().max()).isEqualTo(8);
    }

    private PooledConnection borrowFrom(MockTcpServer server) throws Exception {
        List<PooledConnection> others = new ArrayList<>();
        try {
            while (true) {
                PooledConnection connection = pool.acquire();
                if (connection.server().equals(addressOf(server))) {
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
        pool = fixture.pool(ConnPool.builder().name("rt").servers(a.address()).acquireTimeout(Duration.ofSeconds(5)));
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
            pool.addServer(round % 2 == 0 ? addressOf(b) : addressOf(c));
            int before = calls.get();
            await().atMost(WAIT).until(() -> calls.get() > before + 20);
            pool.removeServer(round % 2 == 0 ? addressOf(c) : addressOf(b));
        }
        running.set(false);
        for (Thread worker : workers) {
            worker.join(TimeUnit.SECONDS.toMillis(10));
        }

        assertThat(failure.get()).isNull();
        assertThat(pool.servers()).extracting(ServerStatus::address).containsExactly(addressOf(a), addressOf(c));
        PoolStats stats = pool.stats();
        assertThat(stats.acquired()).isEqualTo(stats.released());
        assertThat(stats.active()).isZero();
        await().atMost(WAIT).until(() -> b.openConnections() == 0);
    }
}
