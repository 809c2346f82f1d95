package io.connpool.micrometer;

import static io.connpool.testing.PoolFixture.addressOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.connpool.ConnPool;
import io.connpool.ConnPoolListener;
import io.connpool.PooledConnection;
import io.connpool.ServerAddress;
import io.connpool.ServerSource;
import io.connpool.test.MockTcpServer;
import io.connpool.testing.LineClient;
import io.connpool.testing.NamedEcho;
import io.connpool.testing.PoolFixture;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ConnPoolMetricsTest {

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
    void gaugesTimersAndCountersFollowThePool() throws Exception {
        pool = ConnPool.builder().name("billing").servers(a.address()).maxConnectionsPerServer(3)
                .minIdlePerServer(0).build();
        new ConnPoolMetrics(pool, Tags.of("app", "test")).bindTo(registry);
        String server = a.address();

        try (PooledConnection c = pool.acquire()) {
            LineClient.call(c, "ping");
            assertThat(gauge("connpool.connections.active", server)).isEqualTo(1.0);
            assertThat(gauge("connpool.connections.idle", server)).isEqualTo(0.0);
            assertThat(gauge("connpool.server.up", server)).isEqualTo(1.0);
        }
        assertThat(gauge("connpool.connections.active", server)).isEqualTo(0.0);
        assertThat(gauge("connpool.connections.idle", server)).isEqualTo(1.0);
        assertThat(registry.get("connpool.connections.acquire").tags("pool", "billing", "server", server, "app", "test")
                .timer().count()).isEqualTo(1);
        assertThat(registry.get("connpool.connections.usage").tag("server", server).timer().count()).isEqualTo(1);
        assertThat(registry.get("connpool.connections.creation").tag("server", server).timer().count()).isEqualTo(1);
        assertThat(registry.get("connpool.connections.max").tag("pool", "billing").gauge().value()).isEqualTo(3.0);
        assertThat(registry.get("connpool.connections.pending").tag("pool", "billing").gauge().value()).isZero();
        assertThat(registry.get("connpool.connections.timeout").tag("pool", "billing").functionCounter().count())
                .isZero();
    }

    @Test
    void timeoutsAreCountedAndServerDownIsZero() throws Exception {
        pool = ConnPool.builder().name("p").servers(a.address()).maxConnectionsPerServer(1).minIdlePerServer(0)
                .build();
        new ConnPoolMetrics(pool).bindTo(registry);
        try (PooledConnection held = pool.acquire()) {
            assertThat(held).isNotNull();
            try {
                pool.acquire(Duration.ofMillis(50)).close();
            }
            catch (Exception expected) {
                // the only connection is held: this acquire times out
            }
        }
        assertThat(registry.get("connpool.connections.timeout").functionCounter().count()).isEqualTo(1.0);

        a.stop();
        pool.softEvict();
        try {
            pool.tryAcquire().close();
        }
        catch (Exception expected) {
            // the server is down now
        }
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(gauge("connpool.server.up", a.address())).isZero());
    }

    @Test
    void metersOfARemovedServerAreRemovedAndAnAddedServerGetsThem() {
        pool = ConnPool.builder().name("p").servers(a.address()).maxRps(40).minIdlePerServer(0).build();
        new ConnPoolMetrics(pool).bindTo(registry);
        assertThat(serverMeters(a.address())).isNotEmpty();
        assertThat(registry.get("connpool.ratelimiter.available.permissions").tag("server", a.address()).gauge()
                .value()).isEqualTo(40.0);

        pool.addServer(addressOf(b));
        assertThat(gauge("connpool.connections.active", b.address())).isZero();
        assertThat(registry.find("connpool.ratelimiter.available.permissions").tag("server", b.address()).gauge())
                .isNotNull();

        pool.removeServer(addressOf(a));
        assertThat(serverMeters(a.address())).isEmpty();
        assertThat(serverMeters(b.address())).extracting(m -> m.getId().getName()).contains(
                "connpool.connections.active", "connpool.connections.idle", "connpool.server.up",
                "connpool.connections.acquire", "connpool.connections.usage", "connpool.connections.creation",
                "connpool.ratelimiter.available.permissions");
    }

    @Test
    void noRateLimiterMetersWithoutMaxRps() {
        pool = ConnPool.builder().name("p").servers(a.address()).minIdlePerServer(0).build();
        new ConnPoolMetrics(pool).bindTo(registry);
        assertThat(registry.find("connpool.ratelimiter.available.permissions").meters()).isEmpty();
        assertThat(pool.rateLimiter(addressOf(a))).isEmpty();
    }

    @Test
    void aRecorderGivenToTheBuilderCountsTheWarmUpDialsBeforeTheBinderIsBound() {
        ConnPoolMetrics.Recorder recorder = ConnPoolMetrics.recorder();
        pool = ConnPool.builder().name("warm").servers(a.address(), b.address()).listener(recorder).build();
        await().atMost(Duration.ofSeconds(10)).until(() -> pool.stats().idle() == 2);

        new ConnPoolMetrics(pool, Tags.empty(), recorder).bindTo(registry);

        assertThat(registry.get("connpool.connections.creation").tag("server", a.address()).timer().count())
                .isEqualTo(1);
        assertThat(registry.get("connpool.connections.creation").tag("server", b.address()).timer().count())
                .isEqualTo(1);
        assertThat(registry.get("connpool.connections.creation").tag("server", a.address()).timer()
                .totalTime(TimeUnit.NANOSECONDS)).isPositive();
    }

    @Test
    void withoutARecorderTheWarmUpBeforeBindingIsNotCounted() {
        pool = ConnPool.builder().name("late").servers(a.address()).build();
        await().atMost(Duration.ofSeconds(10)).until(() -> pool.stats().idle() == 1);
        new ConnPoolMetrics(pool).bindTo(registry);
        assertThat(registry.get("connpool.connections.creation").timer().count()).isZero();
    }

    @Test
    void aServerGaugeReadsItsOwnServerNotEveryServersStatus() {
        pool = ConnPool.builder().name("p").servers(a.address(), b.address()).minIdlePerServer(0).build();
        Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
        ConnPool counted = counting(new AtomicReference<>(pool), calls, new CopyOnWriteArrayList<>());
        new ConnPoolMetrics(counted).bindTo(registry);
        calls.clear();

        for (String server : List.of(a.address(), b.address())) {
            gauge("connpool.connections.active", server);
            gauge("connpool.connections.idle", server);
            gauge("connpool.server.up", server);
        }

        assertThat(calls.getOrDefault("servers", new AtomicInteger()).get()).as("servers() calls").isZero();
        assertThat(calls.get("server").get()).as("server(address) calls").isEqualTo(6);
    }

    @Test
    void aServerAnnouncedAgainWithANewRateLimiterHasItsMetersMovedToIt() {
        ConnPool first = ConnPool.builder().name("p").servers(a.address()).maxRps(40).minIdlePerServer(0).build();
        ConnPool second = ConnPool.builder().name("p").servers(a.address()).maxRps(25).minIdlePerServer(0).build();
        AtomicReference<ConnPool> target = new AtomicReference<>(first);
        List<ConnPoolListener> listeners = new CopyOnWriteArrayList<>();
        try {
            new ConnPoolMetrics(counting(target, new ConcurrentHashMap<>(), listeners)).bindTo(registry);
            assertThat(permissions()).isEqualTo(40.0);
            registry.get("connpool.connections.acquire").tag("server", a.address()).timer().record(Duration.ofMillis(3));

            // what a pool rebuilt behind the same ConnPool object announces
            target.set(second);
            listeners.forEach(listener -> listener.serverAdded(addressOf(a)));

            assertThat(permissions()).isEqualTo(25.0);
            assertThat(registry.find("connpool.ratelimiter.available.permissions").gauges()).hasSize(1);
            assertThat(registry.get("connpool.connections.acquire").tag("server", a.address()).timer().count())
                    .as("the server's other meters are kept").isEqualTo(1);
        }
        finally {
            first.close();
            second.close();
        }
    }

    private double permissions() {
        return registry.get("connpool.ratelimiter.available.permissions").tag("server", a.address()).gauge().value();
    }

    /** A ConnPool that forwards to the current target, counts calls by method name and keeps its listeners. */
    private static ConnPool counting(AtomicReference<ConnPool> target, Map<String, AtomicInteger> calls,
            List<ConnPoolListener> listeners) {
        return (ConnPool) Proxy.newProxyInstance(ConnPool.class.getClassLoader(), new Class<?>[] { ConnPool.class },
                (proxy, method, args) -> {
                    calls.computeIfAbsent(method.getName(), name -> new AtomicInteger()).incrementAndGet();
                    if (method.getName().equals("addListener")) {
                        listeners.add((ConnPoolListener) args[0]);
                    }
                    try {
                        return method.invoke(target.get(), args);
                    }
                    catch (InvocationTargetException ex) {
                        throw ex.getCause();
                    }
                });
    }

    private double gauge(String name, String server) {
        return registry.get(name).tag("server", server).gauge().value();
    }

    /** Per-server meters say where the server came from ({@code source}) besides its address ({@code server}). */
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
            Collection<Meter> meters = registry.find("connpool.connections.active").tag("server", server.address()).meters();
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

    private List<Meter> serverMeters(String server) {
        return registry.getMeters().stream().filter(m -> server.equals(m.getId().getTag("server"))).toList();
    }
}
