package io.connpool.autoconfigure;

import java.time.Duration;
import java.util.List;

/**
 * The keys of one pool: the top level of {@code connpool.*} ({@link ConnPoolProperties}) and each
 * {@code connpool.pools.<name>.*} have this shape. A key left unset is {@code null}: a named pool then
 * inherits the top-level value, key by key (nested keys such as {@code ssl.bundle} too), and a key unset
 * everywhere takes the core library's default ({@link io.connpool.ConnPool.Builder}), which also validates
 * every value. {@code servers} and {@code discovery.service-id} are not inherited: each named pool lists its
 * own servers or names its own service.
 */
public class PoolProperties {

    /** Servers of the pool, as host:port or [ipv6]:port; a host name stands for every address it resolves to. */
    private List<String> servers;

    /**
     * How often the host names of servers are looked up again; each name is a server per address it resolves to
     * (a Kubernetes headless service: one per pod). 0 resolves each name at each dial, to its first address. The
     * JVM caches lookups too, for networkaddress.cache.ttl (30 s by default): keep that below this interval.
     */
    private Duration dnsRefreshInterval;

    /** How a borrow picks the server it tries first: round-robin, or least-loaded (fewest borrowed connections of two picked at random, then the quicker). */
    private BalancerType balancer;

    /** Longest a dial may take, TLS handshake included. */
    private Duration dialTimeout;

    /** Longest a read through a borrowed connection's input may block before it fails and the connection is closed; 0 waits forever. */
    private Duration readTimeout;

    /** First backoff after a failed dial; doubles up to retry-max, with jitter. */
    private Duration retryMin;

    /** Longest backoff between probes of a down server. */
    private Duration retryMax;

    /** Most acquires per second each server may serve; 0 means unlimited. */
    private Integer maxRps;

    /**
     * Most acquires per second each server may serve from all instances of this application together: each
     * instance takes this divided by the number of instances of spring.application.name that Spring Cloud
     * discovery reports (at least 1 each), adjusted when that number changes. Instead of max-rps.
     */
    private Integer maxRpsFleet;

    /** Most connections open to each server, borrowed and idle together. */
    private Integer maxConnectionsPerServer;

    /** Idle connections kept open to each server that is not down, dialed in the background. */
    private Integer minIdlePerServer;

    /** How long acquire() waits for a connection. */
    private Duration acquireTimeout;

    /**
     * How long a connection above min-idle-per-server may stay idle before it is closed (up to a second late,
     * never early); 0 never closes it.
     */
    private Duration idleTimeout;

    /** Longest a connection lives, each a few percent shorter at random; 0 means no limit. */
    private Duration maxLifetime;

    /**
     * How long a connection may go unborrowed, counted from the start of its last borrow, before it is checked on
     * borrow; 0 checks on every borrow.
     */
    private Duration validationInterval;

    /** How long a connection may be borrowed before a warning with the borrower's stack trace is logged; 0 is off. */
    private Duration leakDetectionThreshold;

    /** Consecutive connections of a server broken by I/O errors that mark it down; 0 never ejects. */
    private Integer ejectAfterFailures;

    private final Ssl ssl = new Ssl();

    private final Discovery discovery = new Discovery();

    public List<String> getServers() {
        return servers;
    }

    public void setServers(List<String> servers) {
        this.servers = servers;
    }

    public Duration getDnsRefreshInterval() {
        return dnsRefreshInterval;
    }

    public void setDnsRefreshInterval(Duration dnsRefreshInterval) {
        this.dnsRefreshInterval = dnsRefreshInterval;
    }

    public BalancerType getBalancer() {
        return balancer;
    }

    public void setBalancer(BalancerType balancer) {
        this.balancer = balancer;
    }

    public Integer getMaxRpsFleet() {
        return maxRpsFleet;
    }

    public void setMaxRpsFleet(Integer maxRpsFleet) {
        this.maxRpsFleet = maxRpsFleet;
    }

    public Discovery getDiscovery() {
        return discovery;
    }

    public Duration getDialTimeout() {
        return dialTimeout;
    }

    public void setDialTimeout(Duration dialTimeout) {
        this.dialTimeout = dialTimeout;
    }

    public Duration getReadTimeout() {
        return readTimeout;
    }

    public void setReadTimeout(Duration readTimeout) {
        this.readTimeout = readTimeout;
    }

    public Duration getRetryMin() {
        return retryMin;
    }

