package io.connpool.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.connpool.ServerAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/** Every key, top level and per pool, and how a named pool inherits. */
class PoolSettingsTests {

    private static final List<String> EVERY_KEY = List.of("dial-timeout=3s", "read-timeout=4s", "retry-min=5s",
            "retry-max=6m", "max-rps=7", "max-connections-per-server=9", "min-idle-per-server=2",
            "acquire-timeout=11s", "idle-timeout=12m", "max-lifetime=13m", "validation-interval=14ms",
            "leak-detection-threshold=15s", "eject-after-failures=16", "ssl.enabled=true", "ssl.bundle=b1",
            "ssl.verify-hostname=false");

    @Test
    void defaultsMatchTheCoreDefaults() {
        PoolSettings settings = PoolSettings.resolve(bind("connpool.servers=h:1"), "default");
        assertThat(settings.servers).containsExactly(new ServerAddress("h", 1));
        assertThat(settings.dialTimeout).isEqualTo(Duration.ofSeconds(2));
        assertThat(settings.readTimeout).isEqualTo(Duration.ofSeconds(30));
        assertThat(settings.retryMin).isEqualTo(Duration.ofSeconds(1));
        assertThat(settings.retryMax).isEqualTo(Duration.ofMinutes(1));
        assertThat(settings.maxRps).isZero();
        assertThat(settings.maxConnectionsPerServer).isEqualTo(8);
        assertThat(settings.minIdlePerServer).isEqualTo(1);
        assertThat(settings.acquireTimeout).isEqualTo(Duration.ofSeconds(5));
        assertThat(settings.idleTimeout).isEqualTo(Duration.ofMinutes(10));
        assertThat(settings.maxLifetime).isEqualTo(Duration.ofMinutes(30));
        assertThat(settings.validationInterval).isEqualTo(Duration.ofMillis(500));
        assertThat(settings.leakDetectionThreshold).isZero();
        assertThat(settings.ejectAfterFailures).isEqualTo(5);
        assertThat(settings.sslEnabled).isFalse();
        assertThat(settings.verifyHostname).isTrue();
    }

    @Test
    void everyTopLevelKeyIsBound() {
        assertEveryKeySet(PoolSettings.resolve(bind(withPrefix("connpool.", "connpool.servers=h:1")), "default"));
    }

    @Test
    void everyPoolKeyOverridesTheTopLevel() {
        List<String> properties = withPrefix("connpool.pools.p.", "connpool.pools.p.servers=h:1,h:2");
        PoolSettings settings = PoolSettings.resolve(bind(properties.toArray(String[]::new)), "p");
        assertEveryKeySet(settings);
        assertThat(settings.servers).hasSize(2);
        assertThat(settings.property("max-rps")).isEqualTo("connpool.pools.p.max-rps");
    }

    @Test
    void unsetPoolKeysInheritTheTopLevelKeyByKey() {
        List<String> properties = withPrefix("connpool.", "connpool.pools.p.servers=h:1");
        properties.add("connpool.pools.p.max-rps=70");
        properties.add("connpool.pools.p.ssl.verify-hostname=true");
        PoolSettings settings = PoolSettings.resolve(bind(properties.toArray(String[]::new)), "p");
        assertThat(settings.maxRps).isEqualTo(70);
        assertThat(settings.verifyHostname).isTrue();
        assertThat(settings.dialTimeout).isEqualTo(Duration.ofSeconds(3));
        assertThat(settings.ejectAfterFailures).isEqualTo(16);
        assertThat(settings.sslEnabled).isTrue();
        assertThat(settings.sslBundle).isEqualTo("b1");
        assertThat(settings.property("dial-timeout")).isEqualTo("connpool.dial-timeout");
        assertThat(settings.property("max-rps")).isEqualTo("connpool.pools.p.max-rps");
    }

    @Test
    void aPoolCanTurnInheritedTlsOff() {
        PoolSettings settings = PoolSettings.resolve(bind("connpool.ssl.bundle=b1", "connpool.pools.p.servers=h:1",
                "connpool.pools.p.ssl.enabled=false"), "p");
        assertThat(settings.sslEnabled).isFalse();
    }

    @Test
    void aBundleImpliesTls() {
        PoolSettings settings = PoolSettings.resolve(bind("connpool.pools.p.servers=h:1",
                "connpool.pools.p.ssl.bundle=b2"), "p");
        assertThat(settings.sslEnabled).isTrue();
        assertThat(settings.sslBundle).isEqualTo("b2");
        assertThat(settings.sslProperty).isEqualTo("connpool.pools.p.ssl.bundle");
    }

    private static void assertEveryKeySet(PoolSettings settings) {
        assertThat(settings.dialTimeout).isEqualTo(Duration.ofSeconds(3));
        assertThat(settings.readTimeout).isEqualTo(Duration.ofSeconds(4));
        assertThat(settings.retryMin).isEqualTo(Duration.ofSeconds(5));
        assertThat(settings.retryMax).isEqualTo(Duration.ofMinutes(6));
        assertThat(settings.maxRps).isEqualTo(7);
        assertThat(settings.maxConnectionsPerServer).isEqualTo(9);
        assertThat(settings.minIdlePerServer).isEqualTo(2);
        assertThat(settings.acquireTimeout).isEqualTo(Duration.ofSeconds(11));
        assertThat(settings.idleTimeout).isEqualTo(Duration.ofMinutes(12));
        assertThat(settings.maxLifetime).isEqualTo(Duration.ofMinutes(13));
        assertThat(settings.validationInterval).isEqualTo(Duration.ofMillis(14));
        assertThat(settings.leakDetectionThreshold).isEqualTo(Duration.ofSeconds(15));
        assertThat(settings.ejectAfterFailures).isEqualTo(16);
        assertThat(settings.sslEnabled).isTrue();
        assertThat(settings.sslBundle).isEqualTo("b1");
        assertThat(settings.verifyHostname).isFalse();
    }

    private static List<String> withPrefix(String prefix, String extra) {
        List<String> all = new java.util.ArrayList<>(EVERY_KEY.stream().map(key -> prefix + key).toList());
        all.add(extra);
        return all;
    }

    private static ConnPoolProperties bind(List<String> properties) {
        return bind(properties.toArray(String[]::new));
    }

    private static ConnPoolProperties bind(String... properties) {
        MapConfigurationPropertySource source = new MapConfigurationPropertySource();
        for (String property : properties) {
            int equals = property.indexOf('=');
            source.put(property.substring(0, equals), property.substring(equals + 1));
        }
        return new Binder(source).bindOrCreate("connpool", Bindable.of(ConnPoolProperties.class));
    }
}
