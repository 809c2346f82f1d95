package io.connpool;

import static io.connpool.testing.PoolFixture.addressOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.connpool.test.MockTcpServer;
import io.connpool.testing.PoolFixture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class RateLimitTest {

    @RegisterExtension
    final PoolFixture fixture = new PoolFixture();

    @Test
    void eachServerGrantsAboutMaxRpsPerSecondUnderLoad() throws Exception {
        int maxRps = 50;
        int seconds = 3;
        List<MockTcpServer> servers = fixture.servers("a", "b", "c");
        long[] end = {Long.MAX_VALUE};
        Map<ServerAddress, LongAdder> granted = new ConcurrentHashMap<>();
        ConnPoolListener counter = new ConnPoolListener() {
            @Override
            public void acquired(ServerAddress server, long waitNanos) {
                if (System.nanoTime() - end[0] < 0) {
                    granted.computeIfAbsent(server, s -> new LongAdder()).increment();
                }
            }
        };
        ConnPool pool = fixture.pool(fixture.builder(servers.toArray(MockTcpServer[]::new)).maxRps(maxRps)
                .listener(counter));
        await().until(() -> pool.stats().idle() == servers.size());

        ExecutorService threads = fixture.threads(16);
        AtomicInteger timeouts = new AtomicInteger();
        end[0] = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        List<Future<?>> callers = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            callers.add(threads.submit(() -> {
                long left;
                while ((left = end[0] - System.nanoTime()) > 0) {
                    try (PooledConnection c = pool.acquire(Duration.ofNanos(left))) {
                        c.socket();
                    }
                    catch (AcquireTimeoutException atTheEnd) {
                        timeouts.incrementAndGet();
                    }
                }
                return null;
            }));
        }
        for (Future<?> caller : callers) {
            caller.get(30, TimeUnit.SECONDS);
        }

        assertThat(granted).hasSize(servers.size());
        for (MockTcpServer server : servers) {
            // a 3 s window holds 3 or 4 refills of 50 permits; allow 10 % for threads slow to wake
            assertThat(granted.get(addressOf(server)).sum()).as("acquires served by %s", server.address())
                    .isBetween((long) (0.9 * maxRps * seconds), (long) maxRps * seconds + maxRps);
        }
    }

    @Test
    void tryAcquireFailsAtOnceWhenThePermitsAreUsedUp() throws Exception {
        MockTcpServer server = fixture.server("a");
        ConnPool pool = fixture.pool(fixture.builder(server).maxRps(2));

        int granted = 0;
        RateLimitedException limited = null;
        long start = System.nanoTime();
        for (int i = 0; i < 10 && limited == null; i++) {
            try (PooledConnection c = pool.tryAcquire()) {
                granted++;
            }
            catch (RateLimitedException ex) {
                limited = ex;
            }
        }
        assertThat(limited).as("tryAcquire never ran out of permits").isNotNull();
        assertThat(limited.getMessage()).contains("maxRps=2").contains(fixture.testName());
        // two permits per second: at most two refills fit in the time the loop took
        long refills = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start) + 2;
        assertThat(granted).isBetween(2, (int) (2 * refills));
    }
}
