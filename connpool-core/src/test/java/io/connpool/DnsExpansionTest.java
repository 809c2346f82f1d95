package io.connpool;

import static io.connpool.LoopbackAliases.address;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.connpool.test.MockTcpServer;
import io.connpool.testing.LineClient;
import io.connpool.testing.LogCapture;
import io.connpool.testing.PoolFixture;
import io.connpool.testing.RecordingListener;
import io.connpool.testing.TestCertificates;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * DNS expansion and refresh on real sockets, without a DNS server: names resolve through the pool's resolver
 * seam ({@link FakeResolver}) to loopback aliases that really listen ({@link LoopbackAliases}), and time (the
 * refresh interval, the backoff) is the {@link FakeClock}'s. Borrows use {@code tryAcquire}: an {@code acquire}
 * that had to wait would wait for fake time, which only the test moves.
 */
class DnsExpansionTest {

    private static final String NAME = "billing.test";

    @RegisterExtension
    final PoolFixture fixture = new PoolFixture();

    private final FakeClock clock = new FakeClock();
    private final FakeResolver resolver = new FakeResolver();
    private final RecordingListener events = new RecordingListener();

    private ConnPool pool(ConnPool.Builder builder) {
        fixture.register(resolver);
        return fixture.pool(FakeResolver.install(clock.install(builder.name(fixture.testName()).listener(events)),
                resolver));
    }

    private static Set<String> answeredBy(ConnPool pool, int calls) throws Exception {
        Set<String> hosts = new HashSet<>();
        for (int i = 0; i < calls; i++) {
            try (PooledConnection connection = pool.tryAcquire()) {
                String reply = LineClient.call(connection, "x");
                hosts.add(reply.substring(0, reply.lastIndexOf(':')));
            }
        }
        return hosts;
    }

    @Test
    void aNameIsExpandedToEveryAddressItResolvesToEachAServerOfItsOwn() throws Exception {
        LoopbackAliases aliases = fixture.register(LoopbackAliases.start(2));
        resolver.resolve(NAME, address(1), address(2));
        String entry = NAME + ":" + aliases.port();
        ConnPool pool = pool(ConnPool.builder().servers(entry));
        clock.runDue(); // the warm-up dials

        assertThat(pool.servers()).extracting(ServerStatus::address).containsExactly(aliases.server(1),
                aliases.server(2));
        assertThat(pool.servers()).allSatisfy(server -> {
            assertThat(server.source()).isEqualTo(entry);
            assertThat(server.state()).isEqualTo(ServerState.UP);
            assertThat(server.sourceError()).isNull();
        });
        assertThat(answeredBy(pool, 10)).containsExactlyInAnyOrder("127.0.0.1", "127.0.0.2");
        assertThat(pool.server(aliases.server(2))).isPresent();
    }

    @Test
    void aRefreshAddsAnAddressThatAppearedAndDrainsOneThatVanished() throws Exception {
        LoopbackAliases aliases = fixture.register(LoopbackAliases.start(3));
        resolver.resolve(NAME, address(1), address(2));
        ConnPool pool = pool(ConnPool.builder().servers(NAME + ":" + aliases.port()));
        clock.runDue();
        PooledConnection borrowed = borrowFrom(pool, aliases.server(1));

        resolver.resolve(NAME, address(2), address(3));
        try (LogCapture log = LogCapture.of(ConnPool.class)) {
            clock.advance(Duration.ofSeconds(30));
            List<String> changes = log.events(Level.INFO).stream().map(ILoggingEvent::getFormattedMessage)
                    .filter(message -> message.contains("servers from")).toList();
            assertThat(changes).as("one line for the change").hasSize(1);
            assertThat(changes.get(0)).contains("added [127.0.0.3:" + aliases.port() + " (" + NAME + ":")
                    .contains("removed [127.0.0.1:" + aliases.port() + " (" + NAME)
                    .contains("1 borrowed connection(s) close when returned");
        }

        assertThat(pool.servers()).extracting(ServerStatus::address).containsExactly(aliases.server(2),
                aliases.server(3));
        assertThat(events.count(RecordingListener.Type.SERVER_ADDED, aliases.server(3))).isEqualTo(1);
        assertThat(events.count(RecordingListener.Type.SERVER_REMOVED, aliases.server(1))).isEqualTo(1);
        assertThat(answeredBy(pool, 10)).containsExactlyInAnyOrder("127.0.0.2", "127.0.0.3");
        // drained like removeServer: the borrower finishes its work, then the connection closes
        assertThat(LineClient.call(borrowed, "still")).isEqualTo("127.0.0.1:still");
        borrowed.close();
        await().until(() -> aliases.openConnections(1) == 0);
    }

