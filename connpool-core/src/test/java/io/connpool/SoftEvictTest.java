package io.connpool;

import static io.connpool.testing.PoolFixture.addressOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.connpool.test.MockTcpServer;
import io.connpool.testing.LineClient;
import io.connpool.testing.PoolFixture;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class SoftEvictTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @RegisterExtension
    final PoolFixture fixture = new PoolFixture();

    private final MockTcpServer a = fixture.server("a");
    private final MockTcpServer b = fixture.server("b");
    private ConnPool pool;

    @Test
    void closesIdleNowAndBorrowedOnReturnOnceThenReusesNormally() throws Exception {
        pool = fixture.pool(ConnPool.builder().name("se").servers(a.address()).minIdlePerServer(0));
        PooledConnection borrowed = pool.acquire();
        PooledConnection idle = pool.acquire();
        idle.close();
        await().atMost(WAIT).until(() -> a.openConnections() == 2);

        pool.softEvict();

        await().atMost(WAIT).until(() -> a.openConnections() == 1);
        assertThat(LineClient.call(borrowed, "in flight")).isEqualTo("a:in flight");
        borrowed.close();
        await().atMost(WAIT).until(() -> a.openConnections() == 0);

        // Dominator's ScheduleClose was sticky; here new connections are reused as usual
        int port;
        try (PooledConnection fresh = pool.acquire()) {
            port = fresh.socket().getLocalPort();
        }
        for (int i = 0; i < 5; i++) {
            try (PooledConnection again = pool.acquire()) {
                assertThat(again.socket().getLocalPort()).isEqualTo(port);
            }
        }
        await().atMost(WAIT).until(() -> a.openConnections() == 1);
        assertThat(a.acceptedConnections()).isEqualTo(3);
    }

    @Test
    void evictingOneServerLeavesTheOthersAlone() throws Exception {
        pool = fixture.pool(ConnPool.builder().name("se").servers(a.address(), b.address()));
        await().atMost(WAIT).until(() -> a.openConnections() == 1 && b.openConnections() == 1);

        pool.softEvict(addressOf(a));

        await().atMost(WAIT).until(() -> a.acceptedConnections() == 2); // refilled to min idle
        assertThat(b.acceptedConnections()).isEqualTo(1);
        assertThat(b.openConnections()).isEqualTo(1);
    }
}
