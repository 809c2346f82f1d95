package io.connpool.starter;

import static org.assertj.core.api.Assertions.assertThat;

import io.connpool.ConnPool;
import io.connpool.PooledConnection;
import io.connpool.autoconfigure.ConnPoolAutoConfiguration;
import io.connpool.autoconfigure.metrics.ConnPoolMetricsAutoConfiguration;
import io.connpool.test.MockTcpServer;
import io.connpool.testing.NamedEcho;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * Every meter the README names appears with the starter alone (plus a meter registry): this module's class
 * path is the starter's.
 */
class StarterMetersTests {

    @Test
    void everyMeterTheReadmeNamesAppears() throws IOException {
        List<String> documented = readmeMeters();
        assertThat(documented).contains("connpool.connections.acquire", "connpool.ratelimiter.available.permissions");
        try (MockTcpServer server = NamedEcho.start("s")) {
            new ApplicationContextRunner()
                    .withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class, ConnPoolAutoConfiguration.class,
                            MetricsAutoConfiguration.class, ConnPoolMetricsAutoConfiguration.class))
                    .withBean(SimpleMeterRegistry.class)
                    .withPropertyValues("management.metrics.use-global-registry=false",
                            "connpool.servers=" + server.address(), "connpool.max-rps=100")
                    .run(context -> {
                        try (PooledConnection connection = context.getBean(ConnPool.class).acquire()) {
                            assertThat(connection).isNotNull();
                        }
                        MeterRegistry registry = context.getBean(MeterRegistry.class);
                        for (String meter : documented) {
                            assertThat(registry.find(meter).tag("pool", "default").meters()).as(meter).isNotEmpty();
                        }
                    });
        }
    }

    /** The backticked names in the README's metrics bullet; {@code a.b.c|d} stands for {@code a.b.c} and {@code a.b.d}. */
    private static List<String> readmeMeters() throws IOException {
        String readme = Files.readString(Path.of("../README.md"));
        int start = readme.indexOf("- Metrics (tags `pool`, `server`)");
        assertThat(start).as("the README's metrics bullet").isNotNegative();
        int end = readme.indexOf("\n- ", start + 1);
        Matcher names = Pattern.compile("`(connpool\\.[a-z.]+(?:\\|[a-z.]+)*)`").matcher(readme.substring(start, end));
        List<String> meters = new ArrayList<>();
        while (names.find()) {
            String[] parts = names.group(1).split("\\|");
            String base = parts[0].substring(0, parts[0].lastIndexOf('.') + 1);
            meters.add(parts[0]);
            for (int i = 1; i < parts.length; i++) {
                meters.add(base + parts[i]);
            }
        }
        return meters;
    }
}
