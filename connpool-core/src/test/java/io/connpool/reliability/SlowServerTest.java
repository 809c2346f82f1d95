package io.connpool.reliability;

import static io.connpool.testing.PoolFixture.addressOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.connpool.ConnPool;
import io.connpool.PoolStats;
import io.connpool.test.MockTcpServer;
import io.connpool.testing.PoolFixture;
import java.time.Duration;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** One slow server among fast ones: it may hold at most its own connections' callers. */
class SlowServerTest {

    private static final int MAX_PER_SERVER = 4;
    private static final int THREADS = 16;
    private static final long SAMPLE = 3_000;

    @RegisterExtension
    final PoolFixture fixture = new PoolFixture();

    private final MockTcpServer a = fixture.server("a");
    private final MockTcpServer b = fixture.server("b");
    private final MockTcpServer slow = fixture.server("slow");
    private ConnPool pool;
    private Traffic traffic;

    @Test
    void fastServersKeepTheirThroughputWhileOneServerIsSlow() throws Exception {
        pool = fixture.pool(ConnPool.builder().name("slow")
                .servers(a.address(), b.address(), slow.address())
                .maxConnectionsPerServer(MAX_PER_SERVER)
                .readTimeout(Duration.ofSeconds(5)));
        traffic = fixture.register(new Traffic(pool, THREADS)).start();
        await().atMost(Duration.ofSeconds(20)).until(() -> fastServed() > 1_000); // warm-up

        double before = fastRate();
        slow.delay(Duration.ofMillis(200));
        long slowServedBefore = traffic.successes(addressOf(slow));
        // let the slow replies take hold of its connections before measuring
        await().atMost(Duration.ofSeconds(10)).until(() -> pool.servers().get(2).active() == MAX_PER_SERVER);
        double during = fastRate();
        long slowServed = traffic.successes(addressOf(slow)) - slowServedBefore;
        traffic.stop();

        double ratio = during / before;
        assertThat(traffic.unexpected).isEmpty();
        assertThat(traffic.failures()).isEmpty();
        assertThat(traffic.wrongReplies.sum()).isZero();
        assertThat(traffic.handedOutTwice.sum()).isZero();
        assertThat(slowServed).as("the slow server still answers").isPositive();
        assertThat(ratio).as("fast servers' throughput with a slow one (%.0f/s) over without (%.0f/s)", during, before)
                .isGreaterThan(0.3);
        PoolStats stats = pool.stats();
        assertThat(stats.active()).isZero();
        assertThat(stats.acquired()).isEqualTo(stats.released());
        pool.close();
        await().atMost(Duration.ofSeconds(5))
                .until(() -> a.openConnections() == 0 && b.openConnections() == 0 && slow.openConnections() == 0);

        FaultMatrix.record("slow server (200 ms per reply) among fast ones",
                String.format(Locale.ROOT, "slow replies from it only, no errors; fast servers keep %.0f %% of their"
                        + " throughput (%.0f/s vs %.0f/s), %d callers of %d held by it at most", ratio * 100, during,
                        before, MAX_PER_SERVER, THREADS),
                FaultMatrix.NOT_APPLICABLE, FaultMatrix.NOT_APPLICABLE,
                "fast throughput > 30 % of the all-fast baseline");
    }

    private long fastServed() {
        return traffic.successes(addressOf(a)) + traffic.successes(addressOf(b));
    }

    /** Requests per second served by the fast servers over the next {@value #SAMPLE} of them. */
    private double fastRate() {
        long start = System.nanoTime();
        long from = fastServed();
        await().atMost(Duration.ofSeconds(60)).until(() -> fastServed() >= from + SAMPLE);
        long served = fastServed() - from;
        return served / ((System.nanoTime() - start) / 1e9);
    }
}
