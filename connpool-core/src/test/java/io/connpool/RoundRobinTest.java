package io.connpool;

import static org.assertj.core.api.Assertions.assertThat;

import io.connpool.testing.LineClient;
import io.connpool.testing.TestServer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RoundRobinTest {

    private final List<TestServer> servers = Stream.of("a", "b", "c").map(TestServer::start).toList();
    private ConnPool pool;

    @AfterEach
    void tearDown() {
        if (pool != null) {
            pool.close();
        }
        servers.forEach(TestServer::close);
    }

    @Test
    void sequentialAcquiresAreSpreadEvenlyOverServers() throws Exception {
        pool = ConnPool.builder().name("rr")
                .servers(servers.stream().map(TestServer::hostPort).toArray(String[]::new))
                .build();
        // steady state: while a server's first dial is in flight, callers go to the others
        org.awaitility.Awaitility.await().until(() -> pool.servers().stream().allMatch(s -> s.state() == ServerState.UP));
        Map<String, Integer> served = new HashMap<>();
        for (int i = 0; i < 300; i++) {
            try (PooledConnection c = pool.acquire()) {
                String reply = LineClient.call(c, "ping");
                served.merge(reply.substring(0, reply.indexOf(':')), 1, Integer::sum);
            }
        }
        assertThat(served).containsOnlyKeys("a", "b", "c");
        assertThat(served.values()).allSatisfy(count -> assertThat(count).isBetween(99, 101));
    }
}
