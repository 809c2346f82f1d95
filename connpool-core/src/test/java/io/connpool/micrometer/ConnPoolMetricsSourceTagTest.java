package io.connpool.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import io.connpool.ConnPool;
import io.connpool.ServerAddress;
import io.connpool.ServerSource;
import io.connpool.test.MockTcpServer;
import io.connpool.testing.NamedEcho;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Per-server meters say where the server came from ({@code source}) besides its address ({@code server}). */
class ConnPoolMetricsSourceTagTest {

    private final MockTcpServer a = NamedEcho.start("a");
    private final MockTcpServer b = NamedEcho.start("b");
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private ConnPool pool;

    @AfterEach
    void tearDown() {
        if (pool != null) {
            pool.close();
        }
        a.close();
        b.close();
        registry.close();
    }

    @Test
    void everyMeterOfAServerIsTaggedWithItsSourceAlsoForServersPublishedLater() {
        AtomicReference<Consumer<List<ServerAddress>>> publish = new AtomicReference<>();
        ServerSource source = new ServerSource() {
            @Override
            public void start(Consumer<List<ServerAddress>> servers) {
                publish.set(servers);
                servers.accept(List.of(ServerAddress.parse(a.address())));
            }

            @Override
            public String name() {
                return "billing-service";
            }
        };
        pool = ConnPool.builder().name("billing").serverSource(source).maxRps(50).minIdlePerServer(0).build();
        new ConnPoolMetrics(pool).bindTo(registry);

        publish.get().accept(List.of(ServerAddress.parse(a.address()), ServerAddress.parse(b.address())));

        for (MockTcpServer server : List.of(a, b)) {
            java.util.Collection<Meter> meters = registry.find("connpool.connections.active").tag("server", server.address()).meters();
            assertThat(meters).singleElement().satisfies(meter -> assertThat(meter.getId().getTag("source"))
                    .isEqualTo("billing-service"));
            Set<String> named = registry.getMeters().stream()
                    .filter(meter -> server.address().equals(meter.getId().getTag("server")))
                    .filter(meter -> !"billing-service".equals(meter.getId().getTag("source")))
                    .map(meter -> meter.getId().getName()).collect(Collectors.toSet());
            assertThat(named).as("meters of %s without the source tag", server.address()).isEmpty();
        }
        assertThat(registry.find("connpool.ratelimiter.available.permissions").tag("source", "billing-service")
                .meters()).hasSize(2);
    }
}
