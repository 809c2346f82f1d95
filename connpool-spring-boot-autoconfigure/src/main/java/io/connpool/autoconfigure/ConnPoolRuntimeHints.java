package io.connpool.autoconfigure;

import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;
import org.springframework.boot.context.properties.bind.BindableRuntimeHintsRegistrar;

/**
 * Reflection that a native image needs: {@link PoolSettings} reads and writes {@link PoolProperties} by
 * introspection, to inherit every key generically, and the named pools' map values are bound by the binder.
 */
final class ConnPoolRuntimeHints implements RuntimeHintsRegistrar {

    @Override
    public void registerHints(RuntimeHints hints, ClassLoader classLoader) {
        BindableRuntimeHintsRegistrar.forTypes(PoolProperties.class, ConnPoolProperties.class)
                .registerHints(hints, classLoader);
    }
}
