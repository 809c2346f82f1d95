package io.connpool;

import static io.connpool.testing.PoolFixture.addressOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.connpool.testing.BlackHole;
import io.connpool.testing.PoolFixture;
import io.connpool.testing.RecordingListener;
import io.connpool.testing.RecordingListener.Type;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Dials to an address that never answers: a {@link BlackHole} on loopback drops every SYN. */
class DialTimeoutTest {

    /** Generous: two cores shared by several builds. */
    private static final long MARGIN_MILLIS = 3_000;

    @RegisterExtension
    final PoolFixture fixture = new PoolFixture();

    private final RecordingListener events = new RecordingListener();

    @Test
    void theBlackHoleReallyNeverAnswers() {
        BlackHole hole = fixture.blackHole();
        long start = System.nanoTime();
        assertThatThrownBy(() -> Dialer.tcp().dial(addressOf(hole), Duration.ofMillis(300)).close())
                .isInstanceOf(SocketTimeoutException.class)
                .hasMessageContaining("connect timed out after 300 ms");
        assertThat(millisSince(start)).isBetween(250L, 300 + MARGIN_MILLIS);
    }

    @Test
    void tryAcquireFailsWithinTheDialTimeoutNamingTheServer() {
        BlackHole hole = fixture.blackHole();
        ConnPool pool = fixture.pool(ConnPool.builder().name(fixture.testName()).servers(hole.address())
                .dialTimeout(Duration.ofMillis(500)).minIdlePerServer(0).listener(events));

        long start = System.nanoTime();
        assertThatThrownBy(pool::tryAcquire)
                .isInstanceOf(NoServerAvailableException.class)
                .hasMessageContaining(hole.address())
                .hasMessageContaining("timed out");
        // it did wait for the dial (a refused connect would return at once), and no longer than allowed
        assertThat(millisSince(start)).isBetween(450L, 500 + MARGIN_MILLIS);
        assertThat(PoolFixture.status(pool, addressOf(hole)).state()).isEqualTo(ServerState.DOWN);
        assertThat(events.events(Type.DIAL_FAILED)).singleElement()
                .satisfies(e -> assertThat(e.detail()).isInstanceOf(SocketTimeoutException.class));
    }

    @Test
    void acquireGivesUpAtItsOwnTimeoutWhileEveryDialHangs() {
        BlackHole hole = fixture.blackHole();
        ConnPool pool = fixture.pool(ConnPool.builder().name(fixture.testName()).servers(hole.address())
                .dialTimeout(Duration.ofMillis(300)).retryMin(Duration.ofMillis(50)).retryMax(Duration.ofMillis(100))
                .minIdlePerServer(0));

        long start = System.nanoTime();
        assertThatThrownBy(() -> pool.acquire(Duration.ofSeconds(1)))
                .isInstanceOf(NoServerAvailableException.class)
                .hasMessageContaining(hole.address())
                .hasMessageContaining("timed out");
        assertThat(millisSince(start)).isBetween(950L, 1_000 + MARGIN_MILLIS);
        assertThat(pool.stats().pending()).isZero();
    }

    @Test
    void theCallersOwnShortTimeoutDuringADialDoesNotMarkTheServerDown() {
        BlackHole hole = fixture.blackHole();
        ConnPool pool = fixture.pool(ConnPool.builder().name(fixture.testName()).servers(hole.address())
                .dialTimeout(Duration.ofSeconds(10)).minIdlePerServer(0).listener(events));

        for (int attempt = 0; attempt < 2; attempt++) {
            long start = System.nanoTime();
            assertThatThrownBy(() -> pool.acquire(Duration.ofMillis(300)))
                    .isInstanceOf(AcquireTimeoutException.class)
                    .hasMessageContaining(fixture.testName())
                    .hasMessageContaining("dial still in progress at the deadline was abandoned")
                    .hasMessageContaining("not marked down");
            assertThat(millisSince(start)).isBetween(250L, 300 + MARGIN_MILLIS);
        }

        ServerStatus status = PoolFixture.status(pool, addressOf(hole));
        assertThat(status.state()).isNotEqualTo(ServerState.DOWN);
        assertThat(status.consecutiveFailures()).isZero();
        assertThat(status.nextRetry()).isNull();
        assertThat(events.count(Type.SERVER_DOWN)).isZero();
        // each acquire may dial again with the little time it has left; every one was cut short by the caller
        assertThat(events.events(Type.DIAL_FAILED)).hasSizeGreaterThanOrEqualTo(2)
                .allSatisfy(e -> assertThat(e.detail()).isInstanceOf(SocketTimeoutException.class));
    }

    private static long millisSince(long startNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }
}
