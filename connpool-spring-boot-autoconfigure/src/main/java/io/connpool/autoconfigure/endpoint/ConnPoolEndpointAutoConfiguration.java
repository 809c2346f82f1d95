package io.connpool.autoconfigure.endpoint;

import io.connpool.autoconfigure.ConnPoolAutoConfiguration;
import io.connpool.autoconfigure.ConnPools;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of the {@code connpool} Actuator endpoint, created only when the endpoint is available
 * (exposed and not disabled).
 */
@AutoConfiguration(after = ConnPoolAutoConfiguration.class)
@ConditionalOnClass({ Endpoint.class, ConditionalOnAvailableEndpoint.class })
@ConditionalOnBean(ConnPools.class)
@ConditionalOnAvailableEndpoint(ConnPoolEndpoint.class)
public final class ConnPoolEndpointAutoConfiguration {

    ConnPoolEndpointAutoConfiguration() {
    }

    @Bean
    @ConditionalOnMissingBean
    ConnPoolEndpoint connPoolEndpoint(ConnPools pools) {
        return new ConnPoolEndpoint(pools);
    }
}
