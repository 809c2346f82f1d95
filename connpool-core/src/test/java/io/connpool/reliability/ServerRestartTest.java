package io.connpool.reliability;

import static io.connpool.testing.PoolFixture.addressOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.connpool.ConnPool;
import io.connpool.ConnPoolListener.CloseReason;
import io.connpool.PoolStats;
import io.connpool.PooledConnection;
import io.connpool.ServerAddress;
import io.connpool.ServerState;
import io.connpool.ServerStatus;
import io.connpool.test.MockTcpServer;
import io.connpool.testing.LineClient;
import io.connpool.testing.PoolFixture;
import io.connpool.testing.RecordingListener;
import io.connpool.testing.RecordingListener.Type;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A server stopped and started again on the same port: a new process behind the old address. */
class ServerRestartTest {

    private static final Duration VALIDATION_INTERVAL = Duration.ofMillis(200);
    private static final Duration RETRY_MAX = Duration.ofSeconds(2);

    @RegisterExtension
    final PoolFixture fixture = new PoolFixture();

    private final MockTcpServer a = fixture.server("a");
    private final MockTcpServer b = fixture.server("b");
    private ConnPool pool;
    private Traffic traffic;

    @Test
    void restartUnderTrafficReconnectsWithinBackoffAndNeverHandsOutAConnectionToTheOldProcess() throws Exception {
        RecordingListener events = new RecordingListener();
        ServerAddress target = addressOf(a);
        pool = fixture.pool(ConnPool.builder().name("restart")
                .servers(a.address(), b.address())
                .maxConnectionsPerServer(4)
                .validationInterval(VALIDATION_INTERVAL)
                .retryMin(Duration.ofMillis(200)).retryMax(RETRY_MAX)
                .listener(events));
        traffic = fixture.register(new Traffic(pool, 8)).start();
        await().atMost(Duration.ofSeconds(20)).until(() -> traffic.successes(target) > 200 && traffic.successes(addressOf(b)) > 200);

        int openAtStop = a.openConnections();
        long stoppedAt = System.nanoTime();
        a.stop();
        await().atMost(Duration.ofSeconds(10)).until(() -> events.first(Type.SERVER_DOWN, target, stoppedAt) != null);
        long detectMillis = TimeUnit.NANOSECONDS.toMillis(events.first(Type.SERVER_DOWN, target, stoppedAt).atNanos() - stoppedAt);

        traffic.mark();
        a.restart();
        long restartedAt = System.nanoTime();
        ServerStatus atRestart = status(target);
        long backoffLeftMillis = atRestart.state() == ServerState.DOWN
                ? Math.max(0, atRestart.nextRetry().toEpochMilli() - System.currentTimeMillis()) : 0;
        await().atMost(Duration.ofSeconds(15)).until(() -> traffic.firstSuccessAfterMark(target) != 0);
        long recoverMillis = TimeUnit.NANOSECONDS.toMillis(traffic.firstSuccessAfterMark(target) - restartedAt);
        long servedAfter = traffic.successes(target);
        await().atMost(Duration.ofSeconds(10)).until(() -> traffic.successes(target) > servedAfter + 200);
        traffic.stop();

        List<Traffic.Failure> failures = traffic.failures();
        assertThat(traffic.unexpected).isEmpty();
        assertThat(traffic.wrongReplies.sum()).isZero();
        assertThat(traffic.handedOutTwice.sum()).isZero();
        assertThat(failures).as("only requests on the restarted server fail, never an acquire")
                .allSatisfy(f -> assertThat(f.server()).isEqualTo(target));
        assertThat(failures).as("only connections open at the stop fail").hasSizeLessThanOrEqualTo(4);
        assertThat(failures.stream().mapToInt(Traffic.Failure::localPort).distinct().count())
                .as("each connection fails at most one request").isEqualTo(failures.size());
        assertThat(failures).as("a connection to the old process is not handed out once it has been idle for"
                        + " validationInterval")
                .allSatisfy(f -> assertThat(f.acquiredNanos())
                        .isLessThan(stoppedAt + VALIDATION_INTERVAL.toNanos() + TimeUnit.MILLISECONDS.toNanos(100)));
        assertThat(recoverMillis).as("reconnected within the backoff left at the restart (%d ms)", backoffLeftMillis)
                .isLessThan(backoffLeftMillis + 1_500)
                .isLessThan(RETRY_MAX.toMillis() + 1_500);
        PoolStats stats = pool.stats();
        assertThat(stats.active()).isZero();
        assertThat(stats.acquired()).isEqualTo(stats.released());
        pool.close();
        await().atMost(Duration.ofSeconds(5)).until(() -> a.openConnections() == 0 && b.openConnections() == 0);

        FaultMatrix.record("server restarted on the same port (under traffic)",
                "IOException on " + failures.size() + " request(s) in flight at the stop (of " + openAtStop
                        + " connections); DOWN, traffic on the other server; rejoins after restart",
                detectMillis, recoverMillis,
                "back < backoff left at restart (" + backoffLeftMillis + ") + 1500 ms, and < retryMax "
                        + RETRY_MAX.toMillis() + " + 1500 ms");
    }

