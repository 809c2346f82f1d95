package io.connpool;

import static io.connpool.testing.PoolFixture.addressOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.connpool.test.MockTcpServer;
import io.connpool.testing.LineClient;
import io.connpool.testing.PoolFixture;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class MisuseTest {

    @RegisterExtension
    final PoolFixture fixture = new PoolFixture();

    private MockTcpServer server;
    private ConnPool pool;

    private void start(int maxConnections) {
        server = fixture.server("a");
        pool = fixture.pool(fixture.builder(server).maxConnectionsPerServer(maxConnections));
        await().until(() -> pool.stats().idle() == 1);
    }

    @Test
    void aSecondCloseHasNoEffect() throws Exception {
        start(2);
        PooledConnection c = pool.acquire();
        c.close();
        PoolStats afterFirst = pool.stats();

        c.close();

        assertThat(pool.stats()).isEqualTo(afterFirst);
        assertThat(afterFirst.released()).isEqualTo(1);
        assertThat(afterFirst.idle()).isEqualTo(1);
    }

    @Test
    void aStaleCloseNeverReturnsTheConnectionSomeoneElseBorrowed() throws Exception {
        start(2);
        PooledConnection stale = pool.acquire();
        Socket socket = stale.socket();
        stale.close();

        try (PooledConnection current = pool.acquire()) {
            assertThat(current.socket()).as("LIFO reuse of the same connection").isSameAs(socket);
            stale.close();
            stale.invalidate();
            assertThat(pool.stats().active()).isEqualTo(1);
            assertThat(pool.stats().released()).isEqualTo(1);

            try (PooledConnection other = pool.acquire()) {
                assertThat(other.socket()).as("the borrowed connection is not handed out twice").isNotSameAs(socket);
            }
            assertThat(socket.isClosed()).isFalse();
            assertThat(LineClient.call(current, "still mine")).isEqualTo("a:still mine");
        }
    }

    @Test
    void useAfterCloseIsAClearIllegalStateException() throws Exception {
        start(1);
        PooledConnection c = pool.acquire();
        InputStream in = c.input();
        OutputStream out = c.output();
        c.close();

        for (var use : new org.assertj.core.api.ThrowableAssert.ThrowingCallable[] {
                c::input, c::output, c::socket, in::read, () -> out.write(1), () -> out.write(new byte[2], 0, 2),
                out::flush, in::available}) {
            assertThatThrownBy(use).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("already closed")
                    .hasMessageContaining(server.address())
                    .hasMessageContaining("acquire a new one");
        }
        assertThat(c.server()).isEqualTo(addressOf(server));
    }

    @Test
    void streamsKeptPastCloseFailWhileTheSameConnectionIsBorrowedAgain() throws Exception {
        start(1);
        PooledConnection first = pool.acquire();
        Socket socket = first.socket();
        InputStream staleIn = first.input();
        OutputStream staleOut = first.output();
        first.close();

        try (PooledConnection second = pool.acquire()) {
            assertThat(second.socket()).as("the one connection, borrowed again").isSameAs(socket);
            InputStream in = second.input();
            assertThat(in).as("a view of its own").isNotSameAs(staleIn);
            assertThat(second.input()).as("the same view for the whole borrow").isSameAs(in);
            assertThat(second.output()).isSameAs(second.output()).isNotSameAs(staleOut);

            second.output().write("mine\n".getBytes(StandardCharsets.US_ASCII));
            assertThatThrownBy(staleIn::read).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("already closed");
            assertThatThrownBy(() -> staleOut.write('x')).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("already closed");
            assertThat(LineClient.readLine(in))
                    .as("the stale views neither read the reply nor wrote into the request").isEqualTo("a:mine");
        }
    }

    @Test
    void invalidateAfterCloseHasNoEffect() throws Exception {
        start(1);
        PooledConnection c = pool.acquire();
        Socket socket = c.socket();
        c.close();
        PoolStats before = pool.stats();

        c.invalidate();

        assertThat(pool.stats()).isEqualTo(before);
        try (PooledConnection again = pool.acquire()) {
            assertThat(again.socket()).isSameAs(socket);
            assertThat(LineClient.call(again, "x")).isEqualTo("a:x");
        }
        assertThat(server.acceptedConnections()).isEqualTo(1);
    }

    @Test
    void invalidateClosesForGoodAndCloseAfterItHasNoEffect() throws Exception {
        start(1);
        PooledConnection c = pool.acquire();
        Socket socket = c.socket();
        c.invalidate();
        PoolStats after = pool.stats();
        c.close();
        c.invalidate();

        assertThat(pool.stats()).isEqualTo(after);
        assertThat(after.released()).isEqualTo(1);
        assertThat(after.closed()).isEqualTo(1);
        assertThat(socket.isClosed()).isTrue();
        try (PooledConnection again = pool.acquire()) {
            assertThat(again.socket()).isNotSameAs(socket);
        }
    }

    @Test
    void acquireAfterThePoolIsClosedFailsWithPoolClosedException() {
        start(1);
        pool.close();
        pool.close(); // idempotent

        assertThat(pool.isClosed()).isTrue();
        assertThatThrownBy(pool::acquire).isInstanceOf(PoolClosedException.class)
                .hasMessageContaining(fixture.testName()).hasMessageContaining("closed");
        assertThatThrownBy(() -> pool.acquire(Duration.ofSeconds(1))).isInstanceOf(PoolClosedException.class);
        assertThatThrownBy(pool::tryAcquire).isInstanceOf(PoolClosedException.class);
        await().until(() -> server.openConnections() == 0);
    }

    @Test
    void closingABorrowedConnectionAfterThePoolClosedClosesIt() throws Exception {
        start(1);
        PooledConnection c = pool.acquire();
        pool.close();
        assertThat(LineClient.call(c, "still usable")).isEqualTo("a:still usable");

        c.close();
        c.close();

        await().until(() -> server.openConnections() == 0);
        assertThat(pool.stats().total()).isZero();
    }
}
