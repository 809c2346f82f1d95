package io.connpool;

import static io.connpool.testing.PoolFixture.addressOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.connpool.ConnPoolListener.CloseReason;
import io.connpool.test.MockTcpServer;
import io.connpool.testing.LineClient;
import io.connpool.testing.PoolFixture;
import io.connpool.testing.RecordingListener;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class BrokenConnectionTest {

    @RegisterExtension
    final PoolFixture fixture = new PoolFixture();

    private final RecordingListener events = new RecordingListener();
    private MockTcpServer server;

    /** One server, one connection at most, so reuse or replacement is plain to see. */
    private ConnPool pool(ConnPool.Builder builder) throws Exception {
        ConnPool pool = fixture.pool(builder.maxConnectionsPerServer(1).listener(events));
        // the server knows the connection too: its close or reset below would otherwise miss it
        await().until(() -> pool.stats().idle() == 1 && server.openConnections() == 1);
        return pool;
    }

    @Test
    void aReadErrorMeansTheConnectionIsNeverReused() throws Exception {
        server = fixture.server("a");
        ConnPool pool = pool(fixture.builder(server));
        Socket first;
        try (PooledConnection c = pool.acquire()) {
            first = c.socket();
            assertThat(LineClient.call(c, "one")).isEqualTo("a:one");
            server.resetConnections();
            assertThatThrownBy(() -> c.input().read()).isInstanceOf(IOException.class);
        }
        assertReplacedBy(pool, first);
    }

    @Test
    void aWriteErrorMeansTheConnectionIsNeverReused() throws Exception {
        server = fixture.server("a");
        ConnPool pool = pool(fixture.builder(server));
        Socket first;
        try (PooledConnection c = pool.acquire()) {
            first = c.socket();
            server.resetConnections();
            await().until(() -> server.openConnections() == 0); // the RST is sent
            // a write may still be accepted into the send buffer before the reset is seen; the next one fails
            AtomicReference<IOException> failed = new AtomicReference<>();
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5)).until(() -> {
                try {
                    c.output().write("x\n".getBytes(StandardCharsets.UTF_8));
                    return false;
                }
                catch (IOException ex) {
                    failed.set(ex);
                    return true;
                }
            });
            // the socket's own error, passed through output()
            assertThat(failed.get()).hasMessageMatching("(?i).*(reset|broken pipe).*");
        }
        assertReplacedBy(pool, first);
    }

    @Test
    void aReadTimeoutMeansTheConnectionIsNeverReused() throws Exception {
        // a late reply would be read as the answer to the next borrower's request
        server = fixture.server("a");
        ConnPool pool = pool(fixture.builder(server).readTimeout(Duration.ofMillis(200)));
        Socket first;
        try (PooledConnection c = pool.acquire()) {
            first = c.socket();
            server.fault(MockTcpServer.Fault.HANG);
            assertThatThrownBy(() -> LineClient.call(c, "unanswered")).isInstanceOf(SocketTimeoutException.class);
        }
        server.fault(MockTcpServer.Fault.NONE);
        assertReplacedBy(pool, first);
    }

    @Test
    void endOfStreamMeansTheConnectionIsNeverReused() throws Exception {
        server = fixture.server("a");
        ConnPool pool = pool(fixture.builder(server));
        Socket first;
        try (PooledConnection c = pool.acquire()) {
            first = c.socket();
            server.fault(MockTcpServer.Fault.CLOSE); // reads the request, closes without an answer
            c.output().write("bye\n".getBytes(StandardCharsets.UTF_8));
            assertThat(c.input().read()).isEqualTo(-1);
        }
        server.fault(MockTcpServer.Fault.NONE);
        assertReplacedBy(pool, first);
    }

    @Test
    void anIdleConnectionTheServerClosedIsNeverHandedOutWhenCheckedOnEveryBorrow() throws Exception {
        server = fixture.server("a");
        ConnPool pool = pool(fixture.builder(server).validationInterval(Duration.ZERO));
        Socket first;
        try (PooledConnection c = pool.acquire()) {
            first = c.socket();
        }
        server.closeConnections();
        await().until(() -> server.openConnections() == 0);

        try (PooledConnection c = pool.acquire()) {
            assertThat(c.socket()).isNotSameAs(first);
            assertThat(LineClient.call(c, "after")).isEqualTo("a:after");
        }
        assertThat(events.closed(addressOf(server), CloseReason.VALIDATION_FAILED)).isEqualTo(1);
    }

    @Test
    void anIdleConnectionTheServerClosedIsNeverHandedOutOnceIdlePastTheDefaultInterval() throws Exception {
        server = fixture.server("a");
        ConnPool pool = pool(fixture.builder(server)); // validationInterval 500 ms by default
        Socket first;
        try (PooledConnection c = pool.acquire()) {
            first = c.socket();
        }
        server.closeConnections();
        await().until(() -> server.openConnections() == 0);
        PoolFixture.letTimePass(Duration.ofMillis(600)); // idle past the validation interval

        try (PooledConnection c = pool.acquire()) {
            assertThat(c.socket()).isNotSameAs(first);
            assertThat(LineClient.call(c, "after")).isEqualTo("a:after");
        }
        assertThat(events.closed(addressOf(server), CloseReason.VALIDATION_FAILED)).isEqualTo(1);
    }

    @Test
    void anIdleConnectionWithAnUnreadReplyIsNeverHandedOut() throws Exception {
        server = fixture.server("a");
        ConnPool pool = pool(fixture.builder(server).validationInterval(Duration.ZERO));
        Socket first;
        try (PooledConnection c = pool.acquire()) {
            first = c.socket();
            c.output().write("one\ntwo\n".getBytes(StandardCharsets.UTF_8));
            assertThat(LineClient.readLine(c.input())).isEqualTo("a:one"); // "a:two" is left unread
        }
        server.awaitRequests(2, Duration.ofSeconds(10));

        try (PooledConnection c = pool.acquire()) {
            assertThat(c.socket()).isNotSameAs(first);
            assertThat(LineClient.call(c, "three")).isEqualTo("a:three");
        }
        assertThat(events.closed(addressOf(server), CloseReason.VALIDATION_FAILED)).isEqualTo(1);
    }

    /** The broken connection was closed, the server saw a new one, and the new one works. */
    private void assertReplacedBy(ConnPool pool, Socket broken) throws Exception {
        assertThat(broken.isClosed()).as("the pool closed the broken socket").isTrue();
        assertThat(events.closed(addressOf(server), CloseReason.BROKEN)).isEqualTo(1);
        int acceptedBefore = server.acceptedConnections();
        try (PooledConnection c = pool.acquire()) {
            assertThat(c.socket()).isNotSameAs(broken);
            assertThat(LineClient.call(c, "again")).isEqualTo("a:again");
        }
        // the new connection may have been dialed in the background (min idle) before the acquire
        assertThat(server.acceptedConnections()).isGreaterThanOrEqualTo(2).isLessThanOrEqualTo(acceptedBefore + 1);
        assertThat(pool.stats().total()).isEqualTo(1);
    }
}
