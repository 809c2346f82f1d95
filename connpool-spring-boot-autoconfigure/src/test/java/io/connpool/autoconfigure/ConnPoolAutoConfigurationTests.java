package io.connpool.autoconfigure;

import static io.connpool.testing.PoolFixture.addressOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.connpool.ConnPool;
import io.connpool.Dialer;
import io.connpool.PoolClosedException;
import io.connpool.PooledConnection;
import io.connpool.test.MockTcpServer;
import io.connpool.testing.LineClient;
import io.connpool.testing.NamedEcho;
import io.connpool.testing.PoolFixture;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.support.BeanDefinitionOverrideException;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.context.properties.bind.UnboundConfigurationPropertiesException;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

class ConnPoolAutoConfigurationTests {

    private final MockTcpServer a = NamedEcho.start("a");
    private final MockTcpServer b = NamedEcho.start("b");

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class, ConnPoolAutoConfiguration.class));

    @AfterEach
    void stopServers() {
        a.close();
        b.close();
    }

    @Test
    void withoutServersThereIsNoPoolButAnEmptyRegistry() {
        runner.run(context -> {
            assertThat(context).hasNotFailed().doesNotHaveBean(ConnPool.class);
            assertThat(context.getBean(ConnPools.class).names()).isEmpty();
        });
    }

    @Test
    void serversMakeTheDefaultPoolWhichServesRequests() {
        runner.withPropertyValues("connpool.servers=" + a.address()).run(context -> {
            assertThat(context).hasSingleBean(ConnPool.class).hasBean("connPool");
            ConnPool pool = context.getBean(ConnPool.class);
            assertThat(pool.name()).isEqualTo("default");
            try (PooledConnection connection = pool.acquire()) {
                assertThat(LineClient.call(connection, "hello")).isEqualTo("a:hello");
            }
            assertThat(context.getBean(ConnPools.class).get("default")).isSameAs(pool);
        });
    }

    @Test
    void indexedServerListAlsoMakesTheDefaultPool() {
        runner.withPropertyValues("connpool.servers[0]=" + a.address(), "connpool.servers[1]=" + b.address())
                .run(context -> assertThat(context.getBean(ConnPool.class).servers()).hasSize(2));
    }

    @Test
    void topLevelPropertiesReachThePool() {
        runner.withPropertyValues("connpool.servers=" + a.address() + "," + b.address(),
                "connpool.max-connections-per-server=3", "connpool.max-rps=70", "connpool.min-idle-per-server=2")
                .run(context -> {
                    ConnPool pool = context.getBean(ConnPool.class);
                    assertThat(pool.stats().max()).isEqualTo(6);
                    assertThat(pool.rateLimiter(addressOf(a)).orElseThrow().getRateLimiterConfig().getLimitForPeriod())
                            .isEqualTo(70);
                    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(pool.stats().idle())
                            .isEqualTo(4));
                });
    }

    @Test
    void namedPoolsInheritUnsetKeysAndAreInjectableByQualifier() {
        runner.withUserConfiguration(BillingClient.class)
                .withPropertyValues("connpool.servers=" + a.address(), "connpool.max-connections-per-server=3",
                        "connpool.max-rps=10", "connpool.pools.billing.servers=" + b.address(),
                        "connpool.pools.billing.max-rps=50")
                .run(context -> {
                    assertThat(context).hasNotFailed().hasBean("connPool").hasBean("billingConnPool");
                    ConnPool billing = context.getBean(BillingClient.class).pool;
                    assertThat(billing.name()).isEqualTo("billing");
                    assertThat(billing.stats().max()).as("inherited max-connections-per-server").isEqualTo(3);
                    assertThat(billing.rateLimiter(addressOf(b)).orElseThrow().getRateLimiterConfig()
                            .getLimitForPeriod()).as("own max-rps").isEqualTo(50);
                    try (PooledConnection connection = billing.acquire()) {
                        assertThat(LineClient.call(connection, "x")).isEqualTo("b:x");
                    }
                    assertThat(context.getBean(ConnPool.class).name()).as("primary").isEqualTo("default");
                    assertThat(context.getBean(ConnPools.class).names()).containsExactlyInAnyOrder("default",
                            "billing");
                });
    }

    @Test
    void namedPoolsWithoutADefaultPool() {
        runner.withPropertyValues("connpool.pools.one.servers=" + a.address(),
                "connpool.pools.two.servers=" + b.address()).run(context -> {
                    assertThat(context).doesNotHaveBean("connPool");
                    assertThat(context.getBeansOfType(ConnPool.class)).containsOnlyKeys("oneConnPool", "twoConnPool");
                    assertThat(context.getBean(ConnPools.class).get("two").servers().get(0).address())
                            .isEqualTo(addressOf(b));
                });
    }

    @Test
    void userConnPoolWins() {
        runner.withUserConfiguration(UserPool.class).withPropertyValues("connpool.servers=" + a.address())
                .run(context -> {
                    assertThat(context).hasSingleBean(ConnPool.class).hasBean("myPool").doesNotHaveBean("connPool");
                    assertThat(context.getBean(ConnPools.class).names()).containsExactly("mine");
                });
    }

    @Test
    void aUserBeanWithANamedPoolsBeanNameIsAClearStartUpFailure() {
        // Named pools come from a BeanRegistrar (AOT-friendly), which cannot see the application's beans:
        // a bean of the same name is a clash Boot reports, not a silent replacement.
        runner.withUserConfiguration(UserBillingPool.class)
                .withPropertyValues("connpool.pools.billing.servers=" + a.address()).run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(context.getStartupFailure()).isInstanceOf(BeanDefinitionOverrideException.class)
                            .hasMessageContaining("billingConnPool");
                });
    }

    @ParameterizedTest
    @ValueSource(strings = { "connpool.pools.billing.max-connection-per-server=4", "connpool.dial-timout=1s",
            "connpool.sevrers=127.0.0.1:7000" })
    void aMisspelledKeyFailsStartUpNamingIt(String misspelled) {
        runner.withPropertyValues("connpool.pools.billing.servers=" + a.address(), misspelled).run(context -> {
            assertThat(context).hasFailed();
            UnboundConfigurationPropertiesException unbound = findCause(context.getStartupFailure(),
                    UnboundConfigurationPropertiesException.class);
            assertThat(unbound.getUnboundProperties()).extracting(property -> property.getName().toString())
                    .containsExactly(misspelled.substring(0, misspelled.indexOf('=')));
        });
    }

    @Test
    void anUnrelatedConnpoolEnvironmentVariableDoesNotBreakStartUpAndAKnownOneBinds() {
        runner.withInitializer(context -> context.getEnvironment().getPropertySources().addFirst(
                new SystemEnvironmentPropertySource(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                        Map.of("CONNPOOL_HOME", "/opt/connpool", "CONNPOOL_SERVERS", a.address()))))
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context.getBean(ConnPool.class).servers()).extracting(s -> s.address())
                            .containsExactly(addressOf(a));
                });
    }

    @Test
    void aConnectionDetailsBeanReplacesAPoolsServers() {
        runner.withBean(ConnPoolConnectionDetails.class,
                () -> pool -> pool.equals("billing") ? List.of(b.address()) : List.of())
                .withPropertyValues("connpool.servers=" + a.address(), "connpool.pools.billing.servers=127.0.0.1:1",
                        "connpool.pools.billing.max-rps=9")
                .run(context -> {
                    ConnPools pools = context.getBean(ConnPools.class);
                    ConnPool billing = pools.get("billing");
                    assertThat(billing.servers()).extracting(s -> s.address()).containsExactly(addressOf(b));
                    assertThat(billing.rateLimiter(addressOf(b)).orElseThrow().getRateLimiterConfig()
                            .getLimitForPeriod()).as("the other keys still come from the properties").isEqualTo(9);
                    try (PooledConnection connection = billing.acquire()) {
                        assertThat(LineClient.call(connection, "d")).isEqualTo("b:d");
                    }
                    assertThat(pools.get("default").servers()).extracting(s -> s.address())
                            .as("an empty answer keeps the configured servers").containsExactly(addressOf(a));
                });
    }

    @Test
    void theDefaultConnectionDetailsAnswerWithThePropertiesServers() {
        runner.withPropertyValues("connpool.servers=" + a.address(), "connpool.pools.billing.servers=" + b.address())
                .run(context -> {
                    ConnPoolConnectionDetails details = context.getBean(ConnPoolConnectionDetails.class);
                    assertThat(details.servers("default")).containsExactly(a.address());
                    assertThat(details.servers("billing")).containsExactly(b.address());
                });
    }

    @Test
    void afterAContextStopAndStartEveryPoolServesAgainBehindTheSameBean() {
        runner.withPropertyValues("connpool.servers=" + a.address(), "connpool.pools.billing.servers=" + b.address())
                .run(context -> {
                    ConnPool pool = context.getBean(ConnPool.class);
                    ConnPool billing = context.getBean("billingConnPool", ConnPool.class);
                    context.stop();
                    assertThat(pool.isClosed()).isTrue();
                    assertThatThrownBy(pool::acquire).isInstanceOf(PoolClosedException.class);
                    assertThatThrownBy(billing::acquire).isInstanceOf(PoolClosedException.class);

                    context.start();
                    assertThat(context.getBean(ConnPool.class)).isSameAs(pool);
                    assertThat(pool.isClosed()).isFalse();
                    try (PooledConnection connection = pool.acquire()) {
                        assertThat(LineClient.call(connection, "again")).isEqualTo("a:again");
                    }
                    try (PooledConnection connection = billing.acquire()) {
                        assertThat(LineClient.call(connection, "again")).isEqualTo("b:again");
                    }
                });
    }

    @Test
    void afterAPauseAndRestartAsForACheckpointThePoolsServeAgain() {
        runner.withPropertyValues("connpool.servers=" + a.address()).run(context -> {
            ConnPool pool = context.getBean(ConnPool.class);
            context.pause();
            assertThatThrownBy(pool::acquire).isInstanceOf(PoolClosedException.class);
            context.restart();
            try (PooledConnection connection = pool.acquire()) {
                assertThat(LineClient.call(connection, "restored")).isEqualTo("a:restored");
            }
        });
    }

    @Test
    void aPoolClosedByTheApplicationStaysClosedAcrossARestart() {
        runner.withPropertyValues("connpool.servers=" + a.address()).run(context -> {
            ConnPool pool = context.getBean(ConnPool.class);
            pool.close();
            context.stop();
            context.start();
            assertThatThrownBy(pool::acquire).isInstanceOf(PoolClosedException.class);
        });
    }

    private static <T extends Throwable> T findCause(Throwable failure, Class<T> type) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        throw new AssertionError("no " + type.getSimpleName() + " in " + failure, failure);
    }

    @Test
    void customizersSeeEveryPoolByNameAfterTheProperties() {
        runner.withUserConfiguration(Customizers.class)
                .withPropertyValues("connpool.servers=" + a.address(), "connpool.max-connections-per-server=5",
                        "connpool.pools.billing.servers=" + b.address())
                .run(context -> {
                    Customizers customizers = context.getBean(Customizers.class);
                    assertThat(customizers.seen).containsExactlyInAnyOrder("default", "billing");
                    // the customizer ran after the properties: its value wins for "billing" only
                    assertThat(context.getBean(ConnPools.class).get("billing").stats().max()).isEqualTo(2);
                    assertThat(context.getBean(ConnPools.class).get("default").stats().max()).isEqualTo(5);
                });
    }

    @Test
    void userDialerIsUsed() {
        runner.withUserConfiguration(CountingDialer.class).withPropertyValues("connpool.servers=" + a.address(),
                "connpool.min-idle-per-server=0").run(context -> {
                    try (PooledConnection connection = context.getBean(ConnPool.class).acquire()) {
                        assertThat(LineClient.call(connection, "d")).isEqualTo("a:d");
                    }
                    assertThat(context.getBean(CountingDialer.class).dials).hasValue(1);
                });
    }

    @Test
    void shutdownLetsABorrowInFlightFinishAndRefusesNewAcquires() throws Exception {
        runner.withPropertyValues("connpool.servers=" + a.address()).run(context -> {
            ConnPool pool = context.getBean(ConnPool.class);
            PooledConnection borrowed = pool.acquire();
            Thread closer = new Thread(context::close, "context-closer");
            closer.start();
            await().atMost(Duration.ofSeconds(10)).until(pool::isClosed);
            assertThatThrownBy(pool::acquire).isInstanceOf(PoolClosedException.class);
            assertThat(LineClient.call(borrowed, "still")).isEqualTo("a:still");
            assertThat(closer.isAlive()).as("shutdown waits for the borrowed connection").isTrue();
            borrowed.close();
            closer.join(TimeUnit.SECONDS.toMillis(10));
            assertThat(closer.isAlive()).isFalse();
        });
    }

    @Test
    void shutdownForceClosesConnectionsKeptPastThePhaseTimeout() {
        runner.withPropertyValues("connpool.servers=" + a.address(),
                "spring.lifecycle.timeout-per-shutdown-phase=1s").run(context -> {
                    ConnPoolLifecycle lifecycle = context.getBean(ConnPoolLifecycle.class);
                    assertThat(lifecycle.getPhase()).isEqualTo(SmartLifecycle.DEFAULT_PHASE - 2048);
                    assertThat(lifecycle.grace()).isEqualTo(Duration.ofMillis(900));
                    PooledConnection kept = context.getBean(ConnPool.class).acquire();
                    long start = System.nanoTime();
                    context.close();
                    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
                    // force-closed: the borrower's handle is closed too, and the server sees the socket go
                    assertThatThrownBy(kept::socket).isInstanceOf(IllegalStateException.class);
                    await().atMost(Duration.ofSeconds(10)).until(() -> a.openConnections() == 0);
                });
    }

    @Configuration(proxyBeanMethods = false)
    static class BillingClient {

        ConnPool pool;

        @Bean
        String billingUser(@Qualifier("billing") ConnPool pool) {
            this.pool = pool;
            return "uses " + pool.name();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class UserPool {

        @Bean
        ConnPool myPool() {
            return ConnPool.builder().name("mine").servers("127.0.0.1:1").minIdlePerServer(0).build();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class UserBillingPool {

        @Bean
        ConnPool billingConnPool() {
            return ConnPool.builder().name("user-billing").servers("127.0.0.1:1").minIdlePerServer(0).build();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class Customizers {

        final List<String> seen = new CopyOnWriteArrayList<>();

        @Bean
        ConnPoolBuilderCustomizer recordingCustomizer() {
            return (name, builder) -> {
                seen.add(name);
                if (name.equals("billing")) {
                    builder.maxConnectionsPerServer(2).minIdlePerServer(0);
                }
            };
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class CountingDialer {

        final AtomicInteger dials = new AtomicInteger();

        @Bean
        Dialer countingDialer() {
            return (server, timeout) -> {
                dials.incrementAndGet();
                return Dialer.tcp().dial(server, timeout);
            };
        }
    }
}
