package io.connpool;

import static io.connpool.testing.PoolFixture.addressOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.connpool.test.MockTcpServer;
import io.connpool.testing.CountingDialer;
import io.connpool.testing.CountingDialer.Attempt;
import io.connpool.testing.LineClient;
import io.connpool.testing.PoolFixture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * While a server is DOWN, many callers must not each dial it: one background probe per backoff step. The
 * server is a stopped {@link MockTcpServer} (connects refused), and every connect is counted at the dialer.
 */
class ThunderingHerdTest {

    private static final int CALLERS = 32;
    private static final long RETRY_MIN_MS = 50;
    private static final long RETRY_MAX_MS = 200;

    @RegisterExtension
    final PoolFixture fixture = new PoolFixture();

    private final CountingDialer dialer = CountingDialer.tcp();

    private ConnPool pool(MockTcpServer... servers) {
        return fixture.pool(fixture.builder(servers).dialer(dialer)
                .retryMin(Duration.ofMillis(RETRY_MIN_MS)).retryMax(Duration.ofMillis(RETRY_MAX_MS))
                .validationInterval(Duration.ZERO)
                .minIdlePerServer(0));
    }

    /** Stops the server and lets callers find out, so that the pool holds it DOWN at step one. */
    private static void bringDown(ConnPool pool, MockTcpServer server) {
        server.stop();
        for (int i = 0; i < 10 && PoolFixture.status(pool, addressOf(server)).state() != ServerState.DOWN; i++) {
            try {
                pool.tryAcquire().close();
            }
            catch (NoServerAvailableException expectedWhenItIsTheOnlyServer) {
                // it was the only one
            }
            catch (ConnPoolException ex) {
                throw new AssertionError(ex);
            }
        }
        assertThat(PoolFixture.status(pool, addressOf(server)).state()).isEqualTo(ServerState.DOWN);
    }

    @Test
    void callersWaitingOnTheOnlyServerDoNotDialItThemselves() throws Exception {
        MockTcpServer server = fixture.server("a");
        ConnPool pool = pool(server);
        pool.acquire().close();
        bringDown(pool, server);
        int before = dialer.count(addressOf(server));

        ExecutorService threads = fixture.threads(CALLERS);
        List<Future<Throwable>> callers = new ArrayList<>();
        for (int i = 0; i < CALLERS; i++) {
            callers.add(threads.submit(() -> {
                try (PooledConnection c = pool.acquire(Duration.ofSeconds(2))) {
                    return null;
                }
                catch (ConnPoolException expected) {
                    return expected;
                }
            }));
        }
        await().until(() -> pool.stats().pending() == CALLERS);
        for (Future<Throwable> caller : callers) {
            assertThat(caller.get(10, TimeUnit.SECONDS)).isInstanceOf(NoServerAvailableException.class);
        }

        List<Attempt> attempts = dialer.attempts(addressOf(server));
        assertOneDialPerBackoffStep(attempts.subList(before - 1, attempts.size()));
        assertThat(dialer.mostConcurrent(addressOf(server))).isEqualTo(1);
    }

    @Test
    void busyCallersServedByAHealthyServerNeverDialTheDownOne() throws Exception {
        MockTcpServer up = fixture.server("up");
        MockTcpServer down = fixture.server("down");
        ConnPool pool = pool(up, down);
        RoundRobinTest.serve(pool, 4);
        bringDown(pool, down);
        int before = dialer.count(addressOf(down));

        ExecutorService threads = fixture.threads(CALLERS);
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        AtomicInteger served = new AtomicInteger();
        List<Future<?>> callers = new ArrayList<>();
        for (int i = 0; i < CALLERS; i++) {
            callers.add(threads.submit(() -> {
                while (System.nanoTime() < end) {
                    try (PooledConnection c = pool.acquire()) {
                        assertThat(LineClient.call(c, "x")).isEqualTo("up:x");
                        served.incrementAndGet();
                    }
                }
                return null;
            }));
        }
        for (Future<?> caller : callers) {
            caller.get(30, TimeUnit.SECONDS);
        }

        assertThat(served.get()).isGreaterThan(CALLERS);
        List<Attempt> attempts = dialer.attempts(addressOf(down));
        assertOneDialPerBackoffStep(attempts.subList(before - 1, attempts.size()));
        assertThat(dialer.mostConcurrent(addressOf(down))).isEqualTo(1);
    }

    /**
     * {@code attempts} starts with the dial that brought the server down (step one). Between attempt k and
     * k+1 lies at least the lower jitter bound of step k, half of {@code min·2^(k−1)} capped at max; so the
     * count is bounded by the steps that fit in the elapsed time, whatever the number of callers.
     */
    private static void assertOneDialPerBackoffStep(List<Attempt> attempts) {
        assertThat(attempts).as("the probes dialed the down server").hasSizeGreaterThan(2);
        long slackNanos = TimeUnit.MILLISECONDS.toNanos(2);
        for (int k = 1; k < attempts.size(); k++) {
            long lowerBound = TimeUnit.MILLISECONDS.toNanos(Math.min(RETRY_MIN_MS << Math.min(k - 1, 20), RETRY_MAX_MS)) / 2;
            long gap = attempts.get(k).startNanos() - attempts.get(k - 1).startNanos();
            assertThat(gap).as("gap before dial %d of %d, in ns", k + 1, attempts.size())
                    .isGreaterThanOrEqualTo(lowerBound - slackNanos);
        }
        long elapsed = attempts.get(attempts.size() - 1).startNanos() - attempts.get(0).startNanos();
        assertThat(attempts.size()).isLessThanOrEqualTo(stepsWithin(elapsed) + 1);
    }

    private static int stepsWithin(long elapsedNanos) {
        int steps = 0;
        long spent = 0;
        while (true) {
            long shortest = TimeUnit.MILLISECONDS.toNanos(Math.min(RETRY_MIN_MS << Math.min(steps, 20), RETRY_MAX_MS)) / 2;
            if (spent + shortest > elapsedNanos + TimeUnit.MILLISECONDS.toNanos(2) * (steps + 1)) {
                return steps;
            }
            spent += shortest;
            steps++;
        }
    }
}
