package io.connpool.autoconfigure;

import io.connpool.ConnPool;
import io.connpool.ServerSource;
import java.time.Duration;

/**
 * What Spring Cloud discovery gives the pools: servers for {@code discovery.service-id} and the number of
 * instances of this application for {@code max-rps-fleet}. An interface of this package so that
 * {@link ConnPoolFactory} never loads a Spring Cloud class; implemented by {@link DiscoveryServers}, present
 * only with spring-cloud-commons on the class path.
 */
interface PoolDiscovery {

    /** A new source of the service's instances, for one build of one pool (a source serves one pool). */
    ServerSource servers(String pool, String serviceId, Duration refreshInterval);

    /** The pool's share of a fleet-wide limit, kept up to date with the number of instances of this application. */
    FleetShare fleetShare(String pool, int maxRpsFleet);

    /** One pool's part of {@code max-rps-fleet}. */
    interface FleetShare {

        /** The per-server limit for this instance now: the fleet's limit divided by the instances, at least 1. */
        int maxRps();

        /** From now on, tells the pool each new share ({@link ConnPool#changeMaxRps}). */
        void follow(ConnPool pool);
    }
}
