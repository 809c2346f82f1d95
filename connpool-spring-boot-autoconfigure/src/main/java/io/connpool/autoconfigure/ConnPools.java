package io.connpool.autoconfigure;

import io.connpool.ConnPool;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;

/**
 * Every {@link ConnPool} of the application by its {@linkplain ConnPool#name() name}: the default pool
 * ({@code "default"}), the named pools of {@code connpool.pools} and any {@code ConnPool} bean of your
 * own. Health and metrics are built on it.
 */
public final class ConnPools {

    private final Map<String, ConnPool> pools;

    /**
     * Creates the registry.
     *
     * @param pools the pools; their names must differ
     * @throws IllegalStateException if two pools have the same name
     */
    public ConnPools(Collection<? extends ConnPool> pools) {
        Map<String, ConnPool> byName = new LinkedHashMap<>();
        for (ConnPool pool : pools) {
            ConnPool previous = byName.putIfAbsent(pool.name(), pool);
            if (previous != null && previous != pool) {
                throw new IllegalStateException("Two ConnPool beans are named '" + pool.name() + "' (" + previous
                        + " and " + pool + "); give each pool its own name with ConnPool.Builder.name(..)");
            }
        }
        this.pools = Collections.unmodifiableMap(byName);
    }

    /**
     * Returns the pool with this name.
     *
     * @param name the pool's name
     * @return the pool
     * @throws NoSuchElementException naming the pools there are, if none has this name
     */
    public ConnPool get(String name) {
        ConnPool pool = pools.get(name);
        if (pool == null) {
            throw new NoSuchElementException("No connection pool named '" + name + "'; the pools are " + pools.keySet()
                    + ". Configure it under connpool.pools." + name + ".servers.");
        }
        return pool;
    }

    /**
     * Returns the pool with this name, if any.
     *
     * @param name the pool's name
     * @return the pool, or empty
     */
    public Optional<ConnPool> find(String name) {
        return Optional.ofNullable(pools.get(name));
    }

    /**
     * Returns the names of the pools, in the order the beans were defined.
     *
     * @return the names
     */
    public Set<String> names() {
        return pools.keySet();
    }

    /**
     * Returns every pool by name.
     *
     * @return an unmodifiable map
     */
    public Map<String, ConnPool> asMap() {
        return pools;
    }

    @Override
    public String toString() {
        return "ConnPools" + pools.keySet();
    }
}
