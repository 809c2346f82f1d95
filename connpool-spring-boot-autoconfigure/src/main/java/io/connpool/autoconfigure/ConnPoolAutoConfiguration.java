package io.connpool.autoconfigure;

import io.connpool.ConnPool;
import io.connpool.Dialer;
import io.connpool.autoconfigure.observation.ConnPoolObservationConvention;
import io.micrometer.observation.ObservationRegistry;
import java.time.Duration;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.LazyInitializationExcludeFilter;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Lazy;
import org.springframework.context.annotation.Primary;
import org.springframework.core.env.Environment;

/**
 * Auto-configuration of connpool's pools: the default pool ({@code connpool.servers}, bean
 * {@code connPool}, qualifier {@code default}), one bean per named pool ({@code connpool.pools.<name>},
 * bean {@code <name>ConnPool}, qualifier {@code <name>}), {@link ConnPools}, {@link ConnPoolConnectionDetails},
 * and the pools' start, stop and restart with the context. With an {@code ObservationRegistry} bean, every
 * pool's acquires and dials are observed.
 */
@AutoConfiguration(after = SslAutoConfiguration.class,
        afterName = "org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration")
@ConditionalOnClass(ConnPool.class)
@EnableConfigurationProperties(ConnPoolProperties.class)
@Import(NamedConnPoolsRegistrar.class)
public final class ConnPoolAutoConfiguration {

    ConnPoolAutoConfiguration() {
    }

    @Bean
    @ConditionalOnMissingBean(ConnPoolConnectionDetails.class)
    PropertiesConnPoolConnectionDetails connPoolConnectionDetails(ConnPoolProperties properties) {
        return new PropertiesConnPoolConnectionDetails(properties);
    }

    @Bean
    @ConditionalOnMissingBean
    ConnPoolFactory connPoolFactory(ConnPoolProperties properties, ConnPoolConnectionDetails connectionDetails,
            Environment environment, ObjectProvider<SslBundles> sslBundles, ObjectProvider<Dialer> dialers,
            ObjectProvider<ConnPoolBuilderCustomizer> customizers, ObjectProvider<ObservationRegistry> observations,
            ObjectProvider<ConnPoolObservationConvention> observationConvention, ObjectProvider<PoolDiscovery> discovery) {
        return new ConnPoolFactory(properties, connectionDetails, environment, sslBundles, dialers, customizers,
                observations, observationConvention, discovery);
    }

    @Bean
    @Primary
    @Qualifier(ConnPoolProperties.DEFAULT_POOL)
    @Lazy(false)
    @Conditional(OnDefaultPoolCondition.class)
    @ConditionalOnMissingBean(ConnPool.class)
    ConnPool connPool(ConnPoolFactory factory) {
        return factory.create(ConnPoolProperties.DEFAULT_POOL);
    }

    /** Pools are created at start-up even with lazy initialization, so that a bad value fails start-up. */
    @Bean
    static LazyInitializationExcludeFilter connPoolLazyInitializationExcludeFilter() {
        return LazyInitializationExcludeFilter.forBeanTypes(ConnPool.class, ConnPools.class, ConnPoolLifecycle.class);
    }

    @Bean
    @Lazy(false)
    @ConditionalOnMissingBean
    ConnPools connPools(ObjectProvider<ConnPool> pools, ConnPoolProperties properties) {
        properties.checkPoolNames(); // bound here even with no pool, so that a misspelled key fails start-up
        return new ConnPools(pools.orderedStream().toList());
    }

    @Bean
    @ConditionalOnMissingBean
    ConnPoolLifecycle connPoolLifecycle(ConnPools pools, Environment environment) {
        Duration timeout = Binder.get(environment)
                .bind("spring.lifecycle.timeout-per-shutdown-phase", Duration.class)
                .orElse(Duration.ofSeconds(30));
        return new ConnPoolLifecycle(pools, timeout);
    }
}
