package io.connpool.reliability;

import static io.connpool.testing.PoolFixture.addressOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
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
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A server that accepts connections and reads requests but never answers. */
class SilentServerTest {

    private static final Duration READ_TIMEOUT = Duration.ofMillis(300);
    private static final int EJECT_AFTER = 3;

    @RegisterExtension
    final PoolFixture fixture = new PoolFixture();

    private final MockTcpServer silent = fixture.server("silent").fault(MockTcpServer.Fault.HANG);
    private final MockTcpServer fast = fixture.server("fast");
    private ConnPool pool;

    @Test
    void readTimeoutInvalidatesTheConnectionAndOnlyConsecutiveTimeoutsEjectTheServer() throws Exception {
        RecordingListener events = new RecordingListener();
        pool = fixture.pool(ConnPool.builder().name("silent")
                .servers(silent.address(), fast.address())
                .readTimeout(READ_TIMEOUT)
                .ejectAfterFailures(EJECT_AFTER)
                .retryMin(Duration.ofMillis(500)).retryMax(Duration.ofSeconds(2))
                .listener(events));
        ServerAddress s = addressOf(silent);
        int timeouts = 0;
        long firstTimeoutMillis = -1;
        long maxTimeoutMillis = 0;
        int fastServed = 0;
        while (timeouts < EJECT_AFTER) {
            try (PooledConnection c = pool.acquire()) {
                if (!c.server().equals(s)) {
                    assertThat(LineClient.call(c, "hello")).isEqualTo("fast:hello");
                    fastServed++;
                    continue;
                }
                long sent = System.nanoTime();
                assertThatThrownBy(() -> LineClient.call(c, "hello")).isInstanceOf(SocketTimeoutException.class);
                long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent);
                maxTimeoutMillis = Math.max(maxTimeoutMillis, took);
                if (firstTimeoutMillis < 0) {
                    firstTimeoutMillis = took;
                }
                timeouts++;
            }
            assertThat(events.closed(CloseReason.BROKEN)).as("the timed-out connection is closed, not reused")
                    .isEqualTo(timeouts);
            if (timeouts < EJECT_AFTER) {
                assertThat(events.count(Type.SERVER_DOWN, s)).as("not DOWN after %d slow answer(s)", timeouts).isZero();
                assertThat(stateOf(s)).isEqualTo(ServerState.UP);
            }
        }
        assertThat(events.count(Type.SERVER_DOWN, s)).as("DOWN after %d consecutive timeouts", EJECT_AFTER).isEqualTo(1);
        assertThat(fastServed).as("round-robin kept serving the fast server in between").isGreaterThanOrEqualTo(2);
        ServerStatus ejected = status(s);
        long retryInMillis = ejected.state() == ServerState.DOWN
                ? Math.max(0, ejected.nextRetry().toEpochMilli() - System.currentTimeMillis()) : 0;

        // while it is DOWN every acquire goes to the fast server
        silent.fault(MockTcpServer.Fault.NONE);
        long answeringAt = System.nanoTime();
        long recoveredAt = 0;
        while (recoveredAt == 0) {
            assertThat(System.nanoTime() - answeringAt).as("silent server serving again").isLessThan(TimeUnit.SECONDS.toNanos(10));
            try (PooledConnection c = pool.acquire()) {
                String reply = LineClient.call(c, "again");
                if (c.server().equals(s)) {
                    assertThat(reply).isEqualTo("silent:again");
                    recoveredAt = System.nanoTime();
                }
            }
        }
        PoolStats stats = pool.stats();
        assertThat(stats.active()).isZero();
        assertThat(stats.acquired()).isEqualTo(stats.released());
        pool.close();
        await().atMost(Duration.ofSeconds(5)).until(() -> silent.openConnections() == 0 && fast.openConnections() == 0);

        long recoverMillis = TimeUnit.NANOSECONDS.toMillis(recoveredAt - answeringAt);
        assertThat(firstTimeoutMillis).as("the read timeout fires, not before").isGreaterThanOrEqualTo(READ_TIMEOUT.toMillis() - 20);
        assertThat(maxTimeoutMillis).as("and not much after").isLessThan(READ_TIMEOUT.toMillis() + 2_000);
        assertThat(recoverMillis).as("back after its backoff").isLessThan(retryInMillis + 2_000);
        FaultMatrix.record("server accepts but never answers",
                "SocketTimeoutException after readTimeout " + READ_TIMEOUT.toMillis() + " ms, connection closed;"
                        + " UP after 1-2 timeouts, DOWN after " + EJECT_AFTER + " consecutive (ejectAfterFailures)",
                firstTimeoutMillis, recoverMillis,
                "timeout in [readTimeout, readTimeout + 2000] ms; back < backoff left (" + retryInMillis + ") + 2000 ms");
    }

    private ServerStatus status(ServerAddress server) {
        return pool.servers().stream().filter(st -> st.address().equals(server)).findFirst().orElseThrow();
    }

    private ServerState stateOf(ServerAddress server) {
        return status(server).state();
    }
}
