package io.connpool.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.connpool.ConnPool;
import io.connpool.PoolStats;
import io.connpool.ServerAddress;
import io.connpool.testing.TestServer;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A server whose SYNs are dropped: only the dial timeout ends a dial to it. */
class BlackHoleDialTest {

    private static final Duration DIAL_TIMEOUT = Duration.ofMillis(1500);
    private static final Duration RETRY_MAX = Duration.ofSeconds(2);

    private final BlackHole hole = new BlackHole();
    private final TestServer a = TestServer.start("a");
    private ConnPool pool;
    private Traffic traffic;

    @AfterEach
    void tearDown() throws InterruptedException {
        if (traffic != null) {
            traffic.stop();
        }
        if (pool != null) {
            pool.close();
        }
        hole.close();
        a.close();
    }

    @Test
    void dialTimeoutBoundsTheBlackHoleWhileTheOtherServerKeepsServing() throws Exception {
        Events events = new Events();
        ServerAddress h = hole.address();
        long builtAt = System.nanoTime();
        pool = ConnPool.builder().name("hole")
                .servers(hole.hostPort(), a.hostPort())
                .dialTimeout(DIAL_TIMEOUT)
                .retryMin(Duration.ofMillis(500)).retryMax(RETRY_MAX)
                .listener(events)
                .build();
        traffic = new Traffic(pool, 4).start();
        await().atMost(Duration.ofSeconds(15)).until(() -> events.first("down", h, builtAt) != null);
        Events.Event down = events.first("down", h, builtAt);
        long detectMillis = TimeUnit.NANOSECONDS.toMillis(down.nanos() - builtAt);
        long servedWhileDialing = traffic.successes(a.address());
        assertThat(down.detail()).isInstanceOf(SocketTimeoutException.class);
        assertThat(detectMillis).as("the first dial ends at dialTimeout").isBetween(DIAL_TIMEOUT.toMillis() - 50,
                DIAL_TIMEOUT.toMillis() + 3_000);
        assertThat(traffic.maxAcquireNanos.get()).as("no caller waits more than one dial timeout")
                .isLessThan(DIAL_TIMEOUT.toNanos() + TimeUnit.SECONDS.toNanos(1));

        // while it is down, its probes time out in the background: callers never wait for them
        traffic.maxAcquireNanos.set(0);
        long failedDialsBefore = events.count("dialFailed", h);
        await().atMost(Duration.ofSeconds(20)).until(() -> events.count("dialFailed", h) >= failedDialsBefore + 2);
        assertThat(traffic.maxAcquireNanos.get()).as("acquire while the hole is probed")
                .isLessThan(DIAL_TIMEOUT.toNanos());

        traffic.mark();
        long openedAt = System.nanoTime();
        hole.open();
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
