package io.connpool.autoconfigure;

import io.connpool.Balancer;
import io.connpool.ConnPool;
import io.connpool.InvalidOptionException;
import java.beans.PropertyDescriptor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import org.springframework.beans.BeanUtils;
import org.springframework.beans.BeanWrapper;
import org.springframework.beans.BeanWrapperImpl;
import org.springframework.boot.context.properties.bind.BindContext;
import org.springframework.boot.context.properties.bind.BindHandler;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.boot.origin.Origin;
import org.springframework.core.env.Environment;

/**
 * The effective keys of one pool: a named pool's own keys, else the top-level ones, inherited key by key
 * for every property of {@link PoolProperties} (found by introspection, so a key added there is inherited
 * without code here). Maps a rejection by the core's builder ({@link InvalidOptionException}) back to the
 * property the user set, with the value and origin of the property source that won.
 */
final class PoolSettings {

    private static final String TOP = "connpool";

    /** Keys a named pool does not inherit. */
    private static final List<String> NOT_INHERITED = List.of("servers", "discovery.serviceId");

    /** Every leaf key of {@link PoolProperties} as a bean path, such as {@code dialTimeout} or {@code ssl.bundle}. */
    static final List<String> KEYS = leafPaths(PoolProperties.class, "");

    final String name;
    final PoolProperties effective;
    private final BeanWrapper own;
    private final BeanWrapper values;
    private final String prefix;

    private PoolSettings(String name, PoolProperties own, PoolProperties effective) {
        this.name = name;
        this.own = new BeanWrapperImpl(own);
        this.effective = effective;
        this.values = new BeanWrapperImpl(effective);
        this.prefix = ConnPoolProperties.DEFAULT_POOL.equals(name) ? TOP : TOP + ".pools." + name;
    }

    /**
     * Resolves one pool.
     *
     * @param properties the bound properties
     * @param name {@link ConnPoolProperties#DEFAULT_POOL} or a key of {@code connpool.pools}
     */
    static PoolSettings resolve(ConnPoolProperties properties, String name) {
        PoolProperties own = properties.own(name);
        if (own == properties) {
            return new PoolSettings(name, own, own);
        }
        PoolProperties effective = new PoolProperties();
        BeanWrapper from = new BeanWrapperImpl(own);
        BeanWrapper parent = new BeanWrapperImpl(properties);
        BeanWrapper to = new BeanWrapperImpl(effective);
        for (String key : KEYS) {
            Object value = from.getPropertyValue(key);
            if (value == null && !NOT_INHERITED.contains(key)) {
                value = parent.getPropertyValue(key);
            }
            to.setPropertyValue(key, value);
        }
        return new PoolSettings(name, own, effective);
    }

    /** Applies every key that is set; the core's defaults stand for the others. Servers and dialer are the caller's. */
    void applyTo(ConnPool.Builder builder) {
        PoolProperties p = effective;
        builder.name(name);
        set(p.getDialTimeout(), builder::dialTimeout);
        set(p.getReadTimeout(), builder::readTimeout);
        set(p.getRetryMin(), builder::retryMin);
        set(p.getRetryMax(), builder::retryMax);
        set(p.getMaxRps(), builder::maxRps);
        set(p.getMaxConnectionsPerServer(), builder::maxConnectionsPerServer);
        set(p.getMinIdlePerServer(), builder::minIdlePerServer);
        set(p.getAcquireTimeout(), builder::acquireTimeout);
        set(p.getIdleTimeout(), builder::idleTimeout);
        set(p.getMaxLifetime(), builder::maxLifetime);
        set(p.getValidationInterval(), builder::validationInterval);
        set(p.getLeakDetectionThreshold(), builder::leakDetectionThreshold);
        set(p.getEjectAfterFailures(), builder::ejectAfterFailures);
        set(p.getDnsRefreshInterval(), builder::dnsRefreshInterval);
        set(p.getBalancer(), type -> builder.balancer(type == PoolProperties.BalancerType.LEAST_LOADED
                ? Balancer.leastLoaded() : Balancer.roundRobin())); // a balancer of its own for each build
    }

    private static <T> void set(T value, Consumer<T> option) {
        if (value != null) {
            option.accept(value);
        }
    }

    /**
     * The property a key's value comes from: the pool's own, else the inherited top-level one; for a key set
     * nowhere, the pool's own (where the user would set it).
     *
     * @param key a bean path of {@link #KEYS}
     */
    String property(String key) {
        String kebab = kebab(key);
        if (own.getPropertyValue(key) == null && !NOT_INHERITED.contains(key) && values.getPropertyValue(key) != null) {
            return TOP + "." + kebab;
        }
        return prefix + "." + kebab;
    }

    String prefix() {
        return prefix;
    }

