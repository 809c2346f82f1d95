package io.connpool.reliability;

import static io.connpool.testing.PoolFixture.addressOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.connpool.ConnPool;
import io.connpool.PoolStats;
import io.connpool.ServerAddress;
import io.connpool.ServerState;
import io.connpool.ServerStatus;
import io.connpool.test.MockTcpServer;
import io.connpool.testing.PoolFixture;
import io.connpool.testing.RecordingListener;
import io.connpool.testing.RecordingListener.Type;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A server process killed with SIGKILL in the middle of traffic, then started again on the same port. */
class ServerProcessKillTest {

    private static final int MAX_PER_SERVER = 4;
    private static final Duration RETRY_MAX = Duration.ofSeconds(1);

    @RegisterExtension
    final PoolFixture fixture = new PoolFixture();

    private ExternalServer victim;
    private final MockTcpServer a = fixture.server("a");
    private final MockTcpServer b = fixture.server("b");
    private ConnPool pool;
    private Traffic traffic;

    @Test
    void killedServerGoesDownOthersKeepServingOnlyInFlightRequestsFailAndItRejoinsAfterRestart() throws Exception {
        victim = fixture.register(ExternalServer.start("x", 0));
        ServerAddress x = victim.address();
        RecordingListener events = new RecordingListener();
        pool = fixture.pool(ConnPool.builder().name("kill")
                .servers(victim.hostPort(), a.address(), b.address())
                .maxConnectionsPerServer(MAX_PER_SERVER)
                .dialTimeout(Duration.ofSeconds(1))
                .readTimeout(Duration.ofSeconds(5))
                .retryMin(Duration.ofMillis(200)).retryMax(RETRY_MAX)
                .listener(events));
        traffic = fixture.register(new Traffic(pool, 8)).start();
        await().atMost(Duration.ofSeconds(20)).until(() -> traffic.successes(x) > 100
                && traffic.successes(addressOf(a)) > 100 && traffic.successes(addressOf(b)) > 100);

        long killedAt = System.nanoTime();
        victim.kill();
        await().atMost(Duration.ofSeconds(10)).until(() -> events.first(Type.SERVER_DOWN, x, killedAt) != null);
        long downAt = events.first(Type.SERVER_DOWN, x, killedAt).atNanos();
        long detectMillis = TimeUnit.NANOSECONDS.toMillis(downAt - killedAt);

        // while it is dead, the other two carry the load
        long othersBefore = traffic.successes(addressOf(a)) + traffic.successes(addressOf(b));
        await().atMost(Duration.ofSeconds(10))
                .until(() -> traffic.successes(addressOf(a)) + traffic.successes(addressOf(b)) > othersBefore + 500);
        assertThat(stateOf(x)).isEqualTo(ServerState.DOWN);

        traffic.mark();
        victim = fixture.register(ExternalServer.start("x", x.port()));
        long backAt = System.nanoTime();
        await().atMost(Duration.ofSeconds(15)).until(() -> traffic.firstSuccessAfterMark(x) != 0);
        long recoverMillis = TimeUnit.NANOSECONDS.toMillis(traffic.firstSuccessAfterMark(x) - backAt);
        traffic.stop();

        List<Traffic.Failure> failures = traffic.failures();
        assertThat(traffic.unexpected).isEmpty();
        assertThat(traffic.wrongReplies.sum()).isZero();
        assertThat(traffic.handedOutTwice.sum()).isZero();
        assertThat(failures).as("only requests on the killed server fail, never an acquire")
                .allSatisfy(f -> assertThat(f.server()).isEqualTo(x));
        // the dying process's listener can still complete a handshake for a moment after SIGKILL: such a
        // connection is in flight at the kill too
        long dialedWhileDying = events.countBetween(Type.DIAL_SUCCEEDED, x, killedAt, downAt);
        assertThat(failures).as("only connections open at the kill (at most %d) or dialed while it died (%d) fail",
                        MAX_PER_SERVER, dialedWhileDying)
                .hasSizeLessThanOrEqualTo(MAX_PER_SERVER + (int) dialedWhileDying);
        assertThat(failures.stream().mapToInt(Traffic.Failure::localPort).distinct().count())
                .as("each connection fails at most one request").isEqualTo(failures.size());
        assertThat(failures).as("no connection to it is handed out once it is DOWN")
                .allSatisfy(f -> assertThat(f.acquiredNanos()).isLessThan(downAt + TimeUnit.MILLISECONDS.toNanos(100)));
        assertThat(detectMillis).as("detection").isLessThan(5_000);
        assertThat(recoverMillis).as("recovery after restart").isLessThan(RETRY_MAX.toMillis() + 2_000);

        PoolStats stats = pool.stats();
        assertThat(stats.active()).isZero();
        assertThat(stats.acquired()).isEqualTo(stats.released());
        pool.close();
        await().atMost(Duration.ofSeconds(5)).until(() -> a.openConnections() == 0 && b.openConnections() == 0);

        FaultMatrix.record("server process killed (SIGKILL)",
                "IOException (EOF/reset) on the " + failures.size() + " request(s) in flight on it (one per"
                        + " connection, " + dialedWhileDying + " dialed while it died); acquire never fails, other"
                        + " servers serve",
                detectMillis, recoverMillis,
                "DOWN < 5000 ms; back < retryMax " + RETRY_MAX.toMillis() + " + 2000 ms after restart");
    }

    private ServerState stateOf(ServerAddress server) {
        return pool.servers().stream().filter(s -> s.address().equals(server)).map(ServerStatus::state)
                .findFirst().orElseThrow();
    }
}
