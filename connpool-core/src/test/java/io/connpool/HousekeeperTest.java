package io.connpool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.connpool.test.MockTcpServer;
import io.connpool.testing.LineClient;
import io.connpool.testing.PoolFixture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Housekeeping as a function of time: {@link Housekeeper#run(long)} at synthetic times, on a pool whose clock
 * and scheduler are fake, over real loopback connections. Ten minutes of idleness take no time at all.
 */
class HousekeeperTest {

    @RegisterExtension
    final PoolFixture fixture = new PoolFixture();

    private final FakeClock clock = new FakeClock();

    private DefaultConnPool pool(ConnPool.Builder builder) {
        DefaultConnPool pool = (DefaultConnPool) fixture.pool(clock.install(builder));
        clock.runDue(); // the warm-up dial
        return pool;
    }

    private static long at(long start, Duration after) {
        return start + after.toNanos();
    }

    /** Borrows {@code n} connections at once, so that {@code n} are open, and gives them back. */
    private static void openAtOnce(ConnPool pool, int n) throws Exception {
        List<PooledConnection> held = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            held.add(pool.tryAcquire());
        }
        for (PooledConnection c : held) {
            c.close();
        }
    }

    @Test
    void idleConnectionsAboveMinIdleCloseAfterTheIdleTimeoutAndMinIdleIsKept() throws Exception {
        MockTcpServer server = fixture.server("a");
        DefaultConnPool pool = pool(fixture.builder(server).minIdlePerServer(1).maxConnectionsPerServer(4)
                .idleTimeout(Duration.ofMinutes(10)).maxLifetime(Duration.ZERO));
        openAtOnce(pool, 3);
        long start = clock.nanoTime();
        assertThat(pool.stats().idle()).isEqualTo(3);
        pool.housekeeper.run(start); // the round that sees them back: the scheduler runs one at least every second

        long delay = pool.housekeeper.run(at(start, Duration.ofMinutes(9)));
        assertThat(pool.stats().idle()).as("nine minutes idle: kept").isEqualTo(3);
        assertThat(delay).as("next round").isBetween(Housekeeper.MIN_DELAY_NANOS, Housekeeper.SWEEP_INTERVAL_NANOS);

        pool.housekeeper.run(at(start, Duration.ofMinutes(10).plusMillis(1)));
        assertThat(pool.stats().idle()).as("min idle stays").isEqualTo(1);
        await().atMost(Duration.ofSeconds(10)).until(() -> server.openConnections() == 1);
        assertThat(pool.stats().closed()).isEqualTo(2);
    }

    @Test
    void aConnectionHeldLongerThanTheIdleTimeoutIsNotClosedAsItComesBack() throws Exception {
        MockTcpServer server = fixture.server("a");
        DefaultConnPool pool = pool(fixture.builder(server).minIdlePerServer(0).idleTimeout(Duration.ofMinutes(10))
                .maxLifetime(Duration.ZERO));
        PooledConnection held = pool.tryAcquire();
        clock.advance(Duration.ofMinutes(15)); // the rounds meanwhile find it borrowed
        held.close(); // a return reads no clock: its last use on record is when the borrow started
        long back = clock.nanoTime();

        pool.housekeeper.run(at(back, Duration.ofSeconds(1)));
        assertThat(pool.stats().idle()).as("idle for a second, not for fifteen minutes").isEqualTo(1);
        pool.housekeeper.run(at(back, Duration.ofMinutes(10)));
        assertThat(pool.stats().idle()).as("idle ten minutes, counted from the round that saw it back").isEqualTo(1);

        pool.housekeeper.run(at(back, Duration.ofMinutes(10).plusSeconds(2)));
        assertThat(pool.stats().idle()).as("closed at most one round late").isZero();
        await().atMost(Duration.ofSeconds(10)).until(() -> server.openConnections() == 0);
    }

    @Test
    void connectionsPastTheirLifetimeAreReplacedByTheRefill() throws Exception {
        MockTcpServer server = fixture.server("a");
        DefaultConnPool pool = pool(fixture.builder(server).minIdlePerServer(1).maxLifetime(Duration.ofMinutes(30)));
        long start = clock.nanoTime();
        // the server counts a connection when its accept thread gets to it, a moment after the dial
        await().atMost(Duration.ofSeconds(10)).until(() -> server.acceptedConnections() == 1);

        pool.housekeeper.run(at(start, Duration.ofMinutes(29)));
        assertThat(pool.stats().closed()).as("a few percent shorter at random, never more than 2.5 %").isZero();

        pool.housekeeper.run(at(start, Duration.ofMinutes(30)));
        assertThat(pool.stats().closed()).isEqualTo(1);
        clock.runDue(); // the refill the close asked for
        assertThat(pool.stats().idle()).isEqualTo(1);
        await().atMost(Duration.ofSeconds(10)).until(() -> server.acceptedConnections() == 2);
    }

    @Test
    void theNextRoundIsDueWhenTheNextConnectionExpires() throws Exception {
        MockTcpServer server = fixture.server("a");
        DefaultConnPool pool = pool(fixture.builder(server).minIdlePerServer(1).maxLifetime(Duration.ofSeconds(2)));
        long start = clock.nanoTime();

        long early = pool.housekeeper.run(start);
        assertThat(Duration.ofNanos(early)).as("a quarter of the lifetime at most").isLessThanOrEqualTo(
                Duration.ofMillis(500));

        long late = pool.housekeeper.run(at(start, Duration.ofMillis(1900)));
        // it expires between 1,950 and 2,000 ms after it was opened: the round is due then, not a period later
        assertThat(Duration.ofNanos(late)).isBetween(Duration.ofMillis(49), Duration.ofMillis(100));

        pool.housekeeper.run(at(start, Duration.ofMillis(1900)) + late);
        assertThat(pool.stats().closed()).isEqualTo(1);
    }

    @Test
    void theSweepFindsAConnectionTheServerClosedAndTheRefillFindsTheServerDown() throws Exception {
        MockTcpServer server = fixture.server("a");
        DefaultConnPool pool = pool(fixture.builder(server).minIdlePerServer(1));
        assertThat(pool.servers().get(0).state()).isEqualTo(ServerState.UP);

        server.stop(); // a FIN on the idle connection, and connects refused from now on
        long start = clock.nanoTime();
        // the FIN crosses loopback in real time: sweep until it has arrived
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            pool.housekeeper.run(at(start, Duration.ofSeconds(1)));
            return pool.stats().idle() == 0;
        });
        clock.runDue(); // the refill dial: refused

        ServerStatus status = pool.servers().get(0);
        assertThat(status.state()).isEqualTo(ServerState.DOWN);
        assertThat(status.lastError()).contains("Connection refused");
    }

    @Test
    void aSoftEvictClosesIdleConnectionsNowAndBorrowedOnesWhenReturned() throws Exception {
        MockTcpServer server = fixture.server("a");
        DefaultConnPool pool = pool(fixture.builder(server).minIdlePerServer(1).maxConnectionsPerServer(4));
        openAtOnce(pool, 2);
        PooledConnection borrowed = pool.tryAcquire();
        int borrowedPort = borrowed.socket().getLocalPort();

        pool.softEvict();
        assertThat(pool.stats().idle()).isZero();
        assertThat(LineClient.call(borrowed, "still")).isEqualTo("a:still");
        borrowed.close();
        assertThat(pool.stats().total()).isZero();

        clock.runDue(); // refill
        try (PooledConnection fresh = pool.tryAcquire()) {
            assertThat(fresh.socket().getLocalPort()).isNotEqualTo(borrowedPort);
        }
        pool.softEvict();
        clock.runDue();
        try (PooledConnection again = pool.tryAcquire()) {
            assertThat(LineClient.call(again, "after")).as("not sticky: reused again").isEqualTo("a:after");
        }
    }
}
