package io.connpool.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.BeanUtils;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/** Every key, top level and per pool, and how a named pool inherits: one shape, inherited key by key. */
class PoolPropertiesTests {

    private static final List<String> EVERY_KEY = List.of("dial-timeout=3s", "read-timeout=4s", "retry-min=5s",
            "retry-max=6m", "max-rps=7", "max-connections-per-server=9", "min-idle-per-server=2",
            "acquire-timeout=11s", "idle-timeout=12m", "max-lifetime=13m", "validation-interval=14ms",
            "leak-detection-threshold=15s", "eject-after-failures=16", "ssl.enabled=true", "ssl.bundle=b1",
            "ssl.verify-hostname=false", "dns-refresh-interval=17s", "balancer=least-loaded", "max-rps-fleet=18",
            "discovery.service-id=svc", "discovery.refresh-interval=19s");

    @Test
    void theKeysAreFoundByIntrospectionSoThatANewKeyIsInheritedWithoutCode() {
        List<String> topLevel = new ArrayList<>();
        for (var descriptor : BeanUtils.getPropertyDescriptors(PoolProperties.class)) {
            if (descriptor.getWriteMethod() != null) {
                topLevel.add(descriptor.getName());
            }
        }
        assertThat(PoolSettings.KEYS).containsAll(topLevel).contains("ssl.enabled", "ssl.bundle", "ssl.verifyHostname",
                "discovery.serviceId", "discovery.refreshInterval").hasSize(topLevel.size() + 5);
        assertThat(EVERY_KEY).hasSize(PoolSettings.KEYS.size() - 1); // all but servers
    }

    @Test
    void unsetKeysAreNullSoThatTheCoreDefaultsApply() {
        PoolSettings settings = PoolSettings.resolve(bind("connpool.servers=h:1"), "default");
        for (String key : PoolSettings.KEYS) {
            if (!key.equals("servers")) {
                assertThat(new org.springframework.beans.BeanWrapperImpl(settings.effective).getPropertyValue(key))
                        .as(key).isNull();
            }
        }
    }

    @Test
    void everyTopLevelKeyIsBound() {
        assertEveryKeySet(PoolSettings.resolve(bind(withPrefix("connpool.", "connpool.servers=h:1")), "default"));
    }

    @Test
    void everyPoolKeyOverridesTheTopLevel() {
        List<String> properties = withPrefix("connpool.pools.p.", "connpool.pools.p.servers=h:1,h:2");
        properties.addAll(List.of("connpool.dial-timeout=1m", "connpool.ssl.bundle=other", "connpool.max-rps=1"));
        PoolSettings settings = PoolSettings.resolve(bind(properties), "p");
        assertEveryKeySet(settings);
        assertThat(settings.effective.getServers()).containsExactly("h:1", "h:2");
        assertThat(settings.property("maxRps")).isEqualTo("connpool.pools.p.max-rps");
        assertThat(settings.property("ssl.bundle")).isEqualTo("connpool.pools.p.ssl.bundle");
    }

