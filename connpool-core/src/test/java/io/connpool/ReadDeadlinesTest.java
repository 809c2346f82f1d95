package io.connpool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.connpool.test.MockTcpServer;
import io.connpool.testing.PoolFixture;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code readTimeout} without {@code SO_TIMEOUT}: a read through a borrow's input that outlives it ends with a
 * {@link SocketTimeoutException}, never before its bound and at most one tick after, and its connection is
 * never reused. On a fake clock the bound is exact; one real-time test shows it end to end.
 */
class ReadDeadlinesTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Framing<String> LINES = Framing.lines(StandardCharsets.UTF_8);

    @RegisterExtension
    final PoolFixture fixture = new PoolFixture();

    private MockTcpServer server() {
        return fixture.register(MockTcpServer.start());
    }

    @Test
    void aReadThatGetsNoReplyTimesOutAndItsConnectionIsNeverReused() throws Exception {
        MockTcpServer silent = server().fault(MockTcpServer.Fault.HANG);
        ConnPool pool = fixture.pool(ConnPool.builder().name(fixture.testName()).servers(silent.address())
                .minIdlePerServer(0).readTimeout(Duration.ofMillis(200)).ejectAfterFailures(0));

        long start = System.nanoTime();
        assertThatThrownBy(() -> pool.execute(c -> LINES.call(c, "anyone?"))).isInstanceOf(SocketTimeoutException.class)
                .hasMessageContaining("within the pool's readTimeout of 200 ms")
                .hasMessageContaining(silent.address());
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        // never early; late by a tick (12.5 ms) plus what a loaded machine adds
        assertThat(took).isBetween(Duration.ofMillis(200), Duration.ofMillis(200 + 1_000));
        assertThat(pool.stats().closed()).isEqualTo(1);
        silent.awaitOpenConnections(0, WAIT);
        silent.fault(MockTcpServer.Fault.NONE);
        assertThat(pool.<String>execute(c -> LINES.call(c, "again"))).isEqualTo("again");
        assertThat(pool.stats().created()).as("a new connection").isEqualTo(2);
    }

    @Test
    void onAFakeClockTheTimeoutFiresNotBeforeItsBoundAndAtMostATickAfter() throws Exception {
        MockTcpServer silent = server().fault(MockTcpServer.Fault.HANG);
        FakeClock clock = new FakeClock();
        ConnPool pool = fixture.pool(clock.install(ConnPool.builder().name(fixture.testName())
                .servers(silent.address()).minIdlePerServer(0).readTimeout(Duration.ofMillis(800))));
        PooledConnection c = pool.tryAcquire();
        c.output().write("hello\n".getBytes(StandardCharsets.UTF_8));
        CompletableFuture<Throwable> reader = CompletableFuture.supplyAsync(() -> {
            try {
                c.input().read();
                return null;
            }
            catch (IOException ex) {
                return ex;
            }
        });
        // the reader has armed its deadline once its entry shows one; only then does fake time count for it
        await().atMost(WAIT).until(() -> readArmed(c));

        clock.advance(Duration.ofMillis(799));
        assertThat(reader).as("still waiting one millisecond before the bound").isNotDone();
        clock.advance(Duration.ofMillis(1 + 50)); // the bound, plus one tick (800 ms / 16)

        assertThat(reader.get(10, TimeUnit.SECONDS)).isInstanceOf(SocketTimeoutException.class);
        c.close();
        assertThat(pool.stats().closed()).as("a timed-out connection is discarded").isEqualTo(1);
    }

    @Test
    void theSweepStartsWithAReadAndRunsOnlyWhileSomethingIsBorrowed() throws Exception {
        MockTcpServer echo = server();
        FakeClock clock = new FakeClock();
        ConnPool pool = fixture.pool(clock.install(ConnPool.builder().name(fixture.testName())
                .servers(echo.address()).minIdlePerServer(0).readTimeout(Duration.ofSeconds(30))
                .idleTimeout(Duration.ZERO).maxLifetime(Duration.ZERO)));
        try (PooledConnection c = pool.tryAcquire()) {
            assertThat(LINES.call(c, "x")).isEqualTo("x");
            clock.advance(Duration.ofMillis(300)); // sweeps at 100, 200 and 300 ms while borrowed
            assertThat(clock.nextDue()).as("the next sweep").isEqualTo(Duration.ofMillis(100));
        }
        clock.advance(Duration.ofMillis(200)); // the sweep at 400 ms finds nothing borrowed and stops
        assertThat(clock.nextDue()).as("only the housekeeper's first round, at 1 s, is left")
                .isEqualTo(Duration.ofMillis(500));

        try (PooledConnection c = pool.tryAcquire()) {
            assertThat(clock.nextDue()).as("a borrow alone costs nothing").isEqualTo(Duration.ofMillis(500));
            assertThat(LINES.call(c, "y")).isEqualTo("y");
            assertThat(clock.nextDue()).as("a read starts the sweep again").isEqualTo(Duration.ofMillis(100));
        }
    }

    @Test
    void theRawSocketHasTheReadTimeoutOnceABorrowerAsksForIt() throws Exception {
        MockTcpServer silent = server().fault(MockTcpServer.Fault.HANG);
        ConnPool pool = fixture.pool(ConnPool.builder().name(fixture.testName()).servers(silent.address())
                .minIdlePerServer(0).readTimeout(Duration.ofMillis(300)));
        try (PooledConnectionHandle c = (PooledConnectionHandle) pool.acquire()) {
            assertThat(c.entry.socket.getSoTimeout()).as("the pool's own reads are timed by the sweep").isZero();
            java.net.Socket raw = c.socket();
            assertThat(raw.getSoTimeout()).as("a raw reader gets the read timeout").isEqualTo(300);
            raw.getOutputStream().write("x\n".getBytes(StandardCharsets.UTF_8));
            assertThatThrownBy(() -> raw.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
            c.invalidate(); // the raw reader's own error: the pool does not see it
        }
    }

    @Test
    void withoutAReadTimeoutNothingIsSwept() throws Exception {
        MockTcpServer echo = server();
        FakeClock clock = new FakeClock();
        ConnPool pool = fixture.pool(clock.install(ConnPool.builder().name(fixture.testName())
                .servers(echo.address()).minIdlePerServer(0).readTimeout(Duration.ZERO)));
        try (PooledConnection c = pool.tryAcquire()) {
            assertThat(LINES.call(c, "x")).isEqualTo("x");
            assertThat(clock.nextDue()).as("only the housekeeper's first round").isEqualTo(Duration.ofSeconds(1));
        }
    }

    private static boolean readArmed(PooledConnection c) {
        return ((PooledConnectionHandle) c).entry.readInProgress();
    }
}
