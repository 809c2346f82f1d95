package io.connpool;

import static io.connpool.testing.PoolFixture.addressOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.connpool.ConnPoolListener.CloseReason;
import io.connpool.test.MockTcpServer;
import io.connpool.testing.LineClient;
import io.connpool.testing.PoolFixture;
import io.connpool.testing.RecordingListener;
import io.connpool.testing.RecordingListener.Event;
import io.connpool.testing.RecordingListener.Type;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class IdleAndLifetimeTest {

    @RegisterExtension
    final PoolFixture fixture = new PoolFixture();

    private final RecordingListener events = new RecordingListener();

    @Test
    void connectionsAboveMinIdleCloseAfterTheIdleTimeout() throws Exception {
        MockTcpServer server = fixture.server("a");
        long idleTimeoutMillis = 300;
        ConnPool pool = fixture.pool(fixture.builder(server).maxConnectionsPerServer(4).minIdlePerServer(1)
                .idleTimeout(Duration.ofMillis(idleTimeoutMillis)).listener(events));
        // every connection is idle from this time on at the earliest (min idle may dial one meanwhile)
        long idleFrom = System.nanoTime();
        List<PooledConnection> held = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            held.add(pool.acquire());
        }
        held.forEach(PooledConnection::close);
        assertThat(pool.stats().idle()).isGreaterThanOrEqualTo(3);

        await().atMost(Duration.ofSeconds(10)).until(() -> pool.stats().idle() == 1 && server.openConnections() == 1);

        List<Event> closes = events.events(Type.CONNECTION_CLOSED);
        assertThat(closes).isNotEmpty().allSatisfy(e -> {
            assertThat(e.detail()).isEqualTo(CloseReason.IDLE_TIMEOUT);
            assertThat(TimeUnit.NANOSECONDS.toMillis(e.atNanos() - idleFrom))
                    .as("closed only after being idle for idleTimeout").isGreaterThanOrEqualTo(idleTimeoutMillis);
        });
        // min idle is kept: the last one stays past the timeout
        PoolFixture.letTimePass(Duration.ofMillis(2 * idleTimeoutMillis));
        assertThat(pool.stats().idle()).isEqualTo(1);
        try (PooledConnection c = pool.acquire()) {
            assertThat(LineClient.call(c, "x")).isEqualTo("a:x");
        }
    }

    @Test
    void idleConnectionsAreReplacedAtTheirMaxLifetimeAndBorrowedOnesRetiredOnReturn() throws Exception {
        MockTcpServer server = fixture.server("a");
        ConnPool pool = fixture.pool(fixture.builder(server).maxConnectionsPerServer(4).minIdlePerServer(1)
                .maxLifetime(Duration.ofMillis(400)).listener(events));
        PooledConnection borrowed = pool.acquire();
        Socket old = borrowed.socket();
        long borrowedAt = System.nanoTime();

        // min idle dials a second connection, younger than the borrowed one; once the pool has retired
        // it for its age, the borrowed one is past its lifetime too
        await().atMost(Duration.ofSeconds(10))
                .until(() -> events.closed(addressOf(server), CloseReason.MAX_LIFETIME) >= 1);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - borrowedAt)).isGreaterThanOrEqualTo(390);
        // replaced: min idle refilled with a new connection
        await().until(() -> pool.stats().idle() == 1);
        assertThat(old.isClosed()).as("borrowed: left alone until returned").isFalse();
        assertThat(LineClient.call(borrowed, "old")).isEqualTo("a:old");

        long retiredBefore = events.closed(addressOf(server), CloseReason.MAX_LIFETIME);
        borrowed.close();
        assertThat(old.isClosed()).as("retired on return").isTrue();
        assertThat(events.closed(addressOf(server), CloseReason.MAX_LIFETIME)).isEqualTo(retiredBefore + 1);
        try (PooledConnection c = pool.acquire()) {
            assertThat(c.socket()).isNotSameAs(old);
            assertThat(LineClient.call(c, "new")).isEqualTo("a:new");
        }
    }

    @Test
    void minIdleIsRefilledInTheBackgroundAfterTheServerClosedEveryConnection() {
        MockTcpServer server = fixture.server("a");
        ConnPool pool = fixture.pool(fixture.builder(server).maxConnectionsPerServer(4).minIdlePerServer(2)
                // housekeeping runs at a quarter of the idle timeout: every 500 ms here
                .idleTimeout(Duration.ofSeconds(2)).listener(events));
        await().until(() -> pool.stats().idle() == 2 && server.openConnections() == 2);

        server.closeConnections();

        // no acquire: the pool finds the dead connections and dials new ones by itself
        await().atMost(Duration.ofSeconds(10))
                .until(() -> server.acceptedConnections() == 4 && server.openConnections() == 2);
        assertThat(pool.stats().idle()).isEqualTo(2);
        assertThat(pool.stats().created()).isEqualTo(4);
        assertThat(pool.servers().get(0).state()).isEqualTo(ServerState.UP);
    }

    @Test
    void minIdleIsDialedAtStartWithoutAnyAcquire() {
        MockTcpServer server = fixture.server("a");
        ConnPool pool = fixture.pool(fixture.builder(server).minIdlePerServer(3));

        await().until(() -> server.openConnections() == 3);
        assertThat(pool.stats().idle()).isEqualTo(3);
        assertThat(pool.servers().get(0).state()).isEqualTo(ServerState.UP);
    }
}