    @Test
    void aFailedLookupKeepsTheLastGoodAddressesAndSaysSoInTheirStatus() throws Exception {
        LoopbackAliases aliases = fixture.register(LoopbackAliases.start(2));
        resolver.resolve(NAME, address(1), address(2));
        ConnPool pool = pool(ConnPool.builder().servers(NAME + ":" + aliases.port()));
        clock.runDue();

        resolver.fail(NAME);
        clock.advance(Duration.ofSeconds(30));

        assertThat(pool.servers()).extracting(ServerStatus::address).containsExactly(aliases.server(1),
                aliases.server(2));
        assertThat(pool.servers()).allSatisfy(server -> assertThat(server.sourceError())
                .contains("looking up '" + NAME + "' failed at")
                .contains("UnknownHostException: " + NAME + ": Name or service not known")
                .contains("its 2 address(es) of the last good lookup stay: [127.0.0.1, 127.0.0.2]"));
        assertThat(answeredBy(pool, 4)).containsExactlyInAnyOrder("127.0.0.1", "127.0.0.2");

        // retried with backoff (retryMin 1 s, ±50 %), not only at the next interval
        resolver.resolve(NAME, address(1), address(2));
        clock.advance(Duration.ofMillis(1500));
        assertThat(pool.servers()).allSatisfy(server -> assertThat(server.sourceError()).isNull());
    }

    @Test
    void aLookupThatTimesOutKeepsTheLastGoodAddresses() throws Exception {
        LoopbackAliases aliases = fixture.register(LoopbackAliases.start(2));
        resolver.resolve(NAME, address(1), address(2));
        ConnPool pool = pool(ConnPool.builder().servers(NAME + ":" + aliases.port())
                .dialTimeout(Duration.ofMillis(200)));
        clock.runDue();

        resolver.hang(NAME);
        long start = System.nanoTime();
        clock.advance(Duration.ofSeconds(30)); // the refresh runs here, and gives up at the dial timeout

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        assertThat(pool.servers()).extracting(ServerStatus::address).containsExactly(aliases.server(1),
                aliases.server(2));
        assertThat(PoolFixture.status(pool, aliases.server(1)).sourceError())
                .contains("looking up '" + NAME + "' did not finish within 200 ms");
        assertThat(answeredBy(pool, 4)).containsExactlyInAnyOrder("127.0.0.1", "127.0.0.2");
    }

    @Test
    void aNameThatNeverResolvedIsOneServerDownWithTheLookupErrorUntilItResolves() throws Exception {
        MockTcpServer server = fixture.register(MockTcpServer.start());
        String entry = NAME + ":" + server.port();
        resolver.fail(NAME);
        ConnPool pool = pool(ConnPool.builder().servers(entry).dialer(resolver.tcp()));
        clock.runDue(); // the warm-up dial, by name: the lookup fails

        ServerStatus status = PoolFixture.status(pool, ServerAddress.parse(entry));
        assertThat(status.state()).isEqualTo(ServerState.DOWN);
        assertThat(status.source()).isEqualTo(entry);
        assertThat(status.lastError()).contains("UnknownHostException").contains(NAME);
        assertThat(status.sourceError()).contains("it has never resolved, so it stays one server dialed by its name");
        assertThatThrownBy(pool::tryAcquire).isInstanceOf(NoServerAvailableException.class)
                .hasMessageContaining(entry + " is DOWN (UnknownHostException");

        resolver.resolve(NAME, address(1));
        clock.advance(Duration.ofMillis(1500)); // the lookup is retried with backoff, as the server's probe is

        assertThat(pool.servers()).extracting(ServerStatus::address)
                .containsExactly(new ServerAddress("127.0.0.1", server.port()));
        assertThat(pool.servers().get(0).source()).isEqualTo(entry);
        try (PooledConnection connection = pool.tryAcquire()) {
            assertThat(LineClient.call(connection, "found")).isEqualTo("found");
        }
    }

