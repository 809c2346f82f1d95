package io.connpool;

import static io.connpool.testing.PoolFixture.addressOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.connpool.test.MockTcpServer;
import io.connpool.testing.PoolFixture;
import io.connpool.testing.RecordingListener;
import io.connpool.testing.RecordingListener.Type;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BackoffTest {

    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    @RegisterExtension
    final PoolFixture fixture = new PoolFixture();

    // ------------------------------------------------------------ the function itself, deterministic

    @Test
    void delayDoublesFromMinWithoutJitterAtTheMidpoint() {
        ExponentialBackoff backoff = new ExponentialBackoff(Duration.ofMillis(100), Duration.ofSeconds(60), 0.5);
        for (int failures = 1; failures <= 10; failures++) {
            long expected = 100 * MS << (failures - 1);
            assertThat(backoff.delayNanos(failures, 0.5)).as("failures=%d", failures).isEqualTo(expected);
        }
    }

    @Test
    void jitterSpansPlusMinusHalf() {
        ExponentialBackoff backoff = new ExponentialBackoff(Duration.ofMillis(100), Duration.ofSeconds(60), 0.5);
        for (int failures = 1; failures <= 8; failures++) {
            long base = 100 * MS << (failures - 1);
            assertThat(backoff.delayNanos(failures, 0.0)).isEqualTo(base / 2);
            assertThat(backoff.delayNanos(failures, Math.nextDown(1.0))).isBetween(base * 3 / 2 - 1, base * 3 / 2);
            assertThat(backoff.delayNanos(failures, 0.25)).isEqualTo(base * 3 / 4);
        }
    }

    @Test
    void delayIsCappedAtMaxAndNeverAboveItEvenWithJitter() {
        ExponentialBackoff backoff = new ExponentialBackoff(Duration.ofMillis(100), Duration.ofSeconds(1), 0.5);
        // 100 ms * 2^4 = 1.6 s > 1 s: capped from the fifth failure on
        for (int failures : new int[] {5, 6, 30, 63, 64, 1_000, Integer.MAX_VALUE}) {
            assertThat(backoff.delayNanos(failures, 0.5)).as("failures=%d", failures).isEqualTo(1_000 * MS);
            assertThat(backoff.delayNanos(failures, Math.nextDown(1.0))).isEqualTo(1_000 * MS);
            assertThat(backoff.delayNanos(failures, 0.0)).isEqualTo(500 * MS);
        }
        // below the cap, the upper jitter is clipped at max too: 800 ms * 1.5 = 1.2 s
        assertThat(backoff.delayNanos(4, Math.nextDown(1.0))).isEqualTo(1_000 * MS);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1, Integer.MIN_VALUE})
    void nonPositiveFailureCountsAreTreatedAsTheFirst(int failures) {
        ExponentialBackoff backoff = new ExponentialBackoff(Duration.ofMillis(100), Duration.ofSeconds(1), 0.5);
        assertThat(backoff.delayNanos(failures, 0.5)).isEqualTo(100 * MS);
    }

    @Test
    void publicFactoryDelaysStayWithinTheJitterBand() {
        Backoff backoff = Backoff.exponential(Duration.ofMillis(10), Duration.ofMillis(500));
        for (int failures = 1; failures <= 12; failures++) {
            long base = Math.min(10L << (failures - 1), 500);
            for (int sample = 0; sample < 200; sample++) {
                long delay = backoff.delay(failures).toNanos();
                assertThat(delay).as("failures=%d", failures)
                        .isBetween(base * MS / 2, Math.min(base * MS * 3 / 2, 500 * MS));
            }
        }
    }

    @Test
    void invalidBoundsAreRejectedNamingTheProblem() {
        assertThatThrownBy(() -> Backoff.exponential(Duration.ZERO, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("minimum");
        assertThatThrownBy(() -> Backoff.exponential(Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maximum");
    }

    // ------------------------------------------------------------ through the pool

    /** What {@code servers()} said about the server at each failed dial, just before the pool reacted to it. */
    private record Step(int failures, long delayMillis, long atNanos) {
    }

    private static List<Step> byFailureCount(Queue<Step> steps) {
        Map<Integer, Step> last = new java.util.TreeMap<>();
        steps.forEach(step -> last.put(step.failures(), step));
        return List.copyOf(last.values());
    }

    @Test
    void probeDelaysGrowExponentiallyAreCappedAndResetAfterASuccess() throws Exception {
        MockTcpServer server = fixture.server("a");
        RecordingListener events = new RecordingListener();
        AtomicReference<ConnPool> poolRef = new AtomicReference<>();
        Queue<Step> steps = new ConcurrentLinkedQueue<>();
        // At each failed dial, the snapshot still shows the step before it: its failure count and the delay
        // the pool chose for it (nextRetry - lastErrorAt, both stamped together).
        ConnPoolListener snapshotter = new ConnPoolListener() {
            @Override
            public void dialFailed(ServerAddress address, long elapsedNanos, Throwable error) {
                ServerStatus status = PoolFixture.status(poolRef.get(), address);
                if (status.state() == ServerState.DOWN) {
                    steps.add(new Step(status.consecutiveFailures(),
                            status.nextRetry().toEpochMilli() - status.lastErrorAt().toEpochMilli(), System.nanoTime()));
                }
            }
        };
        long min = 20;
        long max = 160;
        ConnPool pool = fixture.pool(fixture.builder(server)
                .retryMin(Duration.ofMillis(min)).retryMax(Duration.ofMillis(max))
                .validationInterval(Duration.ZERO)
                // no background refill dial racing the caller's failed dial: every failure here is a step
                .minIdlePerServer(0)
                .listener(events).listener(snapshotter));
        poolRef.set(pool);
        pool.acquire().close();

        server.stop();
        assertThatThrownBy(pool::tryAcquire).isInstanceOf(NoServerAvailableException.class);
        // 20, 40, 80, 160, 160, 160 ms (±50 %): the seventh failure shows step six
        await().atMost(Duration.ofSeconds(20)).until(() -> byFailureCount(steps).size() >= 6);

        List<Step> seen = byFailureCount(steps);
        for (int i = 0; i < 6; i++) {
            Step step = seen.get(i);
            assertThat(step.failures()).as("probe %d sees the failure count of the step before", i).isEqualTo(i + 1);
            long base = Math.min(min << i, max);
            assertThat(step.delayMillis()).as("delay of step %d", i + 1)
                    .isBetween(base / 2 - 1, Math.min(base * 3 / 2, max));
        }
        // the probe never dials before its delay is up
        for (int i = 1; i < 6; i++) {
            long gapMillis = TimeUnit.NANOSECONDS.toMillis(seen.get(i).atNanos() - seen.get(i - 1).atNanos());
            assertThat(gapMillis).as("time between probes %d and %d", i, i + 1)
                    .isGreaterThanOrEqualTo(seen.get(i).delayMillis() - 1);
        }
        List<RecordingListener.Event> downs = events.events(Type.SERVER_DOWN);
        assertThat(downs).as("serverDown once, not per failed probe").hasSize(1);
        assertThat(downs.get(0).nanos()).isBetween(min * MS / 2, min * MS * 3 / 2);

        server.restart();
        // the probe's connection puts it on probation; its first borrow coming back healthy makes it UP
        PoolFixture.awaitState(pool, addressOf(server), ServerState.PROBATION);
        pool.acquire().close();
        assertThat(events.count(Type.SERVER_UP)).isEqualTo(2);
        ServerStatus up = PoolFixture.status(pool, addressOf(server));
        assertThat(up.consecutiveFailures()).isZero();
        assertThat(up.nextRetry()).isNull();
        assertThat(up.lastError()).isNull();

        // down again: the backoff starts over from retryMin
        await().until(() -> pool.stats().idle() == 1); // the successful probe's connection
        steps.clear();
        server.stop();
        assertThatThrownBy(pool::tryAcquire).isInstanceOf(NoServerAvailableException.class);
        await().atMost(Duration.ofSeconds(10)).until(() -> !byFailureCount(steps).isEmpty());
        Step first = byFailureCount(steps).get(0);
        assertThat(first.failures()).isEqualTo(1);
        assertThat(first.delayMillis()).isBetween(min / 2 - 1, min * 3 / 2);
        assertThat(events.events(Type.SERVER_DOWN)).hasSize(2);
        assertThat(events.events(Type.SERVER_DOWN).get(1).nanos()).isBetween(min * MS / 2, min * MS * 3 / 2);
    }

    @Test
    void aBackoffGivenToTheBuilderIsUsed() throws Exception {
        MockTcpServer server = fixture.server("a");
        Map<Integer, Integer> asked = new ConcurrentHashMap<>();
        Backoff fixed = failures -> {
            asked.merge(failures, 1, Integer::sum);
            return Duration.ofMillis(30 + failures);
        };
        RecordingListener events = new RecordingListener();
        ConnPool pool = fixture.pool(fixture.builder(server)
                // the builder's retryMin/retryMax would give seconds; the given backoff wins
                .retryMin(Duration.ofSeconds(10)).retryMax(Duration.ofSeconds(20))
                .backoff(fixed).minIdlePerServer(0).listener(events));

        server.stop();
        assertThatThrownBy(pool::tryAcquire).isInstanceOf(NoServerAvailableException.class);
        await().atMost(Duration.ofSeconds(10)).until(() -> events.count(Type.DIAL_FAILED) >= 4);

        assertThat(events.events(Type.SERVER_DOWN).get(0).nanos()).isEqualTo(31 * MS);
        assertThat(asked).containsKeys(1, 2, 3);
        ServerStatus status = PoolFixture.status(pool, addressOf(server));
        assertThat(status.nextRetry().toEpochMilli() - status.lastErrorAt().toEpochMilli())
                .isEqualTo(30 + status.consecutiveFailures());
    }
}
