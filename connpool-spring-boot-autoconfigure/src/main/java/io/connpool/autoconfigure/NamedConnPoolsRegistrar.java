package io.connpool.autoconfigure;

import io.connpool.ConnPool;
import java.util.Locale;
import java.util.Map;
import org.springframework.beans.factory.BeanRegistrar;
import org.springframework.beans.factory.BeanRegistry;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.Environment;

/**
 * Registers one {@link ConnPool} bean per key of {@code connpool.pools}: bean name {@code <name>ConnPool},
 * alias {@code <name>} (so that {@code @Qualifier("<name>")} selects it), created by {@link ConnPoolFactory}
 * at start-up (a bad value fails start-up, not the first request) and closed with the context.
 *
 * <p>A {@link BeanRegistrar}: under AOT ({@code spring-boot:process-aot}, native images) the generated code
 * calls it again at run time, so the pools are those of the run-time configuration. Public with a public
 * constructor for that generated code; not an API.
 */
public final class NamedConnPoolsRegistrar implements BeanRegistrar {

    static final String BEAN_NAME_SUFFIX = "ConnPool";

    /** Creates the registrar; called by Spring. */
    public NamedConnPoolsRegistrar() {
    }

    @Override
    public void register(BeanRegistry registry, Environment environment) {
        Map<String, Object> pools = Binder.get(environment)
                .bind("connpool.pools", Bindable.mapOf(String.class, Object.class))
                .orElse(Map.of());
        for (String name : pools.keySet()) {
            if (ConnPoolProperties.DEFAULT_POOL.equals(name.toLowerCase(Locale.ROOT))) {
                continue; // rejected with a report when the properties are bound
            }
            String beanName = name + BEAN_NAME_SUFFIX;
            registry.registerBean(beanName, ConnPool.class,
                    spec -> spec.supplier(context -> context.bean(ConnPoolFactory.class).create(name)));
            registry.registerAlias(beanName, name);
        }
    }
}
