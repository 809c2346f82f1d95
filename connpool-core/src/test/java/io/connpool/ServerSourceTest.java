package io.connpool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.connpool.test.MockTcpServer;
import io.connpool.testing.LineClient;
import io.connpool.testing.PoolFixture;
import io.connpool.testing.RecordingListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A pool fed by a {@link ServerSource}: lists applied as one change, an empty list, a source that fails, close. */
class ServerSourceTest {

    @RegisterExtension
    final PoolFixture fixture = new PoolFixture();

    private final RecordingListener events = new RecordingListener();

    /** A source the test publishes through by hand. */
    static final class HandSource implements ServerSource {

        volatile Consumer<List<ServerAddress>> publish;
        final AtomicInteger closes = new AtomicInteger();
        List<ServerAddress> initial;
        RuntimeException failOnStart;

        HandSource(ServerAddress... initial) {
            this.initial = List.of(initial);
        }

        @Override
        public void start(Consumer<List<ServerAddress>> servers) {
            publish = servers;
            if (!initial.isEmpty()) {
                servers.accept(initial);
            }
            if (failOnStart != null) {
                throw failOnStart;
            }
        }

        void publish(ServerAddress... servers) {
            publish.accept(List.of(servers));
        }

        @Override
        public String name() {
            return "billing-registry";
        }

        @Override
        public void close() {
            closes.incrementAndGet();
        }
    }

    private MockTcpServer server() {
        return fixture.register(MockTcpServer.start());
    }

    private static ServerAddress address(MockTcpServer server) {
        return ServerAddress.parse(server.address());
    }

    private ConnPool pool(ServerSource source) {
        return fixture.pool(ConnPool.builder().name(fixture.testName()).serverSource(source).listener(events)
                .acquireTimeout(Duration.ofSeconds(30)));
    }

    @Test
    void aPublishedListReplacesTheServersAndItsNameIsTheirSource() throws Exception {
        MockTcpServer a = server();
        MockTcpServer b = server();
        MockTcpServer c = server();
        HandSource source = new HandSource(address(a), address(b));
        ConnPool pool = pool(source);
        assertThat(pool.servers()).extracting(ServerStatus::address).containsExactly(address(a), address(b));
        assertThat(pool.servers()).extracting(ServerStatus::source).containsOnly("billing-registry");
        PooledConnection onA = borrowFrom(pool, address(a));

        source.publish(address(b), address(c));

        assertThat(pool.servers()).extracting(ServerStatus::address).containsExactly(address(b), address(c));
        assertThat(events.count(RecordingListener.Type.SERVER_REMOVED, address(a))).isEqualTo(1);
        assertThat(events.count(RecordingListener.Type.SERVER_ADDED, address(c))).isEqualTo(1);
        assertThat(LineClient.call(onA, "finishing")).as("a drained server's borrower finishes").isEqualTo("finishing");
        onA.close();
        a.awaitOpenConnections(0, Duration.ofSeconds(10));
        for (int i = 0; i < 6; i++) {
            try (PooledConnection connection = pool.acquire()) {
                assertThat(connection.server()).isIn(address(b), address(c));
            }
        }
    }

    @Test
    void anEmptyListMakesEveryAcquireFailAtOnceNamingTheSourceUntilServersComeBack() throws Exception {
        MockTcpServer a = server();
        HandSource source = new HandSource(address(a));
        ConnPool pool = pool(source);

        source.publish();

        long start = System.nanoTime();
        assertThatThrownBy(pool::acquire).isInstanceOf(NoServerAvailableException.class)
                .hasMessageContaining("Pool '" + fixture.testName() + "' has no servers")
                .hasMessageContaining("server source 'billing-registry' published an empty list");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("not its 30 s acquire timeout")
                .isLessThan(Duration.ofSeconds(5));
        assertThatThrownBy(pool::tryAcquire).isInstanceOf(NoServerAvailableException.class)
                .hasMessageContaining("billing-registry");
        assertThat(pool.servers()).isEmpty();

        source.publish(address(a));
        try (PooledConnection connection = pool.acquire()) {
            assertThat(LineClient.call(connection, "back")).isEqualTo("back");
        }
    }

    @Test
    void aWaitingAcquireFailsAsSoonAsTheSourcePublishesAnEmptyList() throws Exception {
        HandSource source = new HandSource(new ServerAddress("127.0.0.1", 1)); // refuses: DOWN, retried later
        ConnPool pool = fixture.pool(ConnPool.builder().name(fixture.testName()).serverSource(source)
                .retryMin(Duration.ofSeconds(20)).retryMax(Duration.ofSeconds(20)).acquireTimeout(Duration.ofSeconds(30)));
        await().until(() -> pool.servers().get(0).state() == ServerState.DOWN);
        ExecutorService threads = fixture.threads(1);
        // all down, one back within the deadline: the caller waits
        Future<Throwable> waiting = threads.submit(() -> {
            try (PooledConnection connection = pool.acquire()) {
                return null;
            }
            catch (Exception ex) {
                return ex;
            }
        });
        await().until(() -> pool.stats().pending() == 1);

        source.publish();

        Throwable failure = waiting.get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(failure).isInstanceOf(NoServerAvailableException.class).hasMessageContaining("published an empty list");
    }