    @Test
    void unsetPoolKeysInheritTheTopLevelKeyByKeyNestedKeysToo() {
        List<String> properties = withPrefix("connpool.", "connpool.pools.p.servers=h:1");
        properties.add("connpool.pools.p.max-rps=70");
        properties.add("connpool.pools.p.ssl.verify-hostname=true");
        PoolSettings settings = PoolSettings.resolve(bind(properties), "p");
        assertThat(settings.effective.getMaxRps()).isEqualTo(70);
        assertThat(settings.effective.getSsl().getVerifyHostname()).isTrue();
        assertThat(settings.effective.getDialTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(settings.effective.getEjectAfterFailures()).isEqualTo(16);
        assertThat(settings.effective.getSsl().isOn()).isTrue();
        assertThat(settings.effective.getSsl().getBundle()).isEqualTo("b1");
        assertThat(settings.property("dialTimeout")).isEqualTo("connpool.dial-timeout");
        assertThat(settings.property("ssl.bundle")).isEqualTo("connpool.ssl.bundle");
        assertThat(settings.property("maxRps")).isEqualTo("connpool.pools.p.max-rps");
        assertThat(settings.property("ssl.verifyHostname")).isEqualTo("connpool.pools.p.ssl.verify-hostname");
    }

    @Test
    void serversAreNotInherited() {
        PoolSettings settings = PoolSettings.resolve(bind("connpool.servers=h:1", "connpool.pools.p.max-rps=3"), "p");
        assertThat(settings.effective.getServers()).isNull();
        assertThat(settings.property("servers")).isEqualTo("connpool.pools.p.servers");
    }

    @Test
    void aKeySetNowhereIsReportedUnderThePoolsOwnName() {
        PoolSettings settings = PoolSettings.resolve(bind("connpool.pools.p.servers=h:1"), "p");
        assertThat(settings.property("retryMin")).isEqualTo("connpool.pools.p.retry-min");
    }

    @Test
    void aPoolCanTurnInheritedTlsOff() {
        PoolSettings settings = PoolSettings.resolve(bind("connpool.ssl.bundle=b1", "connpool.pools.p.servers=h:1",
                "connpool.pools.p.ssl.enabled=false"), "p");
        assertThat(settings.effective.getSsl().isOn()).isFalse();
    }

    @Test
    void aBundleImpliesTls() {
        PoolSettings settings = PoolSettings.resolve(bind("connpool.pools.p.servers=h:1",
                "connpool.pools.p.ssl.bundle=b2"), "p");
        assertThat(settings.effective.getSsl().isOn()).isTrue();
        assertThat(settings.effective.getSsl().getBundle()).isEqualTo("b2");
    }

    private static void assertEveryKeySet(PoolSettings settings) {
        PoolProperties p = settings.effective;
        assertThat(p.getDialTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(p.getReadTimeout()).isEqualTo(Duration.ofSeconds(4));
        assertThat(p.getRetryMin()).isEqualTo(Duration.ofSeconds(5));
        assertThat(p.getRetryMax()).isEqualTo(Duration.ofMinutes(6));
        assertThat(p.getMaxRps()).isEqualTo(7);
        assertThat(p.getMaxConnectionsPerServer()).isEqualTo(9);
        assertThat(p.getMinIdlePerServer()).isEqualTo(2);
        assertThat(p.getAcquireTimeout()).isEqualTo(Duration.ofSeconds(11));
        assertThat(p.getIdleTimeout()).isEqualTo(Duration.ofMinutes(12));
        assertThat(p.getMaxLifetime()).isEqualTo(Duration.ofMinutes(13));
        assertThat(p.getValidationInterval()).isEqualTo(Duration.ofMillis(14));
        assertThat(p.getLeakDetectionThreshold()).isEqualTo(Duration.ofSeconds(15));
        assertThat(p.getEjectAfterFailures()).isEqualTo(16);
        assertThat(p.getSsl().getEnabled()).isTrue();
        assertThat(p.getSsl().getBundle()).isEqualTo("b1");
        assertThat(p.getSsl().getVerifyHostname()).isFalse();
        assertThat(p.getDnsRefreshInterval()).isEqualTo(Duration.ofSeconds(17));
        assertThat(p.getBalancer()).isEqualTo(PoolProperties.BalancerType.LEAST_LOADED);
        assertThat(p.getMaxRpsFleet()).isEqualTo(18);
        assertThat(p.getDiscovery().getServiceId()).isEqualTo("svc");
        assertThat(p.getDiscovery().getRefreshInterval()).isEqualTo(Duration.ofSeconds(19));
    }

    private static List<String> withPrefix(String prefix, String extra) {
        List<String> all = new ArrayList<>(EVERY_KEY.stream().map(key -> prefix + key).toList());
        all.add(extra);
        return all;
    }

    private static ConnPoolProperties bind(List<String> properties) {
        return bind(properties.toArray(String[]::new));
    }

    static ConnPoolProperties bind(String... properties) {
        MapConfigurationPropertySource source = new MapConfigurationPropertySource();
        for (String property : properties) {
            int equals = property.indexOf('=');
            source.put(property.substring(0, equals), property.substring(equals + 1));
        }
        return new Binder(source).bindOrCreate("connpool", Bindable.of(ConnPoolProperties.class));
    }
}
