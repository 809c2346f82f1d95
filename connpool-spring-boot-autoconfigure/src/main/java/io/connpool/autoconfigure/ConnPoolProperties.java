package io.connpool.autoconfigure;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Configuration of connpool's pools ({@code connpool.*}). The top-level keys ({@link PoolProperties})
 * configure the default pool and are what every named pool ({@code connpool.pools.<name>.*}, the same
 * keys) inherits for the keys it leaves unset.
 *
 * <p>An unknown key under {@code connpool.} (a misspelling such as {@code connpool.dial-timout}) stops
 * start-up naming it; environment variables and JVM system properties are not checked for unknown keys, so
 * that an unrelated {@code CONNPOOL_*} variable cannot break start-up.
 */
@ConfigurationProperties(prefix = "connpool", ignoreUnknownFields = false)
public class ConnPoolProperties extends PoolProperties {

    /** Name of the pool the top-level keys configure (bean connPool, qualifier "default"). */
    public static final String DEFAULT_POOL = "default";

    /** Named pools by name, each injectable with @Qualifier("name"); keys a pool leaves unset inherit the top-level values, except servers. */
    private Map<String, PoolProperties> pools = new LinkedHashMap<>();

    public Map<String, PoolProperties> getPools() {
        return pools;
    }

    public void setPools(Map<String, PoolProperties> pools) {
        this.pools = pools;
    }

    /**
     * Returns the keys of one pool as configured, before inheritance.
     *
     * @param name {@link #DEFAULT_POOL} or a key of {@link #getPools()}
     * @return the top-level keys for the default pool, else the named pool's own keys
     * @throws IllegalArgumentException if there is no such pool
     */
    PoolProperties own(String name) {
        if (DEFAULT_POOL.equals(name)) {
            return this;
        }
        PoolProperties pool = pools.get(name);
        if (pool == null) {
            throw new IllegalArgumentException("No pool named '" + name + "' under connpool.pools; the named pools are "
                    + pools.keySet());
        }
        return pool;
    }

    /** Throws if a named pool is called {@code default}, the name of the top-level pool. */
    void checkPoolNames() {
        for (String name : pools.keySet()) {
            if (DEFAULT_POOL.equals(name.toLowerCase(Locale.ROOT))) {
                throw new ConnPoolConfigurationException("connpool.pools." + name, name, null,
                        "'default' is the name of the pool configured by the top-level connpool.* keys",
                        "Configure the default pool with connpool.servers and the other top-level keys, or give this"
                                + " named pool another name.");
            }
        }
    }
}