    @Test
    void buildWaitsForAHangingResolverNoLongerThanTheDialTimeout() {
        MockTcpServer server = fixture.register(MockTcpServer.start());
        resolver.hang(NAME);
        long start = System.nanoTime();
        ConnPool pool = pool(ConnPool.builder().servers(NAME + ":" + server.port()).dialTimeout(Duration.ofMillis(300))
                .minIdlePerServer(0));

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
        assertThat(pool.servers()).singleElement().satisfies(status -> {
            assertThat(status.address()).isEqualTo(new ServerAddress(NAME, server.port()));
            assertThat(status.sourceError()).contains("did not finish within 300 ms");
        });
    }

    @Test
    void tlsVerifiesTheNameOfAnExpandedServerNotItsAddress(@TempDir Path directory) throws Exception {
        // a certificate for the name only: hostname verification against 127.0.0.1 would reject it
        TestCertificates certificates = TestCertificates.generate(directory, NAME, "dns:" + NAME);
        MockTcpServer server = fixture.register(MockTcpServer.startTls(certificates.serverContext()));
        resolver.resolve(NAME, address(1));
        ConnPool pool = pool(ConnPool.builder().servers(NAME + ":" + server.port())
                .dialer(Dialer.tls(certificates.clientContext())).minIdlePerServer(0));

        assertThat(pool.servers()).extracting(ServerStatus::address)
                .containsExactly(new ServerAddress("127.0.0.1", server.port()));
        try (PooledConnection connection = pool.tryAcquire()) {
            assertThat(connection.socket()).isInstanceOf(SSLSocket.class);
            assertThat(LineClient.call(connection, "secret")).isEqualTo("secret");
        }
    }

    @Test
    void aZeroIntervalKeepsOneServerPerNameResolvedAtEachDial() throws Exception {
        MockTcpServer server = fixture.register(MockTcpServer.start());
        resolver.resolve(NAME, address(1));
        String entry = NAME + ":" + server.port();
        ConnPool pool = pool(ConnPool.builder().servers(entry).dnsRefreshInterval(Duration.ZERO)
                .dialer(resolver.tcp()));
        clock.runDue();

        assertThat(pool.servers()).singleElement().satisfies(status -> {
            assertThat(status.address()).isEqualTo(ServerAddress.parse(entry));
            assertThat(status.source()).isEqualTo(entry);
            assertThat(status.state()).isEqualTo(ServerState.UP);
        });
        assertThat(clock.nextDue()).as("no refresh scheduled beyond housekeeping").isLessThanOrEqualTo(
                Duration.ofSeconds(1));
        int byTheDial = resolver.lookups.get();
        clock.advance(Duration.ofSeconds(60));
        assertThat(resolver.lookups.get()).as("no lookup but the dials'").isEqualTo(byTheDial);
    }

    @Test
    void literalAddressesAreNeverLookedUp() throws Exception {
        MockTcpServer server = fixture.register(MockTcpServer.start());
        ConnPool pool = pool(ConnPool.builder().servers(server.address()));
        clock.runDue();
        clock.advance(Duration.ofSeconds(60));

        assertThat(resolver.lookups.get()).isZero();
        assertThat(pool.servers()).singleElement().satisfies(status -> {
            assertThat(status.address()).isEqualTo(ServerAddress.parse(server.address()));
            assertThat(status.source()).isEqualTo(server.address());
        });
    }

    private static PooledConnection borrowFrom(ConnPool pool, ServerAddress server) throws Exception {
        List<PooledConnection> others = new ArrayList<>();
        try {
            while (true) {
                PooledConnection connection = pool.tryAcquire();
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
