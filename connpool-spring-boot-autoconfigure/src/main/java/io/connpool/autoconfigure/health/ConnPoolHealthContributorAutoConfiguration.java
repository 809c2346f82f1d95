package io.connpool.autoconfigure.health;

import io.connpool.autoconfigure.ConnPoolAutoConfiguration;
import io.connpool.autoconfigure.ConnPools;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of the {@code connPool} health contributor: {@code /actuator/health/connPool/{pool}/{server}}.
 * Turned off with {@code management.health.connpool.enabled=false}.
 */
@AutoConfiguration(after = ConnPoolAutoConfiguration.class)
@ConditionalOnClass({ HealthIndicator.class, ConditionalOnEnabledHealthIndicator.class })
@ConditionalOnBean(ConnPools.class)
@ConditionalOnEnabledHealthIndicator("connpool")
public final class ConnPoolHealthContributorAutoConfiguration {

    ConnPoolHealthContributorAutoConfiguration() {
    }

    @Bean
    @ConditionalOnMissingBean(name = { "connPoolHealthIndicator", "connPoolHealthContributor" })
    HealthContributor connPoolHealthContributor(ConnPools pools) {
        return new ConnPoolsHealthContributor(pools);
    }
}
