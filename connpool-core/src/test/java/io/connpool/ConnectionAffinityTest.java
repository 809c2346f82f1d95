package io.connpool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.connpool.test.MockTcpServer;
import io.connpool.testing.PoolFixture;
import java.net.Socket;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A thread gets back the connection it returned last (warm reuse), found through the per-thread slot hint
 * in {@link ServerPool}, and a hint that points at someone else's connection never hands that one over.
 */
class ConnectionAffinityTest {

    @RegisterExtension
    final PoolFixture fixture = new PoolFixture();

    private final List<ExecutorService> threads = new ArrayList<>();
    private ConnPool pool;

    @AfterEach
    void stopThreads() {
        threads.forEach(ExecutorService::shutdownNow);
    }

    private void start(int maxConnections) {
        MockTcpServer server = fixture.server("a");
        pool = fixture.pool(fixture.builder(server).maxConnectionsPerServer(maxConnections));
        await().until(() -> pool.stats().idle() == 1);
    }

    @Test
    void twoThreadsWithTheSameHintEachGetTheirOwnConnectionBack() throws Exception {
        start(8);
        // thread ids are sequential: among 64 threads two share a hint index of the 32 a pool of 8 keeps
        ExecutorService[] pair = twoThreadsWithTheSameHint(ServerPool.hintCount(8));
        ExecutorService a = pair[0];
        ExecutorService b = pair[1];
        PooledConnection heldByA = on(a, pool::acquire);
        PooledConnection heldByB = on(b, pool::acquire);
        Socket socketOfA = heldByA.socket();
        Socket socketOfB = heldByB.socket();
        on(a, () -> close(heldByA));
        on(b, () -> close(heldByB)); // the hint both threads share now points at B's connection

        PooledConnection again = on(a, pool::acquire);
        assertThat(again.socket()).as("A gets its own connection back, not the one the shared hint names")
                .isSameAs(socketOfA);
        PooledConnection againB = on(b, pool::acquire);
        assertThat(againB.socket()).isSameAs(socketOfB);
        on(a, () -> close(again));
        on(b, () -> close(againB));
        assertThat(pool.stats().created()).as("no dial: both connections were reused").isEqualTo(2);
    }

    @Test
    void aThreadWhoseConnectionSomeoneElseTookGetsAnotherAndLaterTheOneItReturnedLast() throws Exception {
        start(4);
        ExecutorService a = thread();
        ExecutorService c = thread();
        PooledConnection first = on(a, pool::acquire);
        Socket x = first.socket();
        on(a, () -> close(first));
        PooledConnection taken = on(c, pool::acquire); // the only idle one: A's
        assertThat(taken.socket()).isSameAs(x);

        PooledConnection second = on(a, pool::acquire); // its hint names a connection C holds
        Socket y = second.socket();
        assertThat(y).as("a borrowed connection is never handed to a second borrower").isNotSameAs(x);
        assertThat(y.isClosed()).isFalse();
        on(c, () -> close(taken));
        on(a, () -> close(second));

        PooledConnection third = on(a, pool::acquire);
        assertThat(third.socket()).as("the connection A returned last, though its first one is idle too")
                .isSameAs(y);
        on(a, () -> close(third));
    }

    @Test
    void aPoolKeepsFourHintsPerConnectionAsAPowerOfTwoFromSixteenToOneThousandAndTwentyFour() {
        assertThat(ServerPool.hintCount(1)).isEqualTo(16);
        assertThat(ServerPool.hintCount(8)).isEqualTo(32);
        assertThat(ServerPool.hintCount(50)).isEqualTo(256);
        assertThat(ServerPool.hintCount(256)).isEqualTo(1024);
        assertThat(ServerPool.hintCount(10_000)).isEqualTo(1024);
    }

    private ExecutorService thread() {
        ExecutorService executor = Executors.newSingleThreadExecutor();
        threads.add(executor);
        return executor;
    }

    @SuppressWarnings("deprecation") // Thread.getId(): the pool uses it, on Java 17
    private ExecutorService[] twoThreadsWithTheSameHint(int hints) throws Exception {
        Map<Integer, ExecutorService> byHint = new HashMap<>();
        for (int i = 0; i < 2 * hints; i++) {
            ExecutorService executor = thread();
            long id = on(executor, () -> Thread.currentThread().getId());
            ExecutorService earlier = byHint.putIfAbsent((int) id & (hints - 1), executor);
            if (earlier != null) {
                return new ExecutorService[] {earlier, executor};
            }
        }
        throw new AssertionError("no two of " + 2 * hints + " threads share a hint index");
    }

    private static Void close(PooledConnection connection) {
        connection.close();
        return null;
    }

    private static <T> T on(ExecutorService thread, Callable<T> work) throws Exception {
        return thread.submit(work).get(10, TimeUnit.SECONDS);
    }
}
