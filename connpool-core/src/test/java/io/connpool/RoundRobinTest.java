package io.connpool;

import static io.connpool.testing.PoolFixture.addressOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.connpool.test.MockTcpServer;
import io.connpool.testing.LineClient;
import io.connpool.testing.NamedEcho;
import io.connpool.testing.PoolFixture;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class RoundRobinTest {

    @RegisterExtension
    final PoolFixture fixture = new PoolFixture();

    @Test
    void sequentialAcquiresAreSpreadEvenlyOverServers() throws Exception {
        List<MockTcpServer> servers = fixture.servers("a", "b", "c");
        ConnPool pool = fixture.pool(fixture.builder(servers.toArray(MockTcpServer[]::new)));
        // while a new server's first dial is in flight, callers pass over it rather than dial it too
        await().until(() -> pool.stats().idle() == 3);

        Map<String, Integer> served = serve(pool, 300);

        assertThat(served).containsOnlyKeys("a", "b", "c");
        assertThat(served.values()).allSatisfy(count -> assertThat(count).isBetween(99, 101));
        // the replies really came over the servers' sockets: every request was seen by a server
        assertThat(servers.stream().mapToLong(server -> server.requests().size()).sum()).isEqualTo(300);
    }

    @Test
    void connectionsAreReusedNotRedialedPerAcquire() throws Exception {
        List<MockTcpServer> servers = fixture.servers("a", "b", "c");
        ConnPool pool = fixture.pool(fixture.builder(servers.toArray(MockTcpServer[]::new)));
        await().until(() -> pool.stats().idle() == 3); // warm-up dials done

        serve(pool, 300);

        // sequential use needs one connection per server; the warm-up dial already made it
        assertThat(servers).allSatisfy(server -> assertThat(server.acceptedConnections()).isEqualTo(1));
        assertThat(pool.stats().created()).isEqualTo(3);
    }

    @Test
    void aServerAddedAtRunTimeTakesItsShareOnceConnected() throws Exception {
        MockTcpServer a = fixture.server("a");
        MockTcpServer b = fixture.server("b");
        ConnPool pool = fixture.pool(fixture.builder(a));

        assertThat(serve(pool, 10)).containsOnlyKeys("a");
        assertThat(pool.addServer(addressOf(b))).isTrue();
        assertThat(pool.addServer(addressOf(b))).as("adding it twice").isFalse();
        await().until(() -> PoolFixture.status(pool, addressOf(b)).idle() == 1);

        Map<String, Integer> served = serve(pool, 100);
        assertThat(served).containsOnlyKeys("a", "b");
        assertThat(served.values()).allSatisfy(count -> assertThat(count).isBetween(49, 51));
    }

    @Test
    void aRemovedServerTakesNoMoreTrafficAndItsIdleConnectionsClose() throws Exception {
        List<MockTcpServer> servers = fixture.servers("a", "b");
        ConnPool pool = fixture.pool(fixture.builder(servers.toArray(MockTcpServer[]::new)));
        serve(pool, 10);

        assertThat(pool.removeServer(addressOf(servers.get(1)))).isTrue();

        assertThat(serve(pool, 20)).containsOnlyKeys("a");
        await().until(() -> servers.get(1).openConnections() == 0);
        assertThat(pool.servers()).extracting(ServerStatus::address).containsExactly(addressOf(servers.get(0)));
    }

    /** Counts, per server name, who answered {@code count} sequential calls. */
    static Map<String, Integer> serve(ConnPool pool, int count) throws Exception {
        Map<String, Integer> served = new HashMap<>();
        for (int i = 0; i < count; i++) {
            try (PooledConnection c = pool.acquire()) {
                served.merge(NamedEcho.nameIn(LineClient.call(c, "ping")), 1, Integer::sum);
            }
        }
        return served;
    }
}
