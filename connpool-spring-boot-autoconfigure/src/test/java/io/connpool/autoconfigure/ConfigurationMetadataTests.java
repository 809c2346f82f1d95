package io.connpool.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import com.jayway.jsonpath.JsonPath;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The metadata generated for IDEs has a description and a default for every connpool property. */
class ConfigurationMetadataTests {

    /** No meaningful default: unset means "no bundle", and TLS is then on exactly when a bundle is set. */
    private static final Set<String> WITHOUT_DEFAULT = Set.of("connpool.ssl.bundle", "connpool.ssl.enabled",
            "connpool.max-rps-fleet", "connpool.discovery.service-id");

    private static final List<String> EXPECTED = List.of("connpool.servers", "connpool.dial-timeout",
            "connpool.read-timeout", "connpool.retry-min", "connpool.retry-max", "connpool.max-rps",
            "connpool.max-connections-per-server", "connpool.min-idle-per-server", "connpool.acquire-timeout",
            "connpool.idle-timeout", "connpool.max-lifetime", "connpool.validation-interval",
            "connpool.leak-detection-threshold", "connpool.eject-after-failures", "connpool.ssl.enabled",
            "connpool.ssl.bundle", "connpool.ssl.verify-hostname", "connpool.pools", "connpool.dns-refresh-interval",
            "connpool.balancer", "connpool.max-rps-fleet", "connpool.discovery.service-id",
            "connpool.discovery.refresh-interval",
            "management.health.connpool.enabled", "management.endpoint.connpool.access",
            "management.endpoint.connpool.cache.time-to-live");

    @Test
    void everyPropertyHasADescriptionAndADefault() throws IOException {
        String json = Files.readString(Path.of("target/classes/META-INF/spring-configuration-metadata.json"));
        List<Map<String, Object>> properties = JsonPath.read(json, "$.properties[*]");
        assertThat(properties).extracting(p -> p.get("name")).containsExactlyInAnyOrderElementsOf(EXPECTED);
        for (Map<String, Object> property : properties) {
            String name = (String) property.get("name");
            String description = (String) property.get("description");
            assertThat(description).as("description of %s", name).isNotBlank().doesNotStartWith("The ")
                    .doesNotStartWith("A ");
            if (name.startsWith("management.endpoint.")) {
                continue;
            }
            if (property.get("type").equals("java.lang.Boolean")) {
                assertThat(description).as("description of %s", name).startsWith("Whether");
            }
            if (!WITHOUT_DEFAULT.contains(name)) {
                assertThat(property).as("default of %s", name).containsKey("defaultValue");
            }
        }
        assertThat(properties).filteredOn(p -> p.get("name").equals("connpool.dial-timeout"))
                .extracting(p -> p.get("defaultValue")).containsExactly("2s");
    }
}
