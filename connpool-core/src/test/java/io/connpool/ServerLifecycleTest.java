package io.connpool;

import static io.connpool.testing.PoolFixture.addressOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.connpool.test.MockTcpServer;
import io.connpool.testing.CountingDialer;
import io.connpool.testing.LineClient;
import io.connpool.testing.PoolFixture;
import io.connpool.testing.RecordingListener;
import io.connpool.testing.RecordingListener.Type;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The state machine inside a real pool, over real loopback connections, on a fake clock: ejection, the one
 * probe at exactly its backoff, probation with its single trial borrow, and the verdict of that borrow.
 * The server breaks a connection on request ({@code reset}: an RST instead of an answer).
 */
class ServerLifecycleTest {

    @RegisterExtension
    final PoolFixture fixture = new PoolFixture();

    private final FakeClock clock = new FakeClock();
    private final RecordingListener events = new RecordingListener();
    /** Counts dials as the pool makes them (the server counts a connection only when its thread accepts it). */
    private final CountingDialer dialer = CountingDialer.tcp();

    private ConnPool pool(MockTcpServer server) {
        server.fault(MockTcpServer.Fault.RESET, "reset"::equals);
        ConnPool pool = fixture.pool(clock.install(fixture.builder(server).ejectAfterFailures(2).dialer(dialer)
                .backoff(failures -> Duration.ofMillis(100L << (failures - 1))).listener(events)));
        clock.runDue();
        return pool;
    }

    private static void breakOne(ConnPool pool) throws Exception {
        try (PooledConnection c = pool.tryAcquire()) {
            assertThatThrownBy(() -> LineClient.call(c, "reset")).isInstanceOf(IOException.class);
        }
    }

    private static ServerState state(ConnPool pool) {
        return pool.servers().get(0).state();
    }

    /** Ejects the server (2 broken connections) and lets its backoff pass: its probe puts it on probation. */
    private void ejectAndProbe(ConnPool pool) throws Exception {
        breakOne(pool);
        breakOne(pool);
        clock.advance(Duration.ofMillis(100));
        assertThat(state(pool)).isEqualTo(ServerState.PROBATION);
    }

