package io.connpool;

import static io.connpool.testing.PoolFixture.addressOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.connpool.test.MockTcpServer;
import io.connpool.testing.LineClient;
import io.connpool.testing.PoolFixture;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.nio.channels.ClosedByInterruptException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class EjectionTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @RegisterExtension
    final PoolFixture fixture = new PoolFixture();

    private final MockTcpServer slow = fixture.server("slow");
    private final MockTcpServer fast = fixture.server("fast");
    private ConnPool pool;

    private ServerStatus status(MockTcpServer server) {
        return PoolFixture.status(pool, server);
    }

    private void timeOutOnce() throws Exception {
        try (PooledConnection c = pool.acquire()) {
            assertThat(c.server()).isEqualTo(addressOf(slow));
            assertThatThrownBy(() -> LineClient.call(c, "anyone?")).isInstanceOf(SocketTimeoutException.class);
        }
    }

    @Test
    void consecutiveBrokenConnectionsEjectTheServerAndOneProbeBringsItBack() throws Exception {
        slow.fault(MockTcpServer.Fault.HANG);
        pool = fixture.pool(ConnPool.builder().name("ej").servers(slow.address()).ejectAfterFailures(3)
                .readTimeout(Duration.ofMillis(100)).retryMin(Duration.ofMillis(100)).retryMax(Duration.ofMillis(200)));

        timeOutOnce();
        timeOutOnce();
        assertThat(status(slow).state()).as("two slow answers are not an outage").isEqualTo(ServerState.UP);
        assertThat(status(slow).consecutiveFailures()).isEqualTo(2);
        timeOutOnce();

        ServerStatus ejected = status(slow);
        assertThat(ejected.state()).isEqualTo(ServerState.DOWN);
        assertThat(ejected.lastError()).contains("3 consecutive connections failed").contains("SocketTimeoutException");
        assertThat(ejected.nextRetry()).isNotNull();
        assertThatThrownBy(pool::tryAcquire).isInstanceOf(NoServerAvailableException.class)
                .hasMessageContaining(slow.address());

        slow.fault(MockTcpServer.Fault.NONE);
        // the probe connects: on probation until a borrowed connection comes back healthy
        await().atMost(WAIT).until(() -> status(slow).state() == ServerState.PROBATION);
        try (PooledConnection c = pool.acquire()) {
            assertThat(LineClient.call(c, "back")).isEqualTo("slow:back");
        }
        assertThat(status(slow).state()).isEqualTo(ServerState.UP);
        assertThat(status(slow).consecutiveFailures()).isZero();
    }

    @Test
    void aCleanReturnResetsTheFailureCount() throws Exception {
        slow.fault(MockTcpServer.Fault.HANG);
        pool = fixture.pool(ConnPool.builder().name("ej").servers(slow.address()).ejectAfterFailures(3)
                .readTimeout(Duration.ofMillis(100)));
        timeOutOnce();
        timeOutOnce();
        slow.fault(MockTcpServer.Fault.NONE);
        try (PooledConnection c = pool.acquire()) {
            assertThat(LineClient.call(c, "ok")).isEqualTo("slow:ok");
        }
        assertThat(status(slow).consecutiveFailures()).isZero();
        slow.fault(MockTcpServer.Fault.HANG);
        timeOutOnce();
        timeOutOnce();

        assertThat(status(slow).state()).isEqualTo(ServerState.UP);
    }

    @Test
    void whileOneServerIsEjectedTheOthersServeEveryone() throws Exception {
        slow.fault(MockTcpServer.Fault.HANG);
        pool = fixture.pool(ConnPool.builder().name("ej").servers(slow.address(), fast.address()).ejectAfterFailures(1)
                .readTimeout(Duration.ofMillis(100)).retryMin(Duration.ofSeconds(30)).retryMax(Duration.ofSeconds(30)));
        await().atMost(WAIT).until(() -> pool.stats().idle() == 2);
        for (int i = 0; i < 2; i++) {
            try (PooledConnection c = pool.acquire()) {
                try {
                    LineClient.call(c, "x");
                }
                catch (SocketTimeoutException expected) {
                    // the slow one
                }
            }
        }
        assertThat(status(slow).state()).isEqualTo(ServerState.DOWN);

        for (int i = 0; i < 20; i++) {
            try (PooledConnection c = pool.acquire()) {
                assertThat(LineClient.call(c, "x")).isEqualTo("fast:x");
            }
        }
    }

    @Test
    void theBorrowersOwnInterruptionNeverEjectsAServer() throws Exception {
        slow.fault(MockTcpServer.Fault.HANG);
        pool = fixture.pool(ConnPool.builder().name("ej").servers(slow.address()).ejectAfterFailures(1)
                .readTimeout(Duration.ZERO));
        CountDownLatch reading = new CountDownLatch(1);
        AtomicReference<Throwable> seen = new AtomicReference<>();
        Thread reader = new Thread(() -> {
            try (PooledConnection c = pool.acquire()) {
                c.output().write("hello?\n".getBytes());
                reading.countDown();
                c.input().read();
            }
            catch (IOException ex) {
                seen.set(ex);
            }
        });
        reader.start();
        assertThat(reading.await(10, TimeUnit.SECONDS)).isTrue();
        await().atMost(WAIT).until(() -> reader.getState() == Thread.State.RUNNABLE
                || reader.getState() == Thread.State.WAITING || reader.getState() == Thread.State.TIMED_WAITING);

        reader.interrupt();
        reader.join(10_000);

        assertThat(seen.get()).isInstanceOfAny(InterruptedIOException.class, ClosedByInterruptException.class);
        assertThat(status(slow).state()).isEqualTo(ServerState.UP);
        assertThat(status(slow).consecutiveFailures()).isZero();
        assertThat(pool.stats().active()).isZero();
    }

    @Test
    void ejectionCanBeTurnedOff() throws Exception {
        slow.fault(MockTcpServer.Fault.HANG);
        pool = fixture.pool(ConnPool.builder().name("ej").servers(slow.address()).ejectAfterFailures(0)
                .readTimeout(Duration.ofMillis(50)));
        for (int i = 0; i < 6; i++) {
            timeOutOnce();
        }
        assertThat(status(slow).state()).isEqualTo(ServerState.UP);
        assertThat(status(slow).consecutiveFailures()).isEqualTo(6);
    }
}
