package io.connpool.autoconfigure.metrics;

import io.connpool.autoconfigure.ConnPoolAutoConfiguration;
import io.connpool.autoconfigure.ConnPools;
import io.connpool.micrometer.ConnPoolMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of connpool's Micrometer meters: every pool of {@link ConnPools} is bound with
 * {@link ConnPoolMetrics} (tags {@code pool} and {@code server}).
 */
@AutoConfiguration(after = ConnPoolAutoConfiguration.class,
        afterName = "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration")
@ConditionalOnClass({ MeterRegistry.class, MeterBinder.class })
@ConditionalOnBean({ MeterRegistry.class, ConnPools.class })
public final class ConnPoolMetricsAutoConfiguration {

    ConnPoolMetricsAutoConfiguration() {
    }

    @Bean
    @ConditionalOnMissingBean(name = "connPoolMeterBinder")
    MeterBinder connPoolMeterBinder(ConnPools pools) {
        return registry -> pools.asMap().values().forEach(pool -> new ConnPoolMetrics(pool).bindTo(registry));
    }
}
