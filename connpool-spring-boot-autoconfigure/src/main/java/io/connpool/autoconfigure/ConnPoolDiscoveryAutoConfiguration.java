package io.connpool.autoconfigure;

import io.connpool.ConnPool;
import java.time.Duration;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.cloud.client.discovery.DiscoveryClient;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * Spring Cloud discovery for connpool's pools, with spring-cloud-commons on the class path: a pool with
 * {@code connpool.pools.<name>.discovery.service-id} (or {@code connpool.discovery.service-id} for the default
 * pool) takes its servers from {@code DiscoveryClient.getInstances(serviceId)}, refreshed at
 * {@code discovery.refresh-interval} and at every {@code HeartbeatEvent}; {@code max-rps-fleet} is divided by
 * the number of instances of {@code spring.application.name} that discovery reports. Works with any
 * {@code DiscoveryClient} bean (Kubernetes, Consul, Eureka, the simple one of spring-cloud-commons).
 */
@AutoConfiguration
@ConditionalOnClass({ConnPool.class, DiscoveryClient.class})
public final class ConnPoolDiscoveryAutoConfiguration {

    /** How often discovery is asked again when no refresh-interval is set. */
    static final Duration DEFAULT_REFRESH_INTERVAL = Duration.ofSeconds(30);

    ConnPoolDiscoveryAutoConfiguration() {
    }

    @Bean
    DiscoveryServers connPoolDiscovery(ObjectProvider<DiscoveryClient> discoveryClients, Environment environment,
            ConnPoolProperties properties) {
        return new DiscoveryServers(discoveryClients, environment.getProperty("spring.application.name"),
                refreshInterval(properties.getDiscovery()));
    }

    /** The refresh interval set, or the default one. */
    static Duration refreshInterval(PoolProperties.Discovery discovery) {
        Duration interval = discovery.getRefreshInterval();
        return interval != null ? interval : DEFAULT_REFRESH_INTERVAL;
    }
}