    @Test
    void quickRestartLeavesStaleIdleConnectionsThatAreDiscardedOnBorrow() throws Exception {
        RecordingListener events = new RecordingListener();
        pool = fixture.pool(ConnPool.builder().name("quick-restart")
                .servers(a.address())
                .maxConnectionsPerServer(4).minIdlePerServer(4)
                .validationInterval(VALIDATION_INTERVAL)
                .listener(events));
        await().atMost(Duration.ofSeconds(10)).until(() -> pool.stats().idle() == 4 && a.openConnections() == 4);
        assertThat(Resources.establishedTo(a.port())).as("the pool's connections, as the kernel lists them").isEqualTo(4);
        int acceptedBefore = a.acceptedConnections();

        long stoppedAt = System.nanoTime();
        a.stop();
        // the check on borrow can only see a FIN the kernel has delivered: on a loaded machine that may lag
        await().atMost(Duration.ofSeconds(5)).until(() -> Resources.establishedTo(a.port()) == 0);
        a.restart();
        // no dial failed, so the server never went DOWN: only the check on borrow can catch the stale ones,
        // and it looks at connections idle for at least validationInterval
        await().pollDelay(VALIDATION_INTERVAL.plusMillis(50)).atMost(Duration.ofSeconds(1)).until(() -> true);
        // four at once, so that every one of the four idle connections has to be looked at
        List<PooledConnection> held = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                held.add(pool.acquire());
            }
            for (int i = 0; i < 4; i++) {
                assertThat(LineClient.call(held.get(i), "new-" + i)).isEqualTo("a:new-" + i);
            }
        }
        finally {
            held.forEach(PooledConnection::close);
        }
        for (int i = 4; i < 8; i++) {
            try (PooledConnection c = pool.acquire()) {
                assertThat(LineClient.call(c, "new-" + i)).isEqualTo("a:new-" + i);
            }
        }
        long recoverMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stoppedAt);
        // the idle sweep may have found the dead connections while the server was stopped, and the refill then
        // found it down (its probe brought it back); else the check on borrow found them
        assertThat(events.count(Type.SERVER_DOWN, addressOf(a))).isLessThanOrEqualTo(1);
        assertThat(events.closed(CloseReason.VALIDATION_FAILED) + events.closed(CloseReason.SERVER_DOWN))
                .as("the 4 connections to the old process").isEqualTo(4);
        assertThat(a.acceptedConnections()).as("new connections to the new process").isGreaterThan(acceptedBefore);
        pool.close();
        await().atMost(Duration.ofSeconds(5)).until(() -> a.openConnections() == 0);

        FaultMatrix.record("server restarted on the same port (idle pool)",
                "nothing: 0 of 8 requests failed; 4 idle connections to the old process discarded on borrow",
                FaultMatrix.NOT_APPLICABLE, recoverMillis,
                "0 failures once idle > validationInterval " + VALIDATION_INTERVAL.toMillis() + " ms");
    }

    private ServerStatus status(ServerAddress server) {
        return pool.servers().stream().filter(st -> st.address().equals(server)).findFirst().orElseThrow();
    }
}
