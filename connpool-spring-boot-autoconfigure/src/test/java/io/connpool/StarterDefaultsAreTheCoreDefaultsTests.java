package io.connpool;

import static org.assertj.core.api.Assertions.assertThat;

import com.jayway.jsonpath.JsonPath;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.convert.DurationStyle;

/**
 * The starter leaves unset keys to the core's builder, so the defaults its metadata documents (for IDEs and
 * docs/configuration.md) must be the core's. In package {@code io.connpool} to read the builder's defaults.
 */
class StarterDefaultsAreTheCoreDefaultsTests {

    @Test
    void everyDocumentedDefaultIsTheCoreBuildersDefault() throws IOException {
        PoolOptions core = new PoolOptions();
        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("connpool.dial-timeout", core.dialTimeout);
        expected.put("connpool.read-timeout", core.readTimeout);
        expected.put("connpool.retry-min", core.retryMin);
        expected.put("connpool.retry-max", core.retryMax);
        expected.put("connpool.max-rps", core.maxRps);
        expected.put("connpool.max-connections-per-server", core.maxConnectionsPerServer);
        expected.put("connpool.min-idle-per-server", core.minIdlePerServer);
        expected.put("connpool.acquire-timeout", core.acquireTimeout);
        expected.put("connpool.idle-timeout", core.idleTimeout);
        expected.put("connpool.max-lifetime", core.maxLifetime);
        expected.put("connpool.validation-interval", core.validationInterval);
        expected.put("connpool.leak-detection-threshold", core.leakDetectionThreshold);
        expected.put("connpool.eject-after-failures", core.ejectAfterFailures);

        String json = Files.readString(Path.of("target/classes/META-INF/spring-configuration-metadata.json"));
        for (Map.Entry<String, Object> entry : expected.entrySet()) {
            List<Object> documented = JsonPath.read(json,
                    "$.properties[?(@.name == '" + entry.getKey() + "')].defaultValue");
            assertThat(documented).as(entry.getKey()).hasSize(1);
            Object value = documented.get(0);
            Object parsed = entry.getValue() instanceof Duration ? DurationStyle.detectAndParse(value.toString()) : value;
            assertThat(parsed).as("documented default of %s", entry.getKey()).isEqualTo(entry.getValue());
        }
    }
}
