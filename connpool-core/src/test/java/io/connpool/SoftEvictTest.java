package io.connpool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.connpool.testing.LineClient;
import io.connpool.testing.TestServer;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SoftEvictTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private final TestServer a = TestServer.start("a");
    private final TestServer b = TestServer.start("b");
    private ConnPool pool;

    @AfterEach
    void tearDown() {
        if (pool != null) {
            pool.close();
        }
        a.close();
        b.close();
    }

    @Test
    void closesIdleNowAndBorrowedOnReturnOnceThenReusesNormally() throws Exception {
        pool = ConnPool.builder().name("se").servers(a.hostPort()).minIdlePerServer(0).build();
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
        assertThat(a.accepted()).isEqualTo(3);
    }

    @Test
    void evictingOneServerLeavesTheOthersAlone() throws Exception {
        pool = ConnPool.builder().name("se").servers(a.hostPort(), b.hostPort()).build();
        await().atMost(WAIT).until(() -> a.openConnections() == 1 && b.openConnections() == 1);

        pool.softEvict(a.address());

        await().atMost(WAIT).until(() -> a.accepted() == 2); // refilled to min idle
        assertThat(b.accepted()).isEqualTo(1);
        assertThat(b.openConnections()).isEqualTo(1);
    }
}