    /**
     * Turns the core's rejection of an option into a report under the property the user set.
     *
     * @param ex the core's rejection
     * @param environment where the properties came from, to find the winning source's value and origin
     * @return the exception to throw: a {@link ConnPoolConfigurationException} when a property holds the bad
     *         value, else an {@link IllegalStateException} naming the code that set it
     */
    RuntimeException translate(InvalidOptionException ex, Environment environment) {
        String key = ex.option();
        if (!KEYS.contains(key)) {
            return new IllegalStateException("Pool '" + name + "' was given an invalid " + key + " by a"
                    + " ConnPoolBuilderCustomizer or Dialer bean: " + ex.getMessage(), ex);
        }
        Object configured = values.getPropertyValue(key);
        if (!key.equals("servers") && configured != null && !Objects.equals(configured, ex.value())) {
            return new IllegalStateException("Pool '" + name + "': " + property(key) + " is " + configured
                    + ", but a ConnPoolBuilderCustomizer changed the builder's " + key + " to an invalid value: "
                    + ex.getMessage(), ex);
        }
        String property = property(key);
        ConfigurationProperty winner = winning(environment, property, ex.value());
        Object value = winner != null ? winner.getValue() : display(ex.value());
        Origin origin = winner != null ? winner.getOrigin() : null;
        return new ConnPoolConfigurationException(property, value, origin, ex.getMessage(), action(key, property, ex),
                ex);
    }

    private String action(String key, String property, InvalidOptionException ex) {
        StringBuilder action = new StringBuilder();
        if (key.equals("servers")) {
            if (ex.value() instanceof List<?> list && list.isEmpty() || ex.value() == null) {
                return "Set " + property + " to the pool's servers, for example " + property
                        + "[0]=billing-1.internal:9000" + (prefix.equals(TOP) ? "." : ", or remove " + prefix + ".");
            }
            action.append("Write each server of ").append(property).append(" as host:port with a TCP port from 1 to")
                    .append(" 65535, once each, for example db-1.internal:7000, 10.0.0.1:7000 or [::1]:7000");
        }
        else {
            action.append("Change ").append(property);
            Class<?> type = values.getPropertyType(key);
            action.append(type == java.time.Duration.class ? " to a duration such as 500ms, 2s or 1m"
                    : " to a whole number").append(" that meets the rule above");
        }
        // a rule between two options names the other one too: say which property that is
        for (String other : KEYS) {
            if (!other.equals(key) && ex.getMessage().contains(other)) {
                action.append(", or change ").append(property(other));
            }
        }
        return action.append('.').toString();
    }

    /**
     * The property the binder actually used for {@code name}: for a list, the winning source's whole value
     * or the element that holds the rejected value.
     */
    static ConfigurationProperty winning(Environment environment, String name, Object rejected) {
        if (environment == null) {
            return null;
        }
        Map<String, ConfigurationProperty> used = new LinkedHashMap<>();
        BindHandler recorder = new BindHandler() {
            @Override
            public Object onSuccess(ConfigurationPropertyName propertyName, Bindable<?> target, BindContext context,
                    Object result) {
                ConfigurationProperty property = context.getConfigurationProperty();
                if (property != null) {
                    used.putIfAbsent(property.getName().toString(), property);
                }
                return result;
            }
        };
        Bindable<?> target = name.endsWith(".servers") ? Bindable.listOf(String.class) : Bindable.of(String.class);
        Binder.get(environment).bind(name, target, recorder);
        for (ConfigurationProperty property : used.values()) {
            if (rejected != null && String.valueOf(property.getValue()).trim().equals(rejected.toString())) {
                return property;
            }
        }
        ConfigurationProperty whole = used.get(name);
        if (whole != null || used.isEmpty()) {
            return whole;
        }
        List<Object> elements = new ArrayList<>();
        used.values().forEach(element -> elements.add(element.getValue()));
        ConfigurationProperty first = used.values().iterator().next();
        return new ConfigurationProperty(ConfigurationPropertyName.of(name), elements, first.getOrigin());
    }

    private static Object display(Object value) {
        return value instanceof java.time.Duration duration ? DurationStyle.SIMPLE.print(duration) : value;
    }

    static String kebab(String path) {
        StringBuilder kebab = new StringBuilder(path.length() + 8);
        for (char c : path.toCharArray()) {
            if (Character.isUpperCase(c)) {
                kebab.append('-').append(Character.toLowerCase(c));
            }
            else {
                kebab.append(c);
            }
        }
        return kebab.toString();
    }

    /** Readable and writable properties; nested property objects (read-only, of this package) are walked into. */
    private static List<String> leafPaths(Class<?> type, String prefix) {
        List<String> paths = new ArrayList<>();
        for (PropertyDescriptor descriptor : BeanUtils.getPropertyDescriptors(type)) {
            if (descriptor.getReadMethod() == null || descriptor.getName().equals("class")) {
                continue;
            }
            Class<?> propertyType = descriptor.getPropertyType();
            if (descriptor.getWriteMethod() == null
                    && propertyType.getPackageName().equals(PoolProperties.class.getPackageName())) {
                paths.addAll(leafPaths(propertyType, prefix + descriptor.getName() + "."));
            }
            else if (descriptor.getWriteMethod() != null) {
                paths.add(prefix + descriptor.getName());
            }
        }
        return List.copyOf(paths);
    }
}
