package io.connpool.autoconfigure.health;

import static io.connpool.testing.PoolFixture.addressOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.connpool.ConnPool;
import io.connpool.PooledConnection;
import io.connpool.autoconfigure.ConnPoolAutoConfiguration;
import io.connpool.test.MockTcpServer;
import io.connpool.testing.LineClient;
import io.connpool.testing.NamedEcho;
import io.connpool.testing.PoolFixture;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthContributors;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;

class ConnPoolHealthContributorAutoConfigurationTests {

    private final MockTcpServer a = NamedEcho.start("a");
    private final MockTcpServer b = NamedEcho.start("b");

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class, ConnPoolAutoConfiguration.class,
                    HealthContributorAutoConfiguration.class, ConnPoolHealthContributorAutoConfiguration.class))
            .withPropertyValues("connpool.servers=" + a.address() + "," + b.address(),
                    "connpool.pools.billing.servers=" + b.address(), "connpool.retry-min=50ms",
                    "connpool.retry-max=200ms");

    @AfterEach
    void stop() {
        a.close();
        b.close();
    }

    @Test
    void onePoolCompositeWithOneIndicatorPerServer() {
        runner.run(context -> {
            CompositeHealthContributor root = root(context);
            assertThat(root.stream().map(HealthContributors.Entry::name)).containsExactlyInAnyOrder("default",
                    "billing");
            CompositeHealthContributor pool = (CompositeHealthContributor) root.getContributor("default");
            assertThat(pool.stream().map(HealthContributors.Entry::name)).containsExactly(a.address(), b.address());
            await().atMost(Duration.ofSeconds(10)).untilAsserted(
                    () -> assertThat(server(context, "default", a.address()).getStatus()).isEqualTo(Status.UP));
            Health health = server(context, "default", a.address());
            assertThat(health.getDetails()).containsEntry("state", "UP").containsKeys("active", "idle",
                    "consecutiveFailures");
            assertThat(root.getContributor("nope")).isNull();
            assertThat(pool.getContributor("127.0.0.1:1")).isNull();
        });
    }

    @Test
    void downServerIsBypassedWhileAnotherServesAndDownWhenNoneDoes() {
        runner.run(context -> {
            ConnPool pool = context.getBean(ConnPool.class);
            a.stop();
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                traffic(pool);
                Health health = server(context, "default", a.address());
                assertThat(health.getStatus()).isEqualTo(ConnPoolsHealthContributor.BYPASSED);
                assertThat(health.getDetails()).containsEntry("state", "DOWN").containsKeys("lastError",
                        "nextRetry");
            });
            assertThat(server(context, "default", b.address()).getStatus()).isEqualTo(Status.UP);

            b.stop();
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                traffic(pool);
                assertThat(server(context, "default", a.address()).getStatus()).isEqualTo(Status.DOWN);
                assertThat(server(context, "default", b.address()).getStatus()).isEqualTo(Status.DOWN);
            });

            a.restart();
            await().atMost(Duration.ofSeconds(20)).untilAsserted(
                    () -> assertThat(server(context, "default", a.address()).getStatus()).isEqualTo(Status.UP));
            b.restart();
        });
    }

    @Test
    void serversAddedAndRemovedAtRunTimeAreSeenAtOnce() {
        runner.run(context -> {
            ConnPool pool = context.getBean(ConnPool.class);
            try (MockTcpServer c = NamedEcho.start("c")) {
                pool.addServer(addressOf(c));
                CompositeHealthContributor composite = (CompositeHealthContributor) root(context)
                        .getContributor("default");
                assertThat(composite.stream().map(HealthContributors.Entry::name)).contains(c.address());
                assertThat(composite.getContributor(c.address())).isNotNull();
                pool.removeServer(addressOf(a));
                assertThat(composite.stream().map(HealthContributors.Entry::name)).doesNotContain(a.address());
                assertThat(composite.getContributor(a.address())).isNull();
            }
        });
    }

    @Test
    void aStoppedContextsPoolsAreOutOfServiceAndComeBackWhenItStarts() {
        runner.run(context -> {
            await().atMost(Duration.ofSeconds(10)).untilAsserted(
                    () -> assertThat(server(context, "default", a.address()).getStatus()).isEqualTo(Status.UP));
            context.stop();
            HealthIndicator stopped = (HealthIndicator) root(context).getContributor("default");
            assertThat(stopped.health().getStatus()).isEqualTo(Status.OUT_OF_SERVICE);
            assertThat(stopped.health().getDetails()).containsEntry("closed", true);
            assertThat(root(context).stream().map(HealthContributors.Entry::contributor))
                    .allSatisfy(pool -> assertThat(((HealthIndicator) pool).health().getStatus())
                            .isEqualTo(Status.OUT_OF_SERVICE));

            context.start();
            await().atMost(Duration.ofSeconds(10)).untilAsserted(
                    () -> assertThat(server(context, "default", a.address()).getStatus()).isEqualTo(Status.UP));
        });
    }

    @Test
    void disabledByProperty() {
        runner.withPropertyValues("management.health.connpool.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean("connPoolHealthContributor"));
    }

    @Test
    void disabledWithTheOtherDefaultIndicators() {
        runner.withPropertyValues("management.health.defaults.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean("connPoolHealthContributor"));
    }

    @Test
    void userContributorWins() {
        runner.withBean("connPoolHealthContributor", HealthIndicator.class, () -> () -> Health.up().build())
                .run(context -> assertThat(context.getBean("connPoolHealthContributor"))
                        .isNotInstanceOf(ConnPoolsHealthContributor.class));
    }

    private static void traffic(ConnPool pool) {
        for (int i = 0; i < 4; i++) {
            try (PooledConnection connection = pool.acquire(Duration.ofMillis(200))) {
                LineClient.call(connection, "x");
            }
            catch (IOException expected) {
                // a stopped server: the pool notices and marks it down
            }
        }
    }

    private static CompositeHealthContributor root(ApplicationContext context) {
        return context.getBean("connPoolHealthContributor", CompositeHealthContributor.class);
    }

    private static Health server(ApplicationContext context, String pool, String server) {
        CompositeHealthContributor composite = (CompositeHealthContributor) root(context).getContributor(pool);
        return ((HealthIndicator) composite.getContributor(server)).health();
    }
}
