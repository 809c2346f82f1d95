package io.connpool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.connpool.test.MockTcpServer;
import io.connpool.testing.LineClient;
import io.connpool.testing.PoolFixture;
import java.io.InterruptedIOException;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ShutdownTest {

    @RegisterExtension
    final PoolFixture fixture = new PoolFixture();

    private MockTcpServer server;
    private ConnPool pool;

    /** One connection only, so a second caller has to wait. */
    private PooledConnection startAndBorrowTheOnlyConnection() throws Exception {
        server = fixture.server("a");
        pool = fixture.pool(fixture.builder(server).maxConnectionsPerServer(1));
        return pool.acquire();
    }

    @Test
    void aWaitingAcquireIsInterruptible() throws Exception {
        PooledConnection held = startAndBorrowTheOnlyConnection();
        ExecutorService threads = fixture.threads(1);
        AtomicReference<Thread> waiter = new AtomicReference<>();
        AtomicBoolean flagSetAfter = new AtomicBoolean();
        Future<Throwable> waiting = threads.submit(() -> {
            waiter.set(Thread.currentThread());
            try (PooledConnection c = pool.acquire(Duration.ofSeconds(30))) {
                return null;
            }
            catch (InterruptedIOException expected) {
                flagSetAfter.set(Thread.interrupted());
                return expected;
            }
        });
        await().until(() -> pool.stats().pending() == 1);

        long interrupted = System.nanoTime();
        waiter.get().interrupt();
        Throwable thrown = waiting.get(10, TimeUnit.SECONDS);

        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - interrupted)).isLessThan(2_000);
        assertThat(thrown).isInstanceOf(InterruptedIOException.class).hasMessageContaining(fixture.testName());
        assertThat(flagSetAfter).as("the interrupt flag is kept for the caller").isTrue();
        // nothing leaked: no waiter left, the held connection goes back and serves the next caller
        assertThat(pool.stats().pending()).isZero();
        Socket socket = held.socket();
        held.close();
        try (PooledConnection c = pool.acquire(Duration.ofSeconds(5))) {
            assertThat(c.socket()).isSameAs(socket);
        }
        assertThat(pool.stats().active()).isZero();
        assertThat(pool.stats().acquired()).isEqualTo(pool.stats().released());
    }

    @Test
    void waitingAcquirersGetPoolClosedExceptionWhenThePoolCloses() throws Exception {
        PooledConnection held = startAndBorrowTheOnlyConnection();
        ExecutorService threads = fixture.threads(3);
        Future<?>[] waiting = new Future<?>[3];
        for (int i = 0; i < waiting.length; i++) {
            waiting[i] = threads.submit(() -> pool.acquire(Duration.ofSeconds(30)));
        }
        await().until(() -> pool.stats().pending() == 3);

        long closed = System.nanoTime();
        pool.close();

        for (Future<?> caller : waiting) {
            assertThatThrownBy(() -> caller.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(PoolClosedException.class);
        }
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - closed)).isLessThan(2_000);
        held.close();
        await().until(() -> server.openConnections() == 0);
    }

    @Test
    void closeWithGraceWaitsForABorrowedConnectionReturnedInTime() throws Exception {
        PooledConnection held = startAndBorrowTheOnlyConnection();
        ExecutorService threads = fixture.threads(1);
        Future<Boolean> closing = threads.submit(() -> pool.close(Duration.ofSeconds(20)));
        await().until(pool::isClosed);
        assertThat(closing).as("waits while the connection is out").isNotDone();
        assertThat(LineClient.call(held, "finishing")).isEqualTo("a:finishing");

        long returned = System.nanoTime();
        held.close();

        assertThat(closing.get(10, TimeUnit.SECONDS)).isTrue();
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - returned)).isLessThan(2_000);
        await().until(() -> server.openConnections() == 0);
        assertThat(pool.stats().total()).isZero();
    }

    @Test
    void closeWithGraceForceClosesAConnectionKeptPastIt() throws Exception {
        PooledConnection held = startAndBorrowTheOnlyConnection();
        Socket socket = held.socket();

        long start = System.nanoTime();
        assertThat(pool.close(Duration.ofMillis(300))).isFalse();

        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isBetween(290L, 3_000L);
        assertThat(socket.isClosed()).isTrue();
        await().until(() -> server.openConnections() == 0);
        assertThat(pool.stats().total()).isZero();
        held.close(); // the late return is harmless
        assertThat(pool.stats().total()).isZero();
        PoolStats stats = pool.stats();
        assertThat(stats.released()).as("the forced close ended the borrow").isEqualTo(1);
        assertThat(stats.acquired()).isEqualTo(stats.released() + stats.active());
    }

    @Test
    void closeClosesIdleConnectionsAtOnceAndBorrowedOnesOnReturn() throws Exception {
        server = fixture.server("a");
        pool = fixture.pool(fixture.builder(server).minIdlePerServer(2));
        await().until(() -> pool.stats().idle() == 2);
        PooledConnection held = pool.acquire();
        await().until(() -> server.openConnections() == 2 || server.openConnections() == 3);

        pool.close();

        await().until(() -> server.openConnections() == 1);
        assertThat(LineClient.call(held, "last")).isEqualTo("a:last");
        held.close();
        await().until(() -> server.openConnections() == 0);
        assertThat(pool.close(Duration.ofSeconds(1))).isTrue();
    }

    @Test
    void closeWithGraceRightAfterBuildReturnsAsSoonAsTheWarmUpDialIsDone() {
        MockTcpServer server = fixture.server("a");
        for (int i = 0; i < 20; i++) {
            ConnPool pool = ConnPool.builder().name(fixture.testName()).servers(server.address()).build();
            long start = System.nanoTime();
            assertThat(pool.close(Duration.ofSeconds(5))).as("close %d: nothing was borrowed", i).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - start))
                    .as("close %d: a loopback dial takes microseconds, the grace is 5 s", i)
                    .isLessThan(Duration.ofSeconds(2));
        }
    }
}
