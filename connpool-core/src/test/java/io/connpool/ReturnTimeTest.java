package io.connpool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.connpool.test.MockTcpServer;
import io.connpool.testing.LineClient;
import io.connpool.testing.PoolFixture;
import io.connpool.testing.RecordingListener;
import io.connpool.testing.RecordingListener.Type;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A return reads the clock only when something needs the time (a listener, the least-loaded balancer, waiting
 * callers); otherwise the borrow's start stands for the last use. What that keeps and what it costs, on a fake
 * clock over real loopback connections.
 */
class ReturnTimeTest {

    @RegisterExtension
    final PoolFixture fixture = new PoolFixture();

    private final FakeClock clock = new FakeClock();

    private DefaultConnPool pool(ConnPool.Builder builder) {
        DefaultConnPool pool = (DefaultConnPool) fixture.pool(clock.install(builder.minIdlePerServer(0)));
        clock.runDue();
        return pool;
    }

    @Test
    void aPlainReturnReadsNoClockAndOneWithAListenerDoes() throws Exception {
        MockTcpServer server = fixture.server("a");
        DefaultConnPool pool = pool(fixture.builder(server));
        pool.tryAcquire().close(); // the dial
        PooledConnection borrowed = pool.tryAcquire();
        long before = clock.reads();
        borrowed.close();
        assertThat(clock.reads() - before).as("clock reads of a plain return").isZero();

        RecordingListener events = new RecordingListener();
        pool.addListener(events);
        borrowed = pool.tryAcquire();
        clock.advance(Duration.ofMillis(5));
        before = clock.reads();
        borrowed.close();
        assertThat(clock.reads() - before).as("clock reads of a return a listener times").isEqualTo(1);
        assertThat(events.events(Type.RELEASED)).singleElement()
                .satisfies(e -> assertThat(e.nanos()).isEqualTo(Duration.ofMillis(5).toNanos()));
    }

    @Test
    void aConnectionHeldLongerThanTheValidationIntervalIsCheckedAtItsNextBorrow() throws Exception {
        MockTcpServer server = fixture.server("a");
        DefaultConnPool pool = pool(fixture.builder(server).maxConnectionsPerServer(1)
                .validationInterval(Duration.ofMillis(500)));
        PooledConnection held = pool.tryAcquire();
        assertThat(LineClient.call(held, "first")).isEqualTo("a:first");
        clock.advance(Duration.ofMillis(600));
        server.closeConnections(); // while it is borrowed: the pool cannot know until it looks
        await().atMost(Duration.ofSeconds(10)).until(() -> LivenessCheck.problem(held.socket()) != null);
        held.close();

        // returned a moment ago, but its last borrow started 600 ms ago: checked, found closed, replaced
        try (PooledConnection next = pool.tryAcquire()) {
            assertThat(LineClient.call(next, "second")).isEqualTo("a:second");
        }
        assertThat(pool.stats().closed()).isEqualTo(1);
        assertThat(server.acceptedConnections()).isEqualTo(2);
    }
}
