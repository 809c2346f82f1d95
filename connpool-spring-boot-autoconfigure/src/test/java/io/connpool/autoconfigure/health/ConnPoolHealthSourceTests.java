package io.connpool.autoconfigure.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.connpool.autoconfigure.ConnPoolAutoConfiguration;
import io.connpool.autoconfigure.ConnPoolDiscoveryAutoConfiguration;
import io.connpool.ServerAddress;
import io.connpool.test.MockTcpServer;
import io.connpool.testing.NamedEcho;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.cloud.client.DefaultServiceInstance;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.discovery.DiscoveryClient;
import org.springframework.cloud.client.discovery.event.HeartbeatEvent;
import org.springframework.context.ApplicationContext;

/** Health shows where each server came from, its address, and why its source cannot refresh it. */
class ConnPoolHealthSourceTests {

    private final MockTcpServer a = NamedEcho.start("a");

    @AfterEach
    void stop() {
        a.close();
    }

    /** A registry that answers once, then fails while {@code down} is set. */
    static final class FlakyRegistry implements DiscoveryClient {

        final AtomicBoolean down = new AtomicBoolean();
        private final MockTcpServer server;

        FlakyRegistry(MockTcpServer server) {
            this.server = server;
        }

        @Override
        public String description() {
            return "flaky";
        }

        @Override
        public List<ServiceInstance> getInstances(String serviceId) {
            if (down.get()) {
                throw new IllegalStateException("registry unreachable");
            }
            return List.of(new DefaultServiceInstance("a", serviceId, "127.0.0.1", server.port(), false));
        }

        @Override
        public List<String> getServices() {
            return List.of("billing");
        }
    }

    @Test
    void eachServerShowsItsAddressItsSourceAndWhyItsSourceCannotRefreshIt() {
        FlakyRegistry registry = new FlakyRegistry(a);
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class, ConnPoolAutoConfiguration.class,
                        ConnPoolDiscoveryAutoConfiguration.class, HealthContributorAutoConfiguration.class,
                        ConnPoolHealthContributorAutoConfiguration.class))
                .withBean(FlakyRegistry.class, () -> registry)
                .withPropertyValues("connpool.pools.billing.discovery.service-id=billing",
                        "connpool.pools.billing.discovery.refresh-interval=1h")
                .run(context -> {
                    Health health = server(context, "billing", a.address());
                    assertThat(health.getDetails()).containsEntry("address", a.address())
                            .containsEntry("source", "billing").doesNotContainKey("sourceError");

                    registry.down.set(true);
                    context.publishEvent(new HeartbeatEvent(this, 1));

                    await().atMost(Duration.ofSeconds(10)).until(() -> server(context, "billing", a.address())
                            .getDetails().containsKey("sourceError"));
                    assertThat((String) server(context, "billing", a.address()).getDetails().get("sourceError"))
                            .contains("lookup failed at").contains("IllegalStateException: registry unreachable")
                            .contains("the 1 server(s) of its last good lookup stay");
                });
    }

    private static Health server(ApplicationContext context, String pool, String server) {
        CompositeHealthContributor root = context.getBean("connPoolHealthContributor", CompositeHealthContributor.class);
        CompositeHealthContributor poolContributor = (CompositeHealthContributor) root.getContributor(pool);
        return ((HealthIndicator) poolContributor.getContributor(server)).health();
    }
}
