package io.connpool.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.connpool.ConnPool;
import io.connpool.autoconfigure.health.ConnPoolHealthContributorAutoConfiguration;
import io.connpool.autoconfigure.metrics.ConnPoolMetricsAutoConfiguration;
import io.connpool.test.MockTcpServer;
import io.connpool.testing.NamedEcho;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

/** The test-slice annotation imports the pools' auto-configuration, and health and metrics as optional. */
class AutoConfigureConnPoolTests {

    @Test
    void importsThePoolsIntoAContextWithoutAutoConfiguration() {
        try (MockTcpServer server = NamedEcho.start("s")) {
            new ApplicationContextRunner().withUserConfiguration(Slice.class)
                    .withPropertyValues("connpool.servers=" + server.address())
                    .run(context -> {
                        assertThat(context).hasSingleBean(ConnPool.class).hasSingleBean(ConnPools.class);
                        // optional entries: present on this class path, and conditional as usual
                        assertThat(context).hasSingleBean(ConnPoolHealthContributorAutoConfiguration.class)
                                .doesNotHaveBean(ConnPoolMetricsAutoConfiguration.class);
                    });
        }
    }

    @Configuration(proxyBeanMethods = false)
    @AutoConfigureConnPool
    static class Slice {
    }
}
