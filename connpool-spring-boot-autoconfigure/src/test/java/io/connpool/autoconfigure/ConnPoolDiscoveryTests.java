package io.connpool.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.connpool.ConnPool;
import io.connpool.ServerAddress;
import io.connpool.ServerStatus;
import io.connpool.testing.LineClient;
import io.connpool.test.MockTcpServer;
import io.connpool.testing.NamedEcho;
import io.github.resilience4j.ratelimiter.RateLimiter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.cloud.client.DefaultServiceInstance;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.discovery.DiscoveryClient;
import org.springframework.cloud.client.discovery.composite.CompositeDiscoveryClientAutoConfiguration;
import org.springframework.cloud.client.discovery.event.HeartbeatEvent;
import org.springframework.cloud.client.discovery.simple.SimpleDiscoveryClientAutoConfiguration;
import org.springframework.cloud.commons.util.UtilAutoConfiguration;

/** Servers from Spring Cloud discovery and the fleet-wide rate limit, in real contexts on real servers. */
class ConnPoolDiscoveryTests {

    private final MockTcpServer a = NamedEcho.start("a");
    private final MockTcpServer b = NamedEcho.start("b");
    private final MockTcpServer c = NamedEcho.start("c");

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class, ConnPoolAutoConfiguration.class,
                    ConnPoolDiscoveryAutoConfiguration.class));

    @AfterEach
    void stopServers() {
        a.close();
        b.close();
        c.close();
    }

    /** A registry the test changes: instances per service id. */
    static final class ChangingDiscoveryClient implements DiscoveryClient {

        final Map<String, List<ServiceInstance>> instances = new ConcurrentHashMap<>();
        final AtomicInteger calls = new AtomicInteger();

        void set(String serviceId, MockTcpServer... servers) {
            List<ServiceInstance> list = new ArrayList<>();
            for (MockTcpServer server : servers) {
                list.add(new DefaultServiceInstance(serviceId + "-" + server.port(), serviceId, "127.0.0.1",
                        server.port(), false));
            }
            instances.put(serviceId, list);
        }

        void count(String serviceId, int replicas) {
            List<ServiceInstance> list = new ArrayList<>();
            for (int i = 0; i < replicas; i++) {
                list.add(new DefaultServiceInstance(serviceId + "-" + i, serviceId, "10.1.0." + (i + 1), 8080, false));
            }
            instances.put(serviceId, list);
        }

        @Override
        public String description() {
            return "changing test registry";
        }

        @Override
        public List<ServiceInstance> getInstances(String serviceId) {
            calls.incrementAndGet();
            return instances.getOrDefault(serviceId, List.of());
        }

        @Override
        public List<String> getServices() {
            return List.copyOf(instances.keySet());
        }
    }

    private static List<ServerAddress> servers(ConnPool pool) {
        return pool.servers().stream().map(ServerStatus::address).toList();
    }

    @Test
    void serversComeFromTheSimpleDiscoveryClientConfiguredInProperties() {
        runner.withConfiguration(AutoConfigurations.of(UtilAutoConfiguration.class,
                        SimpleDiscoveryClientAutoConfiguration.class, CompositeDiscoveryClientAutoConfiguration.class))
                .withPropertyValues("spring.cloud.discovery.client.simple.instances.billing[0].uri=http://"
                                + a.address(),
                        "spring.cloud.discovery.client.simple.instances.billing[1].uri=http://" + b.address(),
                        "connpool.pools.billing.discovery.service-id=billing")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    ConnPool pool = context.getBean("billing", ConnPool.class);
                    assertThat(servers(pool)).containsExactly(ServerAddress.parse(a.address()), ServerAddress.parse(b.address()));
                    assertThat(pool.servers()).extracting(ServerStatus::source).containsOnly("billing");
                    List<String> replies = new ArrayList<>();
                    for (int i = 0; i < 4; i++) {
                        replies.add(pool.execute(connection -> LineClient.call(connection, "hi")));
                    }
                    assertThat(replies).containsOnly("a:hi", "b:hi").contains("a:hi", "b:hi");
                });
    }

    @Test
    void instancesThatChangeWhileTrafficFlowsAreFollowedAtEachHeartbeat() {
        ChangingDiscoveryClient registry = new ChangingDiscoveryClient();
        registry.set("billing", a, b);
        runner.withBean(ChangingDiscoveryClient.class, () -> registry)
                .withPropertyValues("connpool.pools.billing.discovery.service-id=billing",
                        "connpool.pools.billing.discovery.refresh-interval=1h")
                .run(context -> {
                    ConnPool pool = context.getBean("billing", ConnPool.class);
                    assertThat(servers(pool)).containsExactly(ServerAddress.parse(a.address()), ServerAddress.parse(b.address()));
                    AtomicBoolean running = new AtomicBoolean(true);
                    AtomicReference<Throwable> failure = new AtomicReference<>();
                    AtomicInteger calls = new AtomicInteger();
                    ExecutorService threads = Executors.newFixedThreadPool(8);
                    try {
                        List<Future<?>> callers = new ArrayList<>();
                        for (int t = 0; t < 8; t++) {
                            callers.add(threads.submit(() -> {
                                while (running.get()) {
                                    try {
                                        String reply = pool.execute(connection -> LineClient.call(connection, "x"));
                                        assertThat(reply).endsWith(":x");
                                        calls.incrementAndGet();
                                    }
                                    catch (Throwable ex) {
                                        failure.compareAndSet(null, ex);
                                    }
                                }
                            }));
                        }
                        await().until(() -> calls.get() > 100);

                        registry.set("billing", b, c);
                        context.publishEvent(new HeartbeatEvent(this, 1));

                        await().atMost(Duration.ofSeconds(10)).until(() -> servers(pool).equals(
                                List.of(ServerAddress.parse(b.address()), ServerAddress.parse(c.address()))));
                        long servedByC = c.requests().size();
                        await().atMost(Duration.ofSeconds(10)).until(() -> c.requests().size() > servedByC + 50);
                        running.set(false);
                        for (Future<?> caller : callers) {
                            caller.get(10, TimeUnit.SECONDS);
                        }
                    }
                    finally {
                        running.set(false);
                        threads.shutdownNow();
                    }
                    assertThat(failure.get()).as("a call that failed while the instances changed").isNull();
                    await().atMost(Duration.ofSeconds(10)).until(() -> a.openConnections() == 0);
                });
    }

    @Test
    void instancesAreLookedUpAgainAtTheRefreshIntervalWithoutAHeartbeat() {
        ChangingDiscoveryClient registry = new ChangingDiscoveryClient();
        registry.set("billing", a);
        runner.withBean(ChangingDiscoveryClient.class, () -> registry)
                .withPropertyValues("connpool.discovery.service-id=billing", "connpool.discovery.refresh-interval=100ms")
                .run(context -> {
                    ConnPool pool = context.getBean(ConnPool.class); // the default pool, from discovery alone
                    assertThat(servers(pool)).containsExactly(ServerAddress.parse(a.address()));
                    registry.set("billing", a, b);
                    await().atMost(Duration.ofSeconds(10)).until(() -> servers(pool).size() == 2);
                });
    }

    @Test
    void aRestartedPoolFollowsDiscoveryAgain() {
        ChangingDiscoveryClient registry = new ChangingDiscoveryClient();
        registry.set("billing", a);
        runner.withBean(ChangingDiscoveryClient.class, () -> registry)
                .withPropertyValues("connpool.pools.billing.discovery.service-id=billing",
                        "connpool.pools.billing.discovery.refresh-interval=1h")
                .run(context -> {
                    ConnPool pool = context.getBean("billing", ConnPool.class);
                    ConnPoolLifecycle lifecycle = context.getBean(ConnPoolLifecycle.class);
                    lifecycle.stop();
                    registry.set("billing", b);
                    lifecycle.start();
                    assertThat(servers(pool)).containsExactly(ServerAddress.parse(b.address()));

                    registry.set("billing", b, c);
                    context.publishEvent(new HeartbeatEvent(this, 2));
                    await().atMost(Duration.ofSeconds(10)).until(() -> servers(pool).size() == 2);
                    String reply = pool.execute(connection -> LineClient.call(connection, "again"));
                    assertThat(reply).endsWith(":again");
                });
    }

    @Test
    void theFleetLimitIsSharedByTheInstancesOfThisApplicationAndFollowsTheirNumber() {
        ChangingDiscoveryClient registry = new ChangingDiscoveryClient();
        registry.count("checkout", 1);
        runner.withBean(ChangingDiscoveryClient.class, () -> registry)
                .withPropertyValues("spring.application.name=checkout", "connpool.max-rps-fleet=120",
                        "connpool.pools.billing.servers=" + a.address(), "connpool.min-idle-per-server=0")
                .run(context -> {
                    ConnPool pool = context.getBean("billing", ConnPool.class);
                    assertThat(limit(pool, a)).as("one instance takes the whole fleet's limit").isEqualTo(120);

                    registry.count("checkout", 4);
                    context.publishEvent(new HeartbeatEvent(this, 3));
                    await().atMost(Duration.ofSeconds(10)).until(() -> limit(pool, a) == 30);

                    registry.count("checkout", 0); // discovery lost sight of everyone: this instance is still one
                    context.publishEvent(new HeartbeatEvent(this, 4));
                    await().atMost(Duration.ofSeconds(10)).until(() -> limit(pool, a) == 120);

                    registry.count("checkout", 3);
                    context.publishEvent(new HeartbeatEvent(this, 5));
                    await().atMost(Duration.ofSeconds(10)).until(() -> limit(pool, a) == 40);
                    context.getBean(ConnPoolLifecycle.class).stop();
                    context.getBean(ConnPoolLifecycle.class).start();
                    assertThat(limit(pool, a)).as("a rebuilt pool keeps its share").isEqualTo(40);
                });
    }

    private static int limit(ConnPool pool, MockTcpServer server) {
        return pool.rateLimiter(ServerAddress.parse(server.address())).map(RateLimiter::getRateLimiterConfig).orElseThrow()
                .getLimitForPeriod();
    }

    @Test
    void aPoolsOwnMaxRpsBeatsAnInheritedFleetLimit() {
        ChangingDiscoveryClient registry = new ChangingDiscoveryClient();
        registry.count("checkout", 4);
        runner.withBean(ChangingDiscoveryClient.class, () -> registry)
                .withPropertyValues("spring.application.name=checkout", "connpool.max-rps-fleet=120",
                        "connpool.pools.billing.servers=" + a.address(), "connpool.pools.billing.max-rps=7",
                        "connpool.pools.audit.servers=" + b.address())
                .run(context -> {
                    assertThat(limit(context.getBean("billing", ConnPool.class), a)).isEqualTo(7);
                    assertThat(limit(context.getBean("audit", ConnPool.class), b)).isEqualTo(30);
                });
    }

    @Test
    void badDiscoverySettingsStopStartUpNamingTheProperty() {
        ChangingDiscoveryClient registry = new ChangingDiscoveryClient();
        ApplicationContextRunner withRegistry = runner.withBean(ChangingDiscoveryClient.class, () -> registry);
        withRegistry.withPropertyValues("connpool.pools.billing.discovery.service-id=billing",
                "connpool.pools.billing.servers=" + a.address()).run(context -> assertThat(failure(context))
                        .hasMessageContaining("connpool.pools.billing.discovery.service-id")
                        .hasMessageContaining("lists its servers (connpool.pools.billing.servers) and takes them from"
                                + " discovery too"));
        withRegistry.withPropertyValues("connpool.max-rps-fleet=100", "connpool.servers=" + a.address())
                .run(context -> assertThat(failure(context)).hasMessageContaining("connpool.max-rps-fleet")
                        .hasMessageContaining("spring.application.name, which is not set"));
        withRegistry.withPropertyValues("spring.application.name=checkout", "connpool.max-rps-fleet=100",
                "connpool.max-rps=10", "connpool.servers=" + a.address())
                .run(context -> assertThat(failure(context))
                        .hasMessageContaining("sets both connpool.max-rps and connpool.max-rps-fleet"));
        withRegistry.withPropertyValues("spring.application.name=checkout", "connpool.max-rps-fleet=0",
                "connpool.servers=" + a.address())
                .run(context -> assertThat(failure(context)).hasMessageContaining("max-rps-fleet must be positive"));
        withRegistry.withPropertyValues("connpool.discovery.service-id=billing", "connpool.discovery.refresh-interval=0s")
                .run(context -> assertThat(failure(context)).hasMessageContaining("connpool.discovery.refresh-interval")
                        .hasMessageContaining("must be positive"));
    }

    @Test
    void withoutSpringCloudPoolsWorkAndDiscoverySettingsSayWhatIsMissing() {
        ApplicationContextRunner withoutCloud = runner.withClassLoader(new FilteredClassLoader(DiscoveryClient.class));
        withoutCloud.withPropertyValues("connpool.servers=" + a.address()).run(context -> {
            assertThat(context).hasNotFailed().doesNotHaveBean(DiscoveryServers.class);
            String reply = context.getBean(ConnPool.class).execute(connection -> LineClient.call(connection, "plain"));
            assertThat(reply).isEqualTo("a:plain");
        });
        withoutCloud.withPropertyValues("connpool.pools.billing.discovery.service-id=billing")
                .run(context -> assertThat(failure(context))
                        .hasMessageContaining("connpool.pools.billing.discovery.service-id")
                        .hasMessageContaining("spring-cloud-commons is not on the class path"));
        withoutCloud.withPropertyValues("spring.application.name=checkout", "connpool.max-rps-fleet=100",
                "connpool.servers=" + a.address())
                .run(context -> assertThat(failure(context)).hasMessageContaining("connpool.max-rps-fleet")
                        .hasMessageContaining("spring-cloud-commons is not on the class path"));
    }

    @Test
    void theServiceIdIsNotInheritedButTheRefreshIntervalIs() {
        PoolSettings settings = PoolSettings.resolve(PoolPropertiesTests.bind("connpool.discovery.service-id=top",
                "connpool.discovery.refresh-interval=5s", "connpool.pools.p.servers=h:1"), "p");
        assertThat(settings.effective.getDiscovery().getServiceId()).isNull();
        assertThat(settings.effective.getDiscovery().getRefreshInterval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(settings.property("discovery.serviceId")).isEqualTo("connpool.pools.p.discovery.service-id");
    }

    @Test
    void leastLoadedIsTheBalancerOfAPoolThatAsksForIt() {
        runner.withPropertyValues("connpool.servers=" + a.address() + "," + b.address(),
                "connpool.min-idle-per-server=0", "connpool.pools.rr.servers=" + a.address() + "," + b.address(),
                "connpool.pools.rr.min-idle-per-server=0", "connpool.balancer=least-loaded",
                "connpool.pools.rr.balancer=round-robin").run(context -> {
                    // one connection to a is out: least-loaded starts every borrow at b, round-robin every other one
                    assertThat(borrowsOfBWhileAIsBusy(context.getBean(ConnPool.class))).isEqualTo(10);
                    assertThat(borrowsOfBWhileAIsBusy(context.getBean("rr", ConnPool.class))).isBetween(4, 6);
                });
    }

    private int borrowsOfBWhileAIsBusy(ConnPool pool) throws Exception {
        io.connpool.PooledConnection busy;
        List<io.connpool.PooledConnection> others = new ArrayList<>();
        while (true) {
            io.connpool.PooledConnection connection = pool.acquire();
            if (connection.server().equals(ServerAddress.parse(a.address()))) {
                busy = connection;
                break;
            }
            others.add(connection);
        }
        others.forEach(io.connpool.PooledConnection::close);
        int onB = 0;
        for (int i = 0; i < 10; i++) {
            try (io.connpool.PooledConnection connection = pool.acquire()) {
                if (connection.server().equals(ServerAddress.parse(b.address()))) {
                    onB++;
                }
            }
        }
        busy.close();
        return onB;
    }

    @Test
    void anInstanceWithoutAUsablePortIsLeftOut() {
        ChangingDiscoveryClient registry = new ChangingDiscoveryClient();
        registry.set("billing", a);
        registry.instances.compute("billing", (id, list) -> {
            List<ServiceInstance> more = new ArrayList<>(list);
            more.add(new DefaultServiceInstance("broken", "billing", "127.0.0.1", -1, false));
            return more;
        });
        runner.withBean(ChangingDiscoveryClient.class, () -> registry)
                .withPropertyValues("connpool.pools.billing.discovery.service-id=billing")
                .run(context -> assertThat(servers(context.getBean("billing", ConnPool.class)))
                        .containsExactly(ServerAddress.parse(a.address())));
    }

    private static ConnPoolConfigurationException failure(
            org.springframework.boot.test.context.assertj.AssertableApplicationContext context) {
        assertThat(context).hasFailed();
        Throwable cause = context.getStartupFailure();
        while (cause != null && !(cause instanceof ConnPoolConfigurationException)) {
            cause = cause.getCause();
        }
        assertThat(cause).as("a ConnPoolConfigurationException in %s", context.getStartupFailure()).isNotNull();
        return (ConnPoolConfigurationException) cause;
    }
}
