package io.connpool.autoconfigure;

import io.connpool.ConnPool;
import io.connpool.ServerAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;
import org.springframework.boot.convert.DurationStyle;

/**
 * The effective, validated options of one pool: a named pool's own keys, else the top-level ones. Each
 * value remembers the property it came from, so that an error names the key the user has to change.
 */
final class PoolSettings {

    /** Name of the pool configured by the top-level {@code connpool.servers}. */
    static final String DEFAULT_POOL = "default";

    private static final String TOP = "connpool";

    final String name;
    final List<ServerAddress> servers;
    final Duration dialTimeout;
    final Duration readTimeout;
    final Duration retryMin;
    final Duration retryMax;
    final int maxRps;
    final int maxConnectionsPerServer;
    final int minIdlePerServer;
    final Duration acquireTimeout;
    final Duration idleTimeout;
    final Duration maxLifetime;
    final Duration validationInterval;
    final Duration leakDetectionThreshold;
    final int ejectAfterFailures;
    final boolean sslEnabled;
    final String sslBundle;
    /** The property that set {@link #sslBundle} (or enabled TLS without one). */
    final String sslProperty;
    final boolean verifyHostname;

    private final String prefix;
    private final ConnPoolProperties.Pool pool;

    private PoolSettings(ConnPoolProperties top, String name) {
        this.name = name;
        boolean isDefault = DEFAULT_POOL.equals(name);
        this.pool = isDefault ? null : top.getPools().get(name);
        this.prefix = isDefault ? TOP : TOP + ".pools." + name;
        if (!isDefault && pool == null) {
            throw new IllegalArgumentException("No pool named '" + name + "' under connpool.pools");
        }
        this.servers = servers(isDefault ? top.getServers() : pool.getServers());
        this.dialTimeout = positive("dial-timeout", pick("dial-timeout", p -> p.getDialTimeout(), top.getDialTimeout()));
        this.readTimeout = notNegative("read-timeout", pick("read-timeout", p -> p.getReadTimeout(), top.getReadTimeout()));
        this.retryMin = positive("retry-min", pick("retry-min", p -> p.getRetryMin(), top.getRetryMin()));
        this.retryMax = positive("retry-max", pick("retry-max", p -> p.getRetryMax(), top.getRetryMax()));
        if (retryMin.compareTo(retryMax) > 0) {
            throw new ConnPoolConfigurationException(property("retry-min"), retryMin,
                    "it is greater than " + property("retry-max") + " (" + DurationStyle.SIMPLE.print(retryMax)
                            + "): the backoff would"
                            + " start above its cap",
                    "Lower " + property("retry-min") + " or raise " + property("retry-max")
                            + " so that retry-min <= retry-max, for example retry-min: 1s and retry-max: 1m.");
        }
        this.maxRps = atLeast("max-rps", pick("max-rps", p -> p.getMaxRps(), top.getMaxRps()), 0,
                "use 0 for no rate limit or a positive number of acquires per second per server");
        this.maxConnectionsPerServer = atLeast("max-connections-per-server",
                pick("max-connections-per-server", p -> p.getMaxConnectionsPerServer(), top.getMaxConnectionsPerServer()), 1,
                "use a positive number of connections, for example 8");
        this.minIdlePerServer = atLeast("min-idle-per-server",
                pick("min-idle-per-server", p -> p.getMinIdlePerServer(), top.getMinIdlePerServer()), 0,
                "use 0 (no warm connection) or a positive number up to max-connections-per-server");
        if (minIdlePerServer > maxConnectionsPerServer) {
            throw new ConnPoolConfigurationException(property("min-idle-per-server"), minIdlePerServer,
                    "it is greater than " + property("max-connections-per-server") + " ("
                            + maxConnectionsPerServer + ")",
                    "Lower " + property("min-idle-per-server") + " or raise "
                            + property("max-connections-per-server") + ".");
        }
        this.acquireTimeout = positive("acquire-timeout", pick("acquire-timeout", p -> p.getAcquireTimeout(), top.getAcquireTimeout()));
        this.idleTimeout = notNegative("idle-timeout", pick("idle-timeout", p -> p.getIdleTimeout(), top.getIdleTimeout()));
        this.maxLifetime = notNegative("max-lifetime", pick("max-lifetime", p -> p.getMaxLifetime(), top.getMaxLifetime()));
        this.validationInterval = notNegative("validation-interval",
                pick("validation-interval", p -> p.getValidationInterval(), top.getValidationInterval()));
        this.leakDetectionThreshold = notNegative("leak-detection-threshold",
                pick("leak-detection-threshold", p -> p.getLeakDetectionThreshold(), top.getLeakDetectionThreshold()));
        this.ejectAfterFailures = atLeast("eject-after-failures",
                pick("eject-after-failures", p -> p.getEjectAfterFailures(), top.getEjectAfterFailures()), 0,
                "use 0 (never eject) or a positive number of consecutive failures, for example 5");

        ConnPoolProperties.Ssl topSsl = top.getSsl();
        ConnPoolProperties.PoolSsl poolSsl = pool != null ? pool.getSsl() : null;
        boolean topEnabled = topSsl.isEnabled() || hasText(topSsl.getBundle());
        if (poolSsl != null && (poolSsl.getEnabled() != null || hasText(poolSsl.getBundle()))) {
            this.sslEnabled = poolSsl.getEnabled() != null ? poolSsl.getEnabled() : true;
            this.sslBundle = hasText(poolSsl.getBundle()) ? poolSsl.getBundle()
                    : poolSsl.getEnabled() == null || poolSsl.getEnabled() ? topSsl.getBundle() : null;
            this.sslProperty = hasText(poolSsl.getBundle()) ? prefix + ".ssl.bundle"
                    : hasText(sslBundle) ? TOP + ".ssl.bundle" : prefix + ".ssl.enabled";
        }
        else {
            this.sslEnabled = topEnabled;
            this.sslBundle = topSsl.getBundle();
            this.sslProperty = hasText(sslBundle) ? TOP + ".ssl.bundle" : TOP + ".ssl.enabled";
        }
        this.verifyHostname = poolSsl != null && poolSsl.getVerifyHostname() != null ? poolSsl.getVerifyHostname()
                : topSsl.isVerifyHostname();
    }