    @Test
    void anEjectedServerIsProbedOnceAtItsBackoffThenOnProbationUntilItsTrialComesBackHealthy() throws Exception {
        MockTcpServer server = fixture.server("a");
        ConnPool pool = pool(server);
        assertThat(state(pool)).isEqualTo(ServerState.UP);

        breakOne(pool);
        assertThat(state(pool)).isEqualTo(ServerState.UP);
        breakOne(pool);
        assertThat(state(pool)).as("ejected after 2").isEqualTo(ServerState.DOWN);
        int accepted = dialer.count(addressOf(server));

        clock.advance(Duration.ofMillis(99));
        assertThat(dialer.count(addressOf(server))).as("no dial before the backoff is up").isEqualTo(accepted);
        assertThatThrownBy(pool::tryAcquire).isInstanceOf(NoServerAvailableException.class);
        clock.advance(Duration.ofMillis(1));
        assertThat(dialer.count(addressOf(server))).as("exactly one probe").isEqualTo(accepted + 1);
        assertThat(state(pool)).isEqualTo(ServerState.PROBATION);

        PooledConnection trial = pool.tryAcquire();
        Throwable other = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try (PooledConnection c = pool.tryAcquire()) {
                return null;
            }
            catch (Throwable ex) {
                return ex;
            }
        }).get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(other).as("one trial borrow at a time: another caller is refused")
                .isInstanceOf(PoolExhaustedException.class).hasMessageContaining("is PROBATION")
                .hasMessageContaining("its one trial borrow is out");
        assertThat(dialer.count(addressOf(server))).as("no dial while on probation").isEqualTo(accepted + 1);
        assertThat(LineClient.call(trial, "hello")).isEqualTo("a:hello");
        trial.close();

        assertThat(state(pool)).isEqualTo(ServerState.UP);
        assertThat(events.count(Type.SERVER_UP)).isEqualTo(2);
        assertThat(pool.servers().get(0).consecutiveFailures()).isZero();
        clock.runDue();
        try (PooledConnection a = pool.tryAcquire(); PooledConnection b = pool.tryAcquire()) {
            assertThat(LineClient.call(a, "x") + LineClient.call(b, "y")).as("up: dials allowed again")
                    .isEqualTo("a:xa:y");
        }
    }

    @Test
    void theTrialsOwnCallerMayBorrowASecondConnectionRatherThanWaitForItself() throws Exception {
        MockTcpServer server = fixture.server("a");
        ConnPool pool = pool(server);
        ejectAndProbe(pool);

        try (PooledConnection trial = pool.tryAcquire(); PooledConnection second = pool.tryAcquire()) {
            assertThat(LineClient.call(second, "two")).isEqualTo("a:two");
            assertThat(LineClient.call(trial, "one")).isEqualTo("a:one");
        }
        assertThat(state(pool)).isEqualTo(ServerState.UP);
    }

    @Test
    void aFailedTrialSendsTheServerStraightBackDownWithALongerBackoff() throws Exception {
        MockTcpServer server = fixture.server("a");
        ConnPool pool = pool(server);
        ejectAndProbe(pool);

        breakOne(pool); // the trial breaks

        ServerStatus down = pool.servers().get(0);
        assertThat(down.state()).isEqualTo(ServerState.DOWN);
        assertThat(down.consecutiveFailures()).as("a second ejection: one step longer").isEqualTo(2);
        int accepted = dialer.count(addressOf(server));
        clock.advance(Duration.ofMillis(199));
        assertThat(dialer.count(addressOf(server))).isEqualTo(accepted);
        clock.advance(Duration.ofMillis(1));
        assertThat(dialer.count(addressOf(server))).isEqualTo(accepted + 1);
        assertThat(state(pool)).isEqualTo(ServerState.PROBATION);
    }

    @Test
    void anInvalidatedTrialGivesNoVerdictAndTheNextBorrowTriesAgain() throws Exception {
        MockTcpServer server = fixture.server("a");
        ConnPool pool = pool(server);
        ejectAndProbe(pool);

        pool.tryAcquire().invalidate(); // the borrower's own verdict on its reply, not the server's
        assertThat(state(pool)).isEqualTo(ServerState.PROBATION);

        try (PooledConnection second = pool.tryAcquire()) { // dials: the trial's connection was closed
            assertThat(LineClient.call(second, "ok")).isEqualTo("a:ok");
        }
        assertThat(state(pool)).isEqualTo(ServerState.UP);
    }

    @Test
    void connectionsOpenedBeforeAnOutageAreClosedWhenTheyComeBack() throws Exception {
        MockTcpServer server = fixture.server("a");
        ConnPool pool = pool(server);
        PooledConnection fromBefore = pool.tryAcquire();
        ejectAndProbe(pool);

        fromBefore.close(); // healthy, but from before the outage: it decides nothing and is not kept

        assertThat(state(pool)).isEqualTo(ServerState.PROBATION);
        assertThat(pool.stats().idle()).as("only the probe's connection").isEqualTo(1);
    }

    @Test
    void aClosedPoolNeverDials() throws Exception {
        MockTcpServer server = fixture.server("a");
        ConnPool pool = pool(server);
        int accepted = dialer.count(addressOf(server));
        pool.close();

        for (int i = 0; i < 20; i++) {
            assertThatThrownBy(pool::tryAcquire).isInstanceOf(PoolClosedException.class);
            assertThatThrownBy(() -> pool.acquire(Duration.ofMillis(10))).isInstanceOf(PoolClosedException.class);
        }
        clock.advance(Duration.ofHours(1));
        assertThat(dialer.count(addressOf(server))).isEqualTo(accepted);
        assertThat(pool.servers()).allSatisfy(status -> assertThat(status.state()).isEqualTo(ServerState.REMOVED));
    }
}