    public void setRetryMin(Duration retryMin) {
        this.retryMin = retryMin;
    }

    public Duration getRetryMax() {
        return retryMax;
    }

    public void setRetryMax(Duration retryMax) {
        this.retryMax = retryMax;
    }

    public Integer getMaxRps() {
        return maxRps;
    }

    public void setMaxRps(Integer maxRps) {
        this.maxRps = maxRps;
    }

    public Integer getMaxConnectionsPerServer() {
        return maxConnectionsPerServer;
    }

    public void setMaxConnectionsPerServer(Integer maxConnectionsPerServer) {
        this.maxConnectionsPerServer = maxConnectionsPerServer;
    }

    public Integer getMinIdlePerServer() {
        return minIdlePerServer;
    }

    public void setMinIdlePerServer(Integer minIdlePerServer) {
        this.minIdlePerServer = minIdlePerServer;
    }

    public Duration getAcquireTimeout() {
        return acquireTimeout;
    }

    public void setAcquireTimeout(Duration acquireTimeout) {
        this.acquireTimeout = acquireTimeout;
    }

    public Duration getIdleTimeout() {
        return idleTimeout;
    }

    public void setIdleTimeout(Duration idleTimeout) {
        this.idleTimeout = idleTimeout;
    }

    public Duration getMaxLifetime() {
        return maxLifetime;
    }

    public void setMaxLifetime(Duration maxLifetime) {
        this.maxLifetime = maxLifetime;
    }

    public Duration getValidationInterval() {
        return validationInterval;
    }

    public void setValidationInterval(Duration validationInterval) {
        this.validationInterval = validationInterval;
    }

    public Duration getLeakDetectionThreshold() {
        return leakDetectionThreshold;
    }

    public void setLeakDetectionThreshold(Duration leakDetectionThreshold) {
        this.leakDetectionThreshold = leakDetectionThreshold;
    }

    public Integer getEjectAfterFailures() {
        return ejectAfterFailures;
    }

    public void setEjectAfterFailures(Integer ejectAfterFailures) {
        this.ejectAfterFailures = ejectAfterFailures;
    }

    public Ssl getSsl() {
        return ssl;
    }

    /** How a borrow picks the server it tries first ({@link io.connpool.Balancer}). */
    public enum BalancerType {

        /** Each borrow starts one server further: an even share for servers that answer alike. */
        ROUND_ROBIN,

        /** Of two servers picked at random, the one with fewer borrowed connections, or the quicker: slow servers get less. */
        LEAST_LOADED
    }

    /** Servers from Spring Cloud discovery (a DiscoveryClient: Kubernetes, Consul, Eureka, simple). */
    public static class Discovery {

        /** Service id whose instances, from Spring Cloud's DiscoveryClient, are the pool's servers; instead of servers. */
        private String serviceId;

        /** How often the instances are looked up again, besides at each HeartbeatEvent of the discovery client. */
        private Duration refreshInterval;

        public String getServiceId() {
            return serviceId;
        }

        public void setServiceId(String serviceId) {
            this.serviceId = serviceId;
        }

        public Duration getRefreshInterval() {
            return refreshInterval;
        }

        public void setRefreshInterval(Duration refreshInterval) {
            this.refreshInterval = refreshInterval;
        }
    }

    /** TLS of a pool; each key a named pool leaves unset inherits connpool.ssl.*. */
    public static class Ssl {

        /** Whether to use TLS; unset, TLS is on when a bundle is set. Without a bundle, the JVM's default trust store is used. */
        private Boolean enabled;

        /** Name of the SSL bundle (spring.ssl.bundle.*) holding the trust material, protocols and ciphers. */
        private String bundle;

        /** Whether to check that the server certificate names the host dialed. */
        private Boolean verifyHostname;

        public Boolean getEnabled() {
            return enabled;
        }

        public void setEnabled(Boolean enabled) {
            this.enabled = enabled;
        }

        public String getBundle() {
            return bundle;
        }

        public void setBundle(String bundle) {
            this.bundle = bundle;
        }

        public Boolean getVerifyHostname() {
            return verifyHostname;
        }

        public void setVerifyHostname(Boolean verifyHostname) {
            this.verifyHostname = verifyHostname;
        }

        /** Whether TLS is on: {@code enabled}, or a bundle set and TLS not turned off. */
        boolean isOn() {
            return enabled != null ? enabled : bundle != null && !bundle.isBlank();
        }
    }
}
