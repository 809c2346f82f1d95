package io.connpool.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.Errors;
import org.springframework.validation.Validator;

/**
 * Configuration of connpool's pools ({@code connpool.*}): the top-level keys configure the default pool and
 * are the values every named pool ({@code connpool.pools.<name>.*}) inherits for the keys it leaves unset.
 *
 * <p>Validates itself when bound: a bad value stops start-up with a report naming the property, the value
 * and the fix.
 */
@ConfigurationProperties("connpool")
public class ConnPoolProperties implements Validator {

    /** Servers of the default pool, as host:port or [ipv6]:port; the default pool exists only when set. */
    private List<String> servers = new ArrayList<>();

    /** Longest a dial may take, TLS handshake included. */
    private Duration dialTimeout = Duration.ofSeconds(2);

    /** Read timeout (SO_TIMEOUT) of every connection; 0 waits forever. */
    private Duration readTimeout = Duration.ofSeconds(30);

    /** First backoff after a failed dial; doubles up to retry-max, with jitter. */
    private Duration retryMin = Duration.ofSeconds(1);

    /** Longest backoff between probes of a down server. */
    private Duration retryMax = Duration.ofMinutes(1);

    /** Most acquires per second each server may serve; 0 means unlimited. */
    private int maxRps = 0;

    /** Most connections open to each server, borrowed and idle together. */
    private int maxConnectionsPerServer = 8;

    /** Idle connections kept open to each server that is not down, dialed in the background. */
    private int minIdlePerServer = 1;

    /** How long acquire() waits for a connection. */
    private Duration acquireTimeout = Duration.ofSeconds(5);

    /** How long a connection above min-idle-per-server may stay idle before it is closed; 0 never closes it. */
    private Duration idleTimeout = Duration.ofMinutes(10);

    /** Longest a connection lives, each a few percent shorter at random; 0 means no limit. */
    private Duration maxLifetime = Duration.ofMinutes(30);

    /** How long a connection may be idle before it is checked on borrow; 0 checks on every borrow. */
    private Duration validationInterval = Duration.ofMillis(500);

    /** How long a connection may be borrowed before a warning with the borrower's stack trace is logged; 0 is off. */
    private Duration leakDetectionThreshold = Duration.ofMillis(0);

    /** Consecutive connections of a server broken by I/O errors that mark it down; 0 never ejects. */
    private int ejectAfterFailures = 5;

    private final Ssl ssl = new Ssl();

    /** Named pools by name, each injectable with @Qualifier("name"); keys a pool leaves unset inherit the top-level values, except servers. */
    private Map<String, Pool> pools = new LinkedHashMap<>();

    public List<String> getServers() {
        return servers;
    }

    public void setServers(List<String> servers) {
        this.servers = servers;
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

    public int getMaxRps() {
        return maxRps;
    }

    public void setMaxRps(int maxRps) {
        this.maxRps = maxRps;
    }

    public int getMaxConnectionsPerServer() {
        return maxConnectionsPerServer;
    }

    public void setMaxConnectionsPerServer(int maxConnectionsPerServer) {
        this.maxConnectionsPerServer = maxConnectionsPerServer;
    }

    public int getMinIdlePerServer() {
        return minIdlePerServer;
    }

    public void setMinIdlePerServer(int minIdlePerServer) {
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

    public int getEjectAfterFailures() {
        return ejectAfterFailures;
    }

    public void setEjectAfterFailures(int ejectAfterFailures) {
        this.ejectAfterFailures = ejectAfterFailures;
    }

    public Ssl getSsl() {
        return ssl;
    }

    public Map<String, Pool> getPools() {
        return pools;
    }

    public void setPools(Map<String, Pool> pools) {
        this.pools = pools;
    }

    @Override
    public boolean supports(Class<?> type) {
        return ConnPoolProperties.class.isAssignableFrom(type);
    }

    /**
     * Resolves every configured pool and throws at the first bad value, so that start-up stops with
     * {@link ConnPoolFailureAnalyzer}'s report rather than a generic binding error.
     *
     * @throws ConnPoolConfigurationException naming the property, its value and the fix
     */
    @Override
    public void validate(Object target, Errors errors) {
        ConnPoolProperties properties = (ConnPoolProperties) target;
        if (properties.getServers() != null && !properties.getServers().isEmpty()) {
            PoolSettings.resolve(properties, PoolSettings.DEFAULT_POOL);
        }
        for (String name : properties.getPools().keySet()) {
            PoolSettings.resolve(properties, name);
        }
    }

    /** TLS of the default pool, inherited by named pools. */
    public static class Ssl {

        /** Whether to use TLS; implied by setting a bundle. Without a bundle, the JVM's default trust store is used. */
        private boolean enabled = false;

        /** Name of the SSL bundle (spring.ssl.bundle.*) holding the trust material, protocols and ciphers. */
        private String bundle;

        /** Whether to check that the server certificate names the host dialed. */
        private boolean verifyHostname = true;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public String getBundle() {
            return bundle;
        }

        public void setBundle(String bundle) {
            this.bundle = bundle;
        }

        public boolean isVerifyHostname() {
            return verifyHostname;
        }

        public void setVerifyHostname(boolean verifyHostname) {
            this.verifyHostname = verifyHostname;
        }
    }

    /**
     * One named pool. Every key left unset (null) inherits the top-level value, except {@code servers},
     * which each named pool must list.
     */
    public static class Pool {

        /** Servers of this pool, as host:port or [ipv6]:port; required. */
        private List<String> servers;

        /** Longest a dial may take, TLS handshake included. */
        private Duration dialTimeout;

        /** Read timeout (SO_TIMEOUT) of every connection; 0 waits forever. */
        private Duration readTimeout;

        /** First backoff after a failed dial. */
        private Duration retryMin;

        /** Longest backoff between probes of a down server. */
        private Duration retryMax;

        /** Most acquires per second each server may serve; 0 means unlimited. */
        private Integer maxRps;

        /** Most connections open to each server, borrowed and idle together. */
        private Integer maxConnectionsPerServer;

        /** Idle connections kept open to each server that is not down. */
        private Integer minIdlePerServer;

        /** How long acquire() waits for a connection. */
        private Duration acquireTimeout;

        /** How long a connection above min-idle-per-server may stay idle before it is closed; 0 never closes it. */
        private Duration idleTimeout;

        /** Longest a connection lives; 0 means no limit. */
        private Duration maxLifetime;

        /** How long a connection may be idle before it is checked on borrow; 0 checks on every borrow. */
        private Duration validationInterval;

        /** How long a connection may be borrowed before a leak warning is logged; 0 is off. */
        private Duration leakDetectionThreshold;

        /** Consecutive connections of a server broken by I/O errors that mark it down; 0 never ejects. */
        private Integer ejectAfterFailures;

        private final PoolSsl ssl = new PoolSsl();

        public List<String> getServers() {
            return servers;
        }

        public void setServers(List<String> servers) {
            this.servers = servers;
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

        public PoolSsl getSsl() {
            return ssl;
        }
    }

    /** TLS of one named pool; each key left unset inherits connpool.ssl.*. */
    public static class PoolSsl {

        /** Whether to use TLS; implied by setting a bundle. */
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
    }
}
