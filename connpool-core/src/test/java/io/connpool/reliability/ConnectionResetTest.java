package io.connpool.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.connpool.ConnPool;
import io.connpool.ConnPoolListener.CloseReason;
import io.connpool.PoolStats;
import io.connpool.PooledConnection;
import io.connpool.test.MockTcpServer;
import io.connpool.testing.LineClient;
import io.connpool.testing.PoolFixture;
import io.connpool.testing.RecordingListener;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The server resets a connection (RST, SO_LINGER 0) while a request is in flight, or while it sits idle. */
class ConnectionResetTest {

    @RegisterExtension
    final PoolFixture fixture = new PoolFixture();

    private final MockTcpServer a = fixture.server("a");
    private final MockTcpServer b = fixture.server("b");
    private ConnPool pool;
    private Traffic traffic;

    @Test
    void resetInFlightFailsOnlyThatRequestAndTheConnectionIsNeverReused() throws Exception {
        // the request "reset" is answered with an RST (SO_LINGER 0) instead of a reply; the rest are served
        a.fault(MockTcpServer.Fault.RESET, "reset"::equals);
        b.fault(MockTcpServer.Fault.RESET, "reset"::equals);
        RecordingListener events = new RecordingListener();
        pool = fixture.pool(ConnPool.builder().name("reset")
                .servers(a.address(), b.address())
                .maxConnectionsPerServer(4)
                .readTimeout(Duration.ofSeconds(5))
                .listener(events));
        LongAdder resetsSent = new LongAdder();
        AtomicLong maxDetectNanos = new AtomicLong();
        AtomicLong maxRecoverNanos = new AtomicLong();
        ThreadLocal<long[]> lastFailure = ThreadLocal.withInitial(() -> new long[1]);
        Traffic.Call call = (connection, token) -> {
            long sequence = Long.parseLong(token.substring(token.indexOf('-') + 1));
            if (sequence % 10 == 5) {
                resetsSent.increment();
                long sent = System.nanoTime();
                try {
                    LineClient.call(connection, "reset");
                }
                catch (IOException expected) {
                    long now = System.nanoTime();
                    maxDetectNanos.accumulateAndGet(now - sent, Math::max);
                    lastFailure.get()[0] = now;
                    throw expected;
                }
                return false; // an answer to a reset: wrong
            }
            boolean right = LineClient.call(connection, token).endsWith(":" + token);
            long failedAt = lastFailure.get()[0];
            if (right && failedAt != 0) {
                maxRecoverNanos.accumulateAndGet(System.nanoTime() - failedAt, Math::max);
                lastFailure.get()[0] = 0;
            }
            return right;
        };
        traffic = fixture.register(new Traffic(pool, 8, Duration.ofSeconds(5), call)).start();
        await().atMost(Duration.ofSeconds(30)).until(() -> resetsSent.sum() >= 300);
        traffic.stop();

        assertThat(traffic.unexpected).isEmpty();
        assertThat(traffic.wrongReplies.sum()).isZero();
        assertThat(traffic.handedOutTwice.sum()).isZero();
        assertThat(traffic.failures()).as("exactly the reset requests fail, each with an IOException on its server")
                .hasSize((int) resetsSent.sum())
                .allSatisfy(f -> assertThat(f.server()).isNotNull());
        assertThat(events.closed(CloseReason.BROKEN)).as("every reset connection is closed, none returned to idle")
                .isEqualTo(resetsSent.sum());
        PoolStats stats = pool.stats();
        assertThat(stats.active()).isZero();
        assertThat(stats.acquired()).isEqualTo(stats.released());
        assertThat(stats.total()).isLessThanOrEqualTo(stats.max());
        pool.close();
        await().atMost(Duration.ofSeconds(5)).until(() -> a.openConnections() == 0 && b.openConnections() == 0);

        long detect = TimeUnit.NANOSECONDS.toMillis(maxDetectNanos.get());
        long recover = TimeUnit.NANOSECONDS.toMillis(maxRecoverNanos.get());
        assertThat(detect).as("an RST is seen at once, not after readTimeout").isLessThan(2_000);
        assertThat(recover).as("the caller's next request succeeds on another connection").isLessThan(2_000);
        FaultMatrix.record("connection reset (RST) mid-request",
                "SocketException/EOF on that request only (" + resetsSent.sum() + "/" + resetsSent.sum()
                        + "); connection closed, never reused",
                detect, recover, "detect < 2000 ms (readTimeout 5000); caller's next request < 2000 ms (worst case)");
    }

    @Test
    void idleConnectionsResetByTheServerAreDiscardedOnBorrowNotHandedOut() throws Exception {
        RecordingListener events = new RecordingListener();
        pool = fixture.pool(ConnPool.builder().name("idle-reset")
                .servers(a.address())
                .maxConnectionsPerServer(4).minIdlePerServer(4)
                .validationInterval(Duration.ZERO)
                .listener(events));
        await().atMost(Duration.ofSeconds(10)).until(() -> pool.stats().idle() == 4 && a.openConnections() == 4);
        assertThat(Resources.establishedTo(a.port())).as("the pool's connections, as the kernel lists them").isEqualTo(4);

        long resetAt = System.nanoTime();
        a.resetConnections();
        // the check on borrow can only see a reset the kernel has delivered: on a loaded machine that may lag
        await().atMost(Duration.ofSeconds(5)).until(() -> Resources.establishedTo(a.port()) == 0);
        // four at once, so that every one of the four idle connections has to be looked at
        List<PooledConnection> held = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                held.add(pool.acquire());
            }
            for (int i = 0; i < 4; i++) {
                assertThat(LineClient.call(held.get(i), "after-" + i)).isEqualTo("a:after-" + i);
            }
        }
        finally {
            held.forEach(PooledConnection::close);
        }
        long firstReplyAt = System.nanoTime();
        for (int i = 4; i < 8; i++) {
            try (PooledConnection c = pool.acquire()) {
                assertThat(LineClient.call(c, "after-" + i)).isEqualTo("a:after-" + i);
            }
        }
        assertThat(events.closed(CloseReason.VALIDATION_FAILED)).as("the 4 reset idle connections, found on borrow")
                .isEqualTo(4);
        PoolStats stats = pool.stats();
        assertThat(stats.acquired()).isEqualTo(8);
        assertThat(stats.released()).isEqualTo(8);
        pool.close();
        await().atMost(Duration.ofSeconds(5)).until(() -> a.openConnections() == 0);

        long recover = TimeUnit.NANOSECONDS.toMillis(firstReplyAt - resetAt);
        assertThat(recover).isLessThan(2_000);
        FaultMatrix.record("idle connections reset (RST) by the server",
                "nothing: 0 of 8 requests failed; the 4 reset idle connections were discarded by the check on borrow",
                FaultMatrix.NOT_APPLICABLE, recover,
                "0 failures when idle > validationInterval (here 0); first reply < 2000 ms");
    }
}
