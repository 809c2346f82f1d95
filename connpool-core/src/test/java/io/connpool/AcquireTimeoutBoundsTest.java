package io.connpool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.connpool.test.MockTcpServer;
import io.connpool.testing.LineClient;
import io.connpool.testing.NamedEcho;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class AcquireTimeoutBoundsTest {

    @Test
    void anyNonNegativeTimeoutIsAcceptedAndANegativeOneIsRejected() throws Exception {
        try (MockTcpServer server = NamedEcho.start("s");
                ConnPool pool = ConnPool.builder().servers(server.address()).build()) {
            // ZERO after the first borrow: by then an idle connection is waiting, so not waiting is enough
            for (Duration timeout : new Duration[] {Duration.ofSeconds(1), Duration.ZERO,
                    Duration.ofSeconds(Long.MAX_VALUE), Duration.ofDays(365L * 500)}) {
                try (PooledConnection c = pool.acquire(timeout)) {
                    assertThat(LineClient.call(c, "t")).isEqualTo("s:t");
                }
            }
            assertThatThrownBy(() -> pool.acquire(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("must not be negative");
        }
    }
}
