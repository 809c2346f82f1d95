package io.connpool.sample;

import java.util.Map;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * The embedded default: when {@code connpool.servers} is not configured (and
 * {@code sample.embedded-servers} is not {@code false}), starts three line servers on free loopback
 * ports and points the default pool at them. With {@code connpool.servers} set, it starts nothing.
 *
 * <p>An initializer rather than a bean: the servers' ports must be in the environment before the
 * auto-configured pool is created. Registered in {@code META-INF/spring.factories}.
 */
public final class EmbeddedServersInitializer implements ApplicationContextInitializer<ConfigurableApplicationContext> {

    static final int COUNT = 3;

    @Override
    public void initialize(ConfigurableApplicationContext context) {
        ConfigurableEnvironment environment = context.getEnvironment();
        if (environment.containsProperty("connpool.servers") || environment.containsProperty("connpool.servers[0]")
                || !environment.getProperty("sample.embedded-servers", Boolean.class, true)) {
            return;
        }
        if (!(context instanceof GenericApplicationContext registry)) {
            return;
        }
        EmbeddedServers servers = new EmbeddedServers(COUNT);
        environment.getPropertySources().addFirst(new MapPropertySource("embeddedServers",
                Map.of("connpool.servers", String.join(",", servers.addresses()))));
        registry.registerBean("embeddedServers", EmbeddedServers.class, () -> servers);
    }
}