    /**
     * Resolves and validates one pool.
     *
     * @param properties the bound properties
     * @param name {@link #DEFAULT_POOL} or a key of {@code connpool.pools}
     * @throws ConnPoolConfigurationException at the first bad value
     */
    static PoolSettings resolve(ConnPoolProperties properties, String name) {
        if (!DEFAULT_POOL.equals(name) && DEFAULT_POOL.equals(name.toLowerCase(Locale.ROOT))) {
            name = DEFAULT_POOL;
        }
        if (DEFAULT_POOL.equals(name) && properties.getPools().containsKey(DEFAULT_POOL)) {
            throw new ConnPoolConfigurationException(TOP + ".pools." + DEFAULT_POOL, DEFAULT_POOL,
                    "'default' is the name of the pool configured by the top-level connpool.* keys",
                    "Configure the default pool with connpool.servers and the other top-level keys, or give this"
                            + " named pool another name.");
        }
        return new PoolSettings(properties, name);
    }

    /** Applies every option to a builder; the dialer is chosen by the caller. */
    void applyTo(ConnPool.Builder builder) {
        builder.name(name)
                .servers(servers)
                .dialTimeout(dialTimeout)
                .readTimeout(readTimeout)
                .retryMin(retryMin)
                .retryMax(retryMax)
                .maxRps(maxRps)
                .maxConnectionsPerServer(maxConnectionsPerServer)
                .minIdlePerServer(minIdlePerServer)
                .acquireTimeout(acquireTimeout)
                .idleTimeout(idleTimeout)
                .maxLifetime(maxLifetime)
                .validationInterval(validationInterval)
                .leakDetectionThreshold(leakDetectionThreshold)
                .ejectAfterFailures(ejectAfterFailures);
    }

    /** The property a key's value came from: the pool's own, or the inherited top-level one. */
    String property(String key) {
        return inherited.contains(key) ? TOP + "." + key : prefix + "." + key;
    }

    String prefix() {
        return prefix;
    }

    private final Set<String> inherited = new HashSet<>();

    /** The pool's own value of a key, else the top-level one (remembered as inherited). */
    private <T> T pick(String key, Function<ConnPoolProperties.Pool, T> own, T topValue) {
        T value = pool != null ? own.apply(pool) : null;
        if (value != null) {
            return value;
        }
        if (pool != null) {
            inherited.add(key);
        }
        return topValue;
    }

    private List<ServerAddress> servers(List<String> values) {
        String property = prefix + ".servers";
        if (values == null || values.isEmpty()) {
            throw new ConnPoolConfigurationException(property, values == null ? "(not set)" : "[]",
                    "pool '" + name + "' has no servers; a named pool does not inherit connpool.servers",
                    "Set " + property + " to the pool's servers, for example " + property
                            + "[0]=billing-1.internal:9000, or remove " + prefix + ".");
        }
        List<ServerAddress> parsed = new ArrayList<>(values.size());
        Set<ServerAddress> seen = new HashSet<>();
        for (int i = 0; i < values.size(); i++) {
            String value = values.get(i);
            ServerAddress address;
            try {
                address = ServerAddress.parse(value);
            }
            catch (IllegalArgumentException ex) {
                throw new ConnPoolConfigurationException(property + "[" + i + "]", value, ex.getMessage(),
                        "Write each server as host:port with a TCP port from 1 to 65535, for example"
                                + " db-1.internal:7000, 10.0.0.1:7000 or [::1]:7000.", ex);
            }
            if (!seen.add(address)) {
                throw new ConnPoolConfigurationException(property + "[" + i + "]", value,
                        "server " + address + " is listed twice in pool '" + name + "'",
                        "List each server of " + property + " once.");
            }
            parsed.add(address);
        }
        return List.copyOf(parsed);
    }

    private Duration positive(String key, Duration value) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new ConnPoolConfigurationException(property(key), value, "it must be a positive duration",
                    "Set " + property(key) + " to a duration above zero, for example 2s or 500ms.");
        }
        return value;
    }

    private Duration notNegative(String key, Duration value) {
        if (value == null || value.isNegative()) {
            throw new ConnPoolConfigurationException(property(key), value, "it must not be negative",
                    "Set " + property(key) + " to 0 or a positive duration, for example 30s.");
        }
        return value;
    }

    private int atLeast(String key, int value, int min, String fix) {
        if (value < min) {
            throw new ConnPoolConfigurationException(property(key), value,
                    "it must be " + (min == 0 ? "0 or more" : "at least " + min),
                    "Set " + property(key) + " to a valid value: " + fix + ".");
        }
        return value;
    }

    private static boolean hasText(String value) {
        return value != null && !value.isBlank();
    }
}
