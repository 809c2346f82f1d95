package io.connpool.autoconfigure;

import io.connpool.ConnPool;
import io.connpool.Dialer;
import java.time.Duration;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Lazy;
import org.springframework.context.annotation.Primary;
import org.springframework.core.env.Environment;

/**
 * Auto-configuration of connpool's pools: the default pool ({@code connpool.servers}, bean
 * {@code connPool}, qualifier {@code default}), one bean per named pool ({@code connpool.pools.<name>},
 * bean {@code <name>ConnPool}, qualifier {@code <name>}), {@link ConnPools}, and their graceful shutdown.
 */
@AutoConfiguration(after = SslAutoConfiguration.class)
@ConditionalOnClass(ConnPool.class)
@EnableConfigurationProperties(ConnPoolProperties.class)
public final class ConnPoolAutoConfiguration {

    ConnPoolAutoConfiguration() {
    }

    @Bean
    @ConditionalOnMissingBean
    ConnPoolFactory connPoolFactory(ConnPoolProperties properties, ObjectProvider<SslBundles> sslBundles,
            ObjectProvider<Dialer> dialers, ObjectProvider<ConnPoolBuilderCustomizer> customizers) {
        return new ConnPoolFactory(properties, sslBundles, dialers, customizers);
    }

    @Bean
    @Primary
    @Qualifier(PoolSettings.DEFAULT_POOL)
    @Lazy(false)
    @Conditional(OnDefaultPoolCondition.class)
    @ConditionalOnMissingBean(ConnPool.class)
    ConnPool connPool(ConnPoolFactory factory) {
        return factory.create(PoolSettings.DEFAULT_POOL);
    }

    @Bean
    static NamedConnPoolsRegistrar namedConnPoolsRegistrar() {
        return new NamedConnPoolsRegistrar();
    }

    @Bean
    @Lazy(false)
    @ConditionalOnMissingBean
    ConnPools connPools(ObjectProvider<ConnPool> pools) {
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