    @Test
    void aSourceWhoseStartThrowsKeepsWhatItPublishedAndTheErrorSaysWhy() throws Exception {
        HandSource broken = new HandSource();
        broken.failOnStart = new IllegalStateException("registry unreachable");
        ConnPool empty = pool(broken);
        assertThatThrownBy(empty::tryAcquire).isInstanceOf(NoServerAvailableException.class)
                .hasMessageContaining("server source 'billing-registry' it failed to start: IllegalStateException:"
                        + " registry unreachable");

        MockTcpServer a = server();
        HandSource halfway = new HandSource(address(a));
        halfway.failOnStart = new IllegalStateException("watch failed");
        ConnPool kept = fixture.pool(ConnPool.builder().name(fixture.testName() + "-2").serverSource(halfway));
        assertThat(kept.servers()).extracting(ServerStatus::address).containsExactly(address(a));
        assertThat(kept.servers().get(0).sourceError()).contains("it failed to start: IllegalStateException: watch failed");
        try (PooledConnection connection = kept.acquire()) {
            assertThat(LineClient.call(connection, "kept")).isEqualTo("kept");
        }
    }

    @Test
    void aNullListOrOneHoldingNullKeepsTheServers() {
        MockTcpServer a = server();
        HandSource source = new HandSource(address(a));
        ConnPool pool = pool(source);

        source.publish.accept(null);
        List<ServerAddress> withNull = new ArrayList<>();
        withNull.add(null);
        source.publish.accept(withNull);

        assertThat(pool.servers()).extracting(ServerStatus::address).containsExactly(address(a));
    }

    @Test
    void theSourceIsClosedOnceWithThePoolAndWhatItPublishesAfterwardsIsIgnored() {
        MockTcpServer a = server();
        MockTcpServer b = server();
        HandSource source = new HandSource(address(a));
        ConnPool pool = pool(source);

        pool.close();
        pool.close();
        source.publish(address(b));

        assertThat(source.closes.get()).isEqualTo(1);
        assertThat(events.count(RecordingListener.Type.SERVER_ADDED, address(b))).isZero();
        assertThat(b.acceptedConnections()).isZero();
    }

    @Test
    void aServerAddedByHandStaysWhenTheSourcePublishes() {
        MockTcpServer a = server();
        MockTcpServer b = server();
        MockTcpServer c = server();
        HandSource source = new HandSource(address(a));
        ConnPool pool = pool(source);
        assertThat(pool.addServer(address(c))).isTrue();

        source.publish(address(b));

        assertThat(pool.servers()).extracting(ServerStatus::address).containsExactly(address(c), address(b));
        assertThat(PoolFixture.status(pool, address(c)).source()).isEqualTo(c.address());
    }

    @Test
    void givingServersAndASourceIsABuildErrorAndASourceNeedsNoServers() {
        ServerSource source = new HandSource();
        assertThatThrownBy(() -> ConnPool.builder().servers("127.0.0.1:7000").serverSource(source).build())
                .isInstanceOf(InvalidOptionException.class)
                .hasMessageContaining("give servers(..) or serverSource(..), not both (pool 'default')");
        assertThatThrownBy(() -> ConnPool.builder().build()).isInstanceOf(InvalidOptionException.class)
                .hasMessageContaining("or give a serverSource(..) that publishes them");
        assertThatThrownBy(() -> ConnPool.builder().serverSource(null)).isInstanceOf(InvalidOptionException.class);
    }

    /** A change is one step for borrowers: swapping the whole list never leaves a borrower with no server. */
    @Test
    void noBorrowSeesAHalfAppliedList() throws Exception {
        List<MockTcpServer> servers = List.of(server(), server(), server(), server());
        ServerAddress[] first = {address(servers.get(0)), address(servers.get(1))};
        ServerAddress[] second = {address(servers.get(2)), address(servers.get(3))};
        HandSource source = new HandSource(first);
        ConnPool pool = fixture.pool(ConnPool.builder().name(fixture.testName()).serverSource(source)
                .acquireTimeout(Duration.ofSeconds(10)));
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicInteger calls = new AtomicInteger();
        ExecutorService threads = fixture.threads(8);
        List<Future<?>> borrowers = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            borrowers.add(threads.submit(() -> {
                while (running.get()) {
                    try (PooledConnection connection = pool.acquire()) {
                        assertThat(LineClient.call(connection, "x")).isEqualTo("x");
                        calls.incrementAndGet();
                    }
                    catch (Throwable ex) {
                        failure.compareAndSet(null, ex);
                    }
                }
            }));
        }
        for (int swap = 0; swap < 50; swap++) {
            source.publish(swap % 2 == 0 ? second : first);
            int before = calls.get();
            await().pollInterval(Duration.ofMillis(1)).until(() -> calls.get() > before + 8); // traffic on each list
        }
        running.set(false);
        for (Future<?> borrower : borrowers) {
            borrower.get(10, java.util.concurrent.TimeUnit.SECONDS);
        }
        assertThat(failure.get()).as("a borrow that failed while the list was swapped").isNull();
        assertThat(calls.get()).isGreaterThan(400);
    }

    private static PooledConnection borrowFrom(ConnPool pool, ServerAddress server) throws Exception {
        List<PooledConnection> others = new ArrayList<>();
        try {
            while (true) {
                PooledConnection connection = pool.acquire();
                if (connection.server().equals(server)) {
                    return connection;
                }
                others.add(connection);
            }
        }
        finally {
            others.forEach(PooledConnection::close);
        }
    }
}
