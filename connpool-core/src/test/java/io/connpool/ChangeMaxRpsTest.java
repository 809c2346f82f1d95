package io.connpool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.connpool.test.MockTcpServer;
import io.connpool.testing.PoolFixture;
import io.github.resilience4j.ratelimiter.RateLimiter;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link ConnPool#changeMaxRps}: the per-server limit changed at run time (the fleet-wide limit's lever). */
class ChangeMaxRpsTest {

    @RegisterExtension
    final PoolFixture fixture = new PoolFixture();

    private static int limit(ConnPool pool, String server) {
        return pool.rateLimiter(ServerAddress.parse(server)).map(RateLimiter::getRateLimiterConfig).orElseThrow()
                .getLimitForPeriod();
    }

    @Test
    void theNewLimitHoldsForEveryServerAndForServersAddedLater() throws Exception {
        MockTcpServer a = fixture.register(MockTcpServer.start());
        MockTcpServer b = fixture.register(MockTcpServer.start());
        ConnPool pool = fixture.pool(ConnPool.builder().name(fixture.testName()).servers(a.address()).maxRps(100)
                .minIdlePerServer(0));

        pool.changeMaxRps(3);
        pool.addServer(ServerAddress.parse(b.address()));

        assertThat(limit(pool, a.address())).isEqualTo(3);
        assertThat(limit(pool, b.address())).isEqualTo(3);
        // in force from the limiter's next period: then a burst gets three permits per server, six in all
        RateLimiter limiter = pool.rateLimiter(ServerAddress.parse(a.address())).orElseThrow();
        await().until(() -> limiter.getMetrics().getAvailablePermissions() <= 3);
        int granted = 0;
        RateLimitedException refused = null;
        for (int i = 0; i < 20 && refused == null; i++) {
            try {
                pool.tryAcquire().close();
                granted++;
            }
            catch (RateLimitedException ex) {
                refused = ex;
            }
        }
        assertThat(refused).isNotNull().hasMessageContaining("maxRps=3");
        assertThat(granted).as("at most 3 per server and period, two periods at worst").isLessThanOrEqualTo(12);
    }

    @Test
    void itTakesAPositiveLimitAndAPoolBuiltWithOne() {
        MockTcpServer a = fixture.register(MockTcpServer.start());
        ConnPool limited = fixture.pool(ConnPool.builder().name(fixture.testName()).servers(a.address()).maxRps(10));
        assertThatThrownBy(() -> limited.changeMaxRps(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxRps of pool '" + fixture.testName() + "' must be positive, was 0");

        ConnPool unlimited = fixture.pool(ConnPool.builder().name("unlimited").servers(a.address()));
        assertThatThrownBy(() -> unlimited.changeMaxRps(5)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("was built without a rate limit (maxRps 0)");
    }
}
