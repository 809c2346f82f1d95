package io.connpool;

import static org.assertj.core.api.Assertions.assertThat;

import io.connpool.test.MockTcpServer;
import io.connpool.testing.LineClient;
import io.connpool.testing.PoolFixture;
import io.connpool.testing.VirtualThreads;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Finding 8 of issue 10, where it bites: on a virtual thread a blocking socket read is interruptible, so the
 * pool's check of an idle connection (a 1 ms timed read for a socket that has no channel: a user dialer's
 * {@code new Socket()}, or TLS over one) closed a healthy connection when the borrower's thread had its
 * interrupt flag set. Runs on Temurin 25 ({@code jdk25} tag).
 */
@Tag("jdk25")
class InterruptedVirtualBorrowerTest {

    @RegisterExtension
    final PoolFixture fixture = new PoolFixture();

    /** A user dialer: a plain {@code java.net.Socket}, with no channel behind it. */
    private static final Dialer PLAIN_SOCKETS = (server, timeout) -> {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress(server.host(), server.port()), (int) timeout.toMillis());
        return socket;
    };

    @Test
    void anInterruptedVirtualBorrowerKeepsTheHealthyConnection() throws Exception {
        MockTcpServer server = fixture.server("a");
        ConnPool pool = fixture.pool(fixture.builder(server).minIdlePerServer(0).dialer(PLAIN_SOCKETS)
                .validationInterval(Duration.ZERO));
        int port;
        try (PooledConnection c = pool.acquire()) {
            port = c.socket().getLocalPort();
        }
        CompletableFuture<String> outcome = new CompletableFuture<>();
        VirtualThreads.factory().newThread(() -> {
            Thread.currentThread().interrupt();
            try (PooledConnection c = pool.tryAcquire()) { // checked on borrow: validationInterval 0
                boolean kept = Thread.interrupted();
                outcome.complete(kept + " " + c.socket().getLocalPort() + " " + LineClient.call(c, "still"));
            }
            catch (Throwable ex) {
                outcome.completeExceptionally(ex);
            }
        }).start();

        assertThat(outcome.get(10, TimeUnit.SECONDS)).as("interrupt kept, same connection, still answering")
                .isEqualTo("true " + port + " a:still");
        assertThat(server.acceptedConnections()).isEqualTo(1);
    }
}
