package io.connpool.reliability;

import static io.connpool.testing.PoolFixture.addressOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.connpool.ConnPool;
import io.connpool.PoolStats;
import io.connpool.ServerAddress;
import io.connpool.test.MockTcpServer;
import io.connpool.testing.BlackHole;
import io.connpool.testing.PoolFixture;
import io.connpool.testing.RecordingListener;
import io.connpool.testing.RecordingListener.Type;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A server whose SYNs are dropped: only the dial timeout ends a dial to it. */
class BlackHoleDialTest {

    private static final Duration DIAL_TIMEOUT = Duration.ofMillis(1500);
    private static final Duration RETRY_MAX = Duration.ofSeconds(2);

    @RegisterExtension
    final PoolFixture fixture = new PoolFixture();

    @Test
    void dialTimeoutBoundsTheBlackHoleWhileTheOtherServerKeepsServing() throws Exception {
        BlackHole hole = fixture.blackHole();
        MockTcpServer a = fixture.server("a");
        RecordingListener events = new RecordingListener();
        ServerAddress h = addressOf(hole);
        long builtAt = System.nanoTime();
        ConnPool pool = fixture.pool(ConnPool.builder().name("hole")
                .servers(hole.address(), a.address())
                .dialTimeout(DIAL_TIMEOUT)
                .retryMin(Duration.ofMillis(500)).retryMax(RETRY_MAX)
                .listener(events));
        Traffic traffic = fixture.register(new Traffic(pool, 4)).start();
        await().atMost(Duration.ofSeconds(15)).until(() -> events.first(Type.SERVER_DOWN, h, builtAt) != null);
        RecordingListener.Event down = events.first(Type.SERVER_DOWN, h, builtAt);
        long detectMillis = TimeUnit.NANOSECONDS.toMillis(down.atNanos() - builtAt);
        long servedWhileDialing = traffic.successes(addressOf(a));
        assertThat(down.detail()).isInstanceOf(SocketTimeoutException.class);
        assertThat(detectMillis).as("the first dial ends at dialTimeout").isBetween(DIAL_TIMEOUT.toMillis() - 50,
                DIAL_TIMEOUT.toMillis() + 3_000);
        assertThat(traffic.maxAcquireNanos.get()).as("no caller waits more than one dial timeout")
                .isLessThan(DIAL_TIMEOUT.toNanos() + TimeUnit.SECONDS.toNanos(1));

        // while it is down, its probes time out in the background: callers never wait for them. Only acquires
        // that start now count: callers that joined the first dials while the hole was UNKNOWN finish them late
        long windowStart = System.nanoTime();
        traffic.measureAcquiresFrom(windowStart);
        // two probes that started in the window: a dial ends at dialTimeout, so those that fail after this
        long probesFailFrom = windowStart + DIAL_TIMEOUT.toNanos();
        await().atMost(Duration.ofSeconds(20)).until(
                () -> events.countBetween(Type.DIAL_FAILED, h, probesFailFrom, System.nanoTime()) >= 2);
        assertThat(traffic.maxAcquireNanosInWindow.get()).as("acquire while the hole is DOWN and probed")
                .isLessThan(DIAL_TIMEOUT.toNanos());

        traffic.mark();
        long openedAt = System.nanoTime();
        hole.startAccepting();
        await().atMost(Duration.ofSeconds(15)).until(() -> traffic.firstSuccessAfterMark(h) != 0);
        long recoverMillis = TimeUnit.NANOSECONDS.toMillis(traffic.firstSuccessAfterMark(h) - openedAt);
        traffic.stop();

        assertThat(servedWhileDialing).as("requests served by the other server during the first dial").isPositive();
        assertThat(traffic.unexpected).isEmpty();
        assertThat(traffic.failures()).as("no caller saw an error").isEmpty();
        assertThat(traffic.wrongReplies.sum()).isZero();
        assertThat(traffic.handedOutTwice.sum()).isZero();
        assertThat(recoverMillis).as("reconnected after the hole opened")
                .isLessThan(RETRY_MAX.toMillis() + DIAL_TIMEOUT.toMillis() + 2_000);
        PoolStats stats = pool.stats();
        assertThat(stats.active()).isZero();
        assertThat(stats.acquired()).isEqualTo(stats.released());
        pool.close();
        await().atMost(Duration.ofSeconds(5)).until(() -> a.openConnections() == 0);

        FaultMatrix.record("dial into a black hole (SYNs dropped)",
                "nothing: 0 errors, " + servedWhileDialing + " requests served by the other server during the first"
                        + " dial; slowest acquire < dialTimeout",
                detectMillis, recoverMillis,
                "DOWN at dialTimeout " + DIAL_TIMEOUT.toMillis() + " ms (+3000); back < retryMax + dialTimeout + 2000 ms");
    }
}
