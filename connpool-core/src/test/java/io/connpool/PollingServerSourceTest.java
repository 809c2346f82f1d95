package io.connpool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.connpool.test.MockTcpServer;
import io.connpool.testing.LineClient;
import io.connpool.testing.PoolFixture;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link ServerSource#polling}: run on the pool's scheduler (here the {@link FakeClock}), on real servers. */
class PollingServerSourceTest {

    @RegisterExtension
    final PoolFixture fixture = new PoolFixture();

    private final FakeClock clock = new FakeClock();
    /** What the lookup returns next: a list, or an exception to throw. */
    private final AtomicReference<Object> next = new AtomicReference<>();
    private final AtomicInteger lookups = new AtomicInteger();

    private PollingServerSource source() {
        return ServerSource.polling("billing", Duration.ofSeconds(10), () -> {
            lookups.incrementAndGet();
            Object answer = next.get();
            if (answer instanceof Exception ex) {
                throw ex;
            }
            @SuppressWarnings("unchecked")
            List<ServerAddress> servers = (List<ServerAddress>) answer;
            return servers;
        });
    }

    private ConnPool pool(ServerSource source) {
        return fixture.pool(clock.install(ConnPool.builder().name(fixture.testName()).serverSource(source)));
    }

    private MockTcpServer server() {
        return fixture.register(MockTcpServer.start());
    }

    private static ServerAddress address(MockTcpServer server) {
        return ServerAddress.parse(server.address());
    }

    @Test
    void aLookupThatThrowsKeepsTheLastListShowsWhyAndIsRetriedWithBackoff() throws Exception {
        MockTcpServer a = server();
        MockTcpServer b = server();
        next.set(List.of(address(a)));
        ConnPool pool = pool(source());
        assertThat(lookups.get()).as("looked up in build()").isEqualTo(1);
        clock.runDue();

        next.set(new java.io.IOException("registry unreachable"));
        clock.advance(Duration.ofSeconds(10));

        assertThat(pool.servers()).extracting(ServerStatus::address).containsExactly(address(a));
        assertThat(pool.servers().get(0).sourceError()).contains("lookup failed at")
                .contains("IOException: registry unreachable").contains("the 1 server(s) of its last good lookup stay");
        try (PooledConnection connection = pool.tryAcquire()) {
            assertThat(LineClient.call(connection, "kept")).isEqualTo("kept");
        }

        next.set(List.of(address(a), address(b)));
        int before = lookups.get();
        clock.advance(Duration.ofMillis(1500)); // retryMin 1 s ±50 %, not the 10 s interval
        assertThat(lookups.get()).isEqualTo(before + 1);
        assertThat(pool.servers()).extracting(ServerStatus::address).containsExactly(address(a), address(b));
        assertThat(pool.servers()).allSatisfy(status -> assertThat(status.sourceError()).isNull());
        assertThat(pool.servers()).extracting(ServerStatus::source).containsOnly("billing");
    }

    @Test
    void refreshLooksUpAtOnceOffTheCallersThreadAndAnUnchangedListChangesNothing() {
        MockTcpServer a = server();
        MockTcpServer b = server();
        next.set(List.of(address(a)));
        PollingServerSource source = source();
        ConnPool pool = pool(source);
        clock.runDue();

        next.set(List.of(address(a), address(b)));
        source.refresh();
        source.refresh(); // coalesced with the one already asked for
        assertThat(pool.servers()).as("not in the caller's thread").hasSize(1);
        clock.runDue();

        assertThat(lookups.get()).isEqualTo(2);
        assertThat(pool.servers()).extracting(ServerStatus::address).containsExactly(address(a), address(b));
        ServerStatus before = pool.servers().get(1);
        clock.advance(Duration.ofSeconds(10));
        assertThat(lookups.get()).isEqualTo(3);
        assertThat(pool.servers().get(1).state()).isEqualTo(before.state());
    }

    @Test
    void closingThePoolStopsTheLookups() {
        next.set(List.of(address(server())));
        ConnPool pool = pool(source());
        pool.close();
        clock.advance(Duration.ofMinutes(5));
        assertThat(lookups.get()).isEqualTo(1);
    }

    @Test
    void startedByHandItPollsOnAThreadOfItsOwnUntilClosed() throws Exception {
        MockTcpServer a = server();
        next.set(List.of(address(a)));
        List<List<ServerAddress>> published = new CopyOnWriteArrayList<>();
        PollingServerSource source = ServerSource.polling("by-hand", Duration.ofMillis(20), () -> {
            lookups.incrementAndGet();
            @SuppressWarnings("unchecked")
            List<ServerAddress> servers = (List<ServerAddress>) next.get();
            return servers;
        });
        source.start(published::add);
        assertThat(published).containsExactly(List.of(address(a))); // the first lookup, in start()
        org.awaitility.Awaitility.await().until(() -> lookups.get() >= 3);
        assertThat(published).as("an unchanged list is not published again").hasSize(1);
        source.close();
        assertThatThrownBy(() -> source.start(published::add)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("was started already");
    }

    @Test
    void badArgumentsAreRejectedNamingTheSource() {
        assertThatThrownBy(() -> ServerSource.polling(" ", Duration.ofSeconds(1), List::of))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs a name");
        assertThatThrownBy(() -> ServerSource.polling("billing", Duration.ZERO, List::of))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("interval of server source 'billing' must be positive");
    }
}
