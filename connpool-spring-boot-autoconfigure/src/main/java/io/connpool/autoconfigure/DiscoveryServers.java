package io.connpool.autoconfigure;

import io.connpool.ConnPool;
import io.connpool.PollingServerSource;
import io.connpool.ServerAddress;
import io.connpool.ServerSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.discovery.DiscoveryClient;
import org.springframework.cloud.client.discovery.event.HeartbeatEvent;
import org.springframework.context.ApplicationListener;

/**
 * Servers from Spring Cloud's {@link DiscoveryClient}: each pool with {@code discovery.service-id} gets a
 * {@linkplain ServerSource#polling polling source} of {@code getInstances(serviceId)} (run on the pool's own
 * background threads), refreshed at its {@code discovery.refresh-interval} and at every {@link HeartbeatEvent}
 * (which Kubernetes, Consul and Eureka clients publish when their catalog changes). Also counts the instances
 * of this application ({@code spring.application.name}) for {@code max-rps-fleet}: the existing discovery
 * system is the coordination, no store of its own.
 */
final class DiscoveryServers implements PoolDiscovery, ApplicationListener<HeartbeatEvent>, DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(DiscoveryServers.class);

    private final ObjectProvider<DiscoveryClient> clients;
    private final String applicationName;
    private final Duration fleetRefreshInterval;
    /** The source of each pool's current build: a rebuilt pool replaces its entry. */
    private final Map<String, PollingServerSource> sources = new ConcurrentHashMap<>();
    private final List<Share> shares = new CopyOnWriteArrayList<>();
    private final ReentrantLock fleetLock = new ReentrantLock();
    /**
     * Counts this application's instances; started with the first share. Written under {@link #fleetLock},
     * read by heartbeats without it.
     */
    private volatile PollingServerSource fleet;
    private volatile int instances = 1;

    DiscoveryServers(ObjectProvider<DiscoveryClient> clients, String applicationName, Duration fleetRefreshInterval) {
        this.clients = clients;
        this.applicationName = applicationName;
        this.fleetRefreshInterval = fleetRefreshInterval;
    }

    @Override
    public ServerSource servers(String pool, String serviceId, Duration refreshInterval) {
        PollingServerSource source = ServerSource.polling(serviceId, refreshInterval, () -> instances(serviceId));
        sources.put(pool, source);
        return source;
    }

    /** The service's instances as servers; an instance without a usable port is left out, with a warning. */
    private List<ServerAddress> instances(String serviceId) {
        DiscoveryClient client = clients.getIfAvailable();
        if (client == null) {
            throw new IllegalStateException("there is no DiscoveryClient bean to ask for the instances of '"
                    + serviceId + "'; add a Spring Cloud discovery client (Kubernetes, Consul, Eureka, simple)");
        }
        List<ServiceInstance> found = client.getInstances(serviceId);
        List<ServerAddress> servers = new ArrayList<>(found.size());
        for (ServiceInstance instance : found) {
            try {
                servers.add(new ServerAddress(instance.getHost(), instance.getPort()));
            }
            catch (IllegalArgumentException | NullPointerException ex) {
                log.warn("Instance {} of service '{}' ({}:{}) is left out: {}", instance.getInstanceId(), serviceId,
                        instance.getHost(), instance.getPort(), ex.getMessage());
            }
        }
        return servers;
    }

    @Override
    public FleetShare fleetShare(String pool, int maxRpsFleet) {
        Share share = new Share(pool, maxRpsFleet);
        fleetLock.lock();
        try {
            if (fleet == null) {
                fleet = ServerSource.polling(applicationName, fleetRefreshInterval, () -> instances(applicationName));
                fleet.start(list -> counted(list.size())); // the first count now, so the first build has it
            }
        }
        finally {
            fleetLock.unlock();
        }
        shares.add(share);
        return share;
    }

    private void counted(int found) {
        int now = Math.max(1, found);
        int before = instances;
        instances = now;
        if (now != before) {
            log.info("{} instance(s) of '{}' reported by discovery (was {}): the pools with max-rps-fleet share their"
                    + " limit {} ways", now, applicationName, before, now);
            shares.forEach(Share::changed);
        }
    }

    /** A catalog changed (or a discovery client's periodic beat): look everything up again, in the background. */
    @Override
    public void onApplicationEvent(HeartbeatEvent event) {
        sources.values().forEach(PollingServerSource::refresh);
        PollingServerSource counter = fleet;
        if (counter != null) {
            counter.refresh();
        }
    }

    @Override
    public void destroy() {
        fleetLock.lock();
        try {
            if (fleet != null) {
                fleet.close();
            }
        }
        finally {
            fleetLock.unlock();
        }
    }

    private final class Share implements FleetShare {

        private final String pool;
        private final int maxRpsFleet;
        private volatile ConnPool following;

        Share(String pool, int maxRpsFleet) {
            this.pool = pool;
            this.maxRpsFleet = maxRpsFleet;
        }

        @Override
        public int maxRps() {
            return Math.max(1, maxRpsFleet / instances);
        }

        @Override
        public void follow(ConnPool connPool) {
            following = connPool;
        }

        void changed() {
            ConnPool connPool = following;
            int maxRps = maxRps();
            log.info("Pool '{}': max-rps {} per server, its share of max-rps-fleet {} over {} instance(s)", pool, maxRps,
                    maxRpsFleet, instances);
            if (connPool != null && !connPool.isClosed()) {
                connPool.changeMaxRps(maxRps);
            }
        }
    }
}
