package io.connpool.autoconfigure.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.connpool.ConnPool;
import io.connpool.PooledConnection;
import io.connpool.autoconfigure.ConnPoolAutoConfiguration;
import io.connpool.autoconfigure.ConnPools;
import io.connpool.testing.TestServer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

class ConnPoolMetricsAutoConfigurationTests {

    private final TestServer a = TestServer.start("a");
    private final TestServer b = TestServer.start("b");

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class, ConnPoolAutoConfiguration.class,
                    MetricsAutoConfiguration.class, ConnPoolMetricsAutoConfiguration.class))
            .withPropertyValues("management.metrics.use-global-registry=false", "connpool.servers=" + a.hostPort(),
                    "connpool.pools.billing.servers=" + b.hostPort(), "connpool.pools.billing.max-rps=25");

    @AfterEach
    void stop() {
        a.close();
        b.close();
    }

    @Test
    void everyPoolIsBoundWithPoolAndServerTags() {
        runner.withBean(SimpleMeterRegistry.class).run(context -> {
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            ConnPool billing = context.getBean(ConnPools.class).get("billing");
            try (PooledConnection connection = billing.acquire()) {
                assertThat(registry.get("connpool.connections.active").tags("pool", "billing", "server", b.hostPort())
                        .gauge().value()).isEqualTo(1.0);
            }
            assertThat(registry.get("connpool.connections.acquire").tags("pool", "billing").timer().count())
                    .isEqualTo(1);
            assertThat(registry.get("connpool.connections.max").tags("pool", "default").gauge().value())
                    .isEqualTo(8.0);
            assertThat(registry.get("connpool.ratelimiter.available.permissions")
                    .tags("pool", "billing", "server", b.hostPort()).gauge()).isNotNull();
            assertThat(registry.find("connpool.ratelimiter.available.permissions").tag("pool", "default").gauges())
                    .as("no limiter without max-rps").isEmpty();
        });
    }

    @Test
    void backsOffWithoutAMeterRegistry() {
        runner.run(context -> assertThat(context).doesNotHaveBean("connPoolMeterBinder"));
    }
}
