package io.connpool.autoconfigure;

import io.connpool.ConnPool;

/**
 * Customizes the builder of every auto-configured pool after the {@code connpool.*} properties were
 * applied and before the pool is built: add a listener, a validator, a shared budget or a dialer of
 * your own. Beans of this type are applied in their {@link org.springframework.core.annotation.Order}.
 */
@FunctionalInterface
public interface ConnPoolBuilderCustomizer {

    /**
     * Customizes one pool's builder.
     *
     * @param poolName {@code "default"} for the pool of {@code connpool.servers}, else the key under
     *        {@code connpool.pools}
     * @param builder the builder, with the properties applied
     */
    void customize(String poolName, ConnPool.Builder builder);
}
