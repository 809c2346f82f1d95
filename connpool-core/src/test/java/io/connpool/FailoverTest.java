package io.connpool;

import static io.connpool.testing.PoolFixture.addressOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.connpool.test.MockTcpServer;
import io.connpool.testing.CountingDialer;
import io.connpool.testing.LineClient;
import io.connpool.testing.PoolFixture;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class FailoverTest {

    @RegisterExtension
    final PoolFixture fixture = new PoolFixture();

    private final CountingDialer dialer = CountingDialer.tcp();

    private ConnPool pool(List<MockTcpServer> servers) {
        ConnPool pool = fixture.pool(fixture.builder(servers.toArray(MockTcpServer[]::new))
                .dialer(dialer)
                .retryMin(Duration.ofMillis(50)).retryMax(Duration.ofMillis(200))
                // a stopped server's idle connection is found dead on borrow, not handed out
                .validationInterval(Duration.ZERO));
        await().until(() -> pool.stats().idle() == servers.size());
        return pool;
    }

    @Test
    void aStoppedServerIsSkipped() throws Exception {
        List<MockTcpServer> servers = fixture.servers("a", "b", "c");
        ConnPool pool = pool(servers);
        servers.get(1).stop();

        Map<String, Integer> served = RoundRobinTest.serve(pool, 100);

        assertThat(served).containsOnlyKeys("a", "c");
        assertThat(served.values()).allSatisfy(count -> assertThat(count).isBetween(49, 51));
        ServerStatus b = PoolFixture.status(pool, addressOf(servers.get(1)));
        assertThat(b.state()).isEqualTo(ServerState.DOWN);
        assertThat(b.lastError()).contains("Connection refused");
        assertThat(b.nextRetry()).isNotNull();
    }

    @Test
    void allStoppedTryAcquireFailsAtOnceNamingEachServerAndItsError() throws Exception {
        List<MockTcpServer> servers = fixture.servers("a", "b", "c");
        ConnPool pool = pool(servers);
        servers.forEach(MockTcpServer::stop);

        long start = System.nanoTime();
        NoServerAvailableException first = catchNoServer(pool);
        // every server was still believed up: one refused dial each, no waiting
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));

        int dialsBefore = dialer.countBy(Thread.currentThread());
        // at most one each: a background refill dial may have found a server down first
        assertThat(dialsBefore).as("dials by the caller").isBetween(1, servers.size());
        start = System.nanoTime();
        NoServerAvailableException second = catchNoServer(pool);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
        // now that they are known DOWN, the caller does not dial them at all (only the background probes do)
        assertThat(dialer.countBy(Thread.currentThread())).isEqualTo(dialsBefore);

        for (NoServerAvailableException ex : List.of(first, second)) {
            for (MockTcpServer server : servers) {
                assertThat(ex.getMessage()).contains(server.address() + " is DOWN (")
                        .contains("Connection refused");
            }
            assertThat(ex.servers()).hasSize(3).allSatisfy(status -> {
                assertThat(status.state()).isEqualTo(ServerState.DOWN);
                assertThat(status.lastError()).contains("Connection refused");
                assertThat(status.nextRetry()).isNotNull();
            });
        }
        assertThat(second.getMessage()).contains("next retry in");
    }

    @Test
    void acquireWaitingWhileAllAreDownReturnsSoonAfterOneIsRestarted() throws Exception {
        List<MockTcpServer> servers = fixture.servers("a", "b");
        ConnPool pool = pool(servers);
        servers.forEach(MockTcpServer::stop);
        catchNoServer(pool);

        ExecutorService threads = fixture.threads(1);
        Future<String> waiting = threads.submit(() -> {
            try (PooledConnection c = pool.acquire(Duration.ofSeconds(5))) {
                return LineClient.call(c, "hello");
            }
        });
        await().until(() -> pool.stats().pending() == 1);
        assertThat(waiting).isNotDone();

        long restarted = System.nanoTime();
        servers.get(1).restart();
        String reply = waiting.get(5, TimeUnit.SECONDS);
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restarted);

        assertThat(reply).isEqualTo("b:hello");
        // retryMax is 200 ms: the next probe finds it; 5 s would mean the waiter slept to its timeout
        assertThat(tookMillis).isLessThan(2_500);
        assertThat(PoolFixture.status(pool, addressOf(servers.get(1))).state()).isEqualTo(ServerState.UP);
        assertThat(PoolFixture.status(pool, addressOf(servers.get(0))).state()).isEqualTo(ServerState.DOWN);
    }

    @Test
    void acquireWhileAllAreDownTimesOutWithEveryServersError() throws Exception {
        List<MockTcpServer> servers = fixture.servers("a", "b");
        ConnPool pool = pool(servers);
        servers.forEach(MockTcpServer::stop);

        assertThatThrownBy(() -> pool.acquire(Duration.ofMillis(300)))
                .isInstanceOf(NoServerAvailableException.class)
                .hasMessageContaining("within")
                .hasMessageContaining(servers.get(0).address())
                .hasMessageContaining(servers.get(1).address());
        assertThat(pool.stats().pending()).isZero();
    }

    private static NoServerAvailableException catchNoServer(ConnPool pool) {
        try (PooledConnection c = pool.tryAcquire()) {
            throw new AssertionError("expected NoServerAvailableException, got a connection to " + c.server());
        }
        catch (NoServerAvailableException expected) {
            return expected;
        }
        catch (ConnPoolException other) {
            throw new AssertionError("expected NoServerAvailableException", other);
        }
    }
}
