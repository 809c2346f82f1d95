package io.connpool.autoconfigure;

import io.connpool.ConnPool;
import io.connpool.Dialer;
import io.connpool.InvalidOptionException;
import io.connpool.ServerAddress;
import io.connpool.TlsDialer;
import io.connpool.autoconfigure.observation.ConnPoolObservationConvention;
import io.micrometer.observation.ObservationRegistry;
import java.io.IOException;
import java.net.Socket;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.ssl.NoSuchSslBundleException;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.boot.ssl.SslOptions;
import org.springframework.core.env.Environment;

/**
 * Builds each auto-configured pool: properties (inherited key by key), servers from
 * {@link ConnPoolConnectionDetails}, dialer (TLS or the user's, observed when observations are on), then
 * customizers; validated by the core's builder before anything dials. Each pool is resolved once; its
 * recipe is kept so that the pool can be built again after a context restart.
 */
final class ConnPoolFactory {

    private static final Logger log = LoggerFactory.getLogger(ConnPoolFactory.class);

    private final ConnPoolProperties properties;
    private final ConnPoolConnectionDetails connectionDetails;
    private final Environment environment;
    private final ObjectProvider<SslBundles> sslBundles;
    private final ObjectProvider<Dialer> dialers;
    private final ObjectProvider<ConnPoolBuilderCustomizer> customizers;
    private final ObservationRegistry observationRegistry;
    private final ConnPoolObservationConvention observationConvention;
    private final ObjectProvider<PoolDiscovery> discovery;

    ConnPoolFactory(ConnPoolProperties properties, ConnPoolConnectionDetails connectionDetails, Environment environment,
            ObjectProvider<SslBundles> sslBundles, ObjectProvider<Dialer> dialers,
            ObjectProvider<ConnPoolBuilderCustomizer> customizers, ObjectProvider<ObservationRegistry> observationRegistry,
            ObjectProvider<ConnPoolObservationConvention> observationConvention, ObjectProvider<PoolDiscovery> discovery) {
        this.properties = properties;
        this.connectionDetails = connectionDetails;
        this.environment = environment;
        this.sslBundles = sslBundles;
        this.dialers = dialers;
        this.customizers = customizers;
        ObservationRegistry registry = observationRegistry.getIfUnique();
        this.observationRegistry = registry != null && !registry.isNoop() ? registry : null;
        this.observationConvention = observationConvention.getIfUnique();
        this.discovery = discovery;
    }

    ConnPool create(String name) {
        properties.checkPoolNames();
        PoolSettings settings = PoolSettings.resolve(properties, name);
        List<String> servers = connectionDetails.servers(name);
        boolean fromDetails = !(connectionDetails instanceof PropertiesConnPoolConnectionDetails) && servers != null
                && !servers.isEmpty();
        List<String> effectiveServers = fromDetails ? List.copyOf(servers)
                : settings.effective.getServers() != null ? settings.effective.getServers() : List.of();
        PoolObservations observations = observationRegistry != null
                ? new PoolObservations(observationRegistry, observationConvention, name) : null;
        SwappableDialer tls = settings.effective.getSsl().isOn() ? tls(settings) : null;
        Dialer dialer = tls != null ? tls : dialers.getIfUnique();
        if (observations != null) {
            dialer = observations.observing(dialer != null ? dialer : Dialer.tcp());
        }
        Dialer chosen = dialer;
        Supplier<io.connpool.ServerSource> discovered = fromDetails ? null : discoveredServers(settings);
        PoolDiscovery.FleetShare fleet = fleetShare(settings);
        Supplier<ConnPool.Builder> recipe = () -> {
            ConnPool.Builder builder = configure(settings, effectiveServers, chosen, discovered, fleet);
            customizers.orderedStream().forEach(customizer -> customizer.customize(settings.name, builder));
            return builder;
        };
        ConnPool.Builder first;
        try {
            first = recipe.get().validate();
        }
        catch (InvalidOptionException ex) {
            if (fromDetails && ex.option().equals("servers")) {
                throw new IllegalStateException("Pool '" + name + "': the servers " + effectiveServers + " given by "
                        + connectionDetails + " (a ConnPoolConnectionDetails bean) are invalid: " + ex.getMessage()
                        + ". Fix what that bean answers for pool '" + name + "'.", ex);
            }
            throw settings.translate(ex, environment);
        }
        AutoConfiguredConnPool pool = new AutoConfiguredConnPool(name, first, recipe, observations);
        if (fleet != null) {
            fleet.follow(pool);
        }
        if (tls != null && settings.effective.getSsl().getBundle() != null) {
            watchBundle(settings, pool, tls);
        }
        return pool;
    }

    private static ConnPool.Builder configure(PoolSettings settings, List<String> servers, Dialer dialer,
            Supplier<io.connpool.ServerSource> discovered, PoolDiscovery.FleetShare fleet) {
        ConnPool.Builder builder = ConnPool.builder();
        settings.applyTo(builder);
        if (discovered != null) {
            builder.serverSource(discovered.get()); // a new source for each build: a source serves one pool
        }
        else if (!servers.isEmpty()) {
            builder.servers(servers.toArray(String[]::new));
        }
        if (fleet != null) {
            builder.maxRps(fleet.maxRps());
        }
        if (dialer != null) {
            builder.dialer(dialer);
        }
        return builder;
    }

    private Supplier<io.connpool.ServerSource> discoveredServers(PoolSettings settings) {
        String serviceId = settings.effective.getDiscovery().getServiceId();
        if (serviceId == null || serviceId.isBlank()) {
            return null;
        }
        String property = settings.property("discovery.serviceId");
        List<String> servers = settings.effective.getServers();
        if (servers != null && !servers.isEmpty()) {
            throw new ConnPoolConfigurationException(property, serviceId, origin(property),
                    "pool '" + settings.name + "' lists its servers (" + settings.property("servers") + ") and takes"
                            + " them from discovery too",
                    "Remove " + settings.property("servers") + " or " + property + ": the servers come from one"
                            + " place.");
        }
        PoolDiscovery found = discovery.getIfAvailable();
        if (found == null) {
            throw new ConnPoolConfigurationException(property, serviceId, origin(property),
                    "pool '" + settings.name + "' takes its servers from Spring Cloud discovery, but"
                            + " spring-cloud-commons is not on the class path",
                    "Add a Spring Cloud discovery client (spring-cloud-starter-kubernetes-client,"
                            + " spring-cloud-starter-consul-discovery, spring-cloud-starter-netflix-eureka-client, or"
                            + " spring-cloud-commons for its simple discovery client), or list the servers under "
                            + settings.property("servers") + ".");
        }
        java.time.Duration interval = ConnPoolDiscoveryAutoConfiguration.refreshInterval(settings.effective.getDiscovery());
        if (interval.isNegative() || interval.isZero()) {
            String intervalProperty = settings.property("discovery.refreshInterval");
            throw new ConnPoolConfigurationException(intervalProperty, interval, origin(intervalProperty),
                    "the refresh interval of pool '" + settings.name + "' must be positive",
                    "Change " + intervalProperty + " to a duration such as 10s or 1m.");
        }
        return () -> found.servers(settings.name, serviceId, interval);
    }

    private PoolDiscovery.FleetShare fleetShare(PoolSettings settings) {
        Integer fleet = settings.effective.getMaxRpsFleet();
        if (fleet == null) {
            return null;
        }
        String property = settings.property("maxRpsFleet");
        if (fleet < 1) {
            throw new ConnPoolConfigurationException(property, fleet, origin(property),
                    "max-rps-fleet must be positive, was " + fleet,
                    "Change " + property + " to the most acquires per second each server may serve from all instances"
                            + " of this application together, or remove it.");
        }
        String maxRps = settings.property("maxRps");
        if (settings.effective.getMaxRps() != null) {
            if (prefix(maxRps).equals(prefix(property))) {
                throw new ConnPoolConfigurationException(property, fleet, origin(property),
                        "pool '" + settings.name + "' sets both " + maxRps + " and " + property,
                        "Remove one: max-rps is each instance's own limit, max-rps-fleet the limit of all instances"
                                + " together.");
            }
            if (prefix(maxRps).length() > prefix(property).length()) {
                return null; // the pool's own max-rps beats the inherited max-rps-fleet
            }
        }
        PoolDiscovery found = discovery.getIfAvailable();
        if (found == null) {
            throw new ConnPoolConfigurationException(property, fleet, origin(property),
                    "max-rps-fleet divides the limit by the instances of this application that Spring Cloud"
                            + " discovery reports, but spring-cloud-commons is not on the class path",
                    "Add a Spring Cloud discovery client, or set " + maxRps + " (each instance's own limit) instead.");
        }
        String application = environment.getProperty("spring.application.name");
        if (application == null || application.isBlank()) {
            throw new ConnPoolConfigurationException(property, fleet, origin(property),
                    "max-rps-fleet counts the instances of spring.application.name, which is not set",
                    "Set spring.application.name to the name this application registers under in discovery.");
        }
        return found.fleetShare(settings.name, fleet);
    }

    /** {@code connpool} or {@code connpool.pools.<name>}: where a property is set. */
    private static String prefix(String property) {
        return property.substring(0, property.lastIndexOf('.'));
    }

    private SwappableDialer tls(PoolSettings settings) {
        Dialer userDialer = dialers.getIfUnique();
        if (userDialer != null) {
            String property = sslProperty(settings);
            throw new ConnPoolConfigurationException(property, settings.effective.getSsl().getBundle() != null
                    ? settings.effective.getSsl().getBundle() : true, origin(property),
                    "pool '" + settings.name + "' is configured for TLS, but a Dialer bean (" + userDialer
                            + ") replaces the pool's dialer, TLS included",
                    "Remove the Dialer bean or the TLS setting of pool '" + settings.name + "', or give the pool its"
                            + " dialer with a ConnPoolBuilderCustomizer that checks the pool name.");
        }
        return new SwappableDialer(tlsDialer(settings));
    }

    private static String sslProperty(PoolSettings settings) {
        return settings.property(settings.effective.getSsl().getBundle() != null ? "ssl.bundle" : "ssl.enabled");
    }

    private org.springframework.boot.origin.Origin origin(String property) {
        var winner = PoolSettings.winning(environment, property, null);
        return winner != null ? winner.getOrigin() : null;
    }

    private static boolean verifyHostname(PoolSettings settings) {
        Boolean verify = settings.effective.getSsl().getVerifyHostname();
        return verify == null || verify;
    }

    private TlsDialer tlsDialer(PoolSettings settings) {
        String bundle = settings.effective.getSsl().getBundle();
        if (bundle == null || bundle.isBlank()) {
            try {
                return Dialer.tls(SSLContext.getDefault()).withHostnameVerification(verifyHostname(settings));
            }
            catch (NoSuchAlgorithmException ex) {
                throw new IllegalStateException("The JVM has no default TLS context for pool '" + settings.name + "'",
                        ex);
            }
        }
        return tlsDialer(bundle(settings, bundle), verifyHostname(settings));
    }

    private SslBundle bundle(PoolSettings settings, String name) {
        String property = sslProperty(settings);
        SslBundles bundles = sslBundles.getIfAvailable();
        if (bundles == null) {
            throw new ConnPoolConfigurationException(property, name, origin(property),
                    "SSL bundles are not available in this application context",
                    "Let Spring Boot's SslAutoConfiguration run (do not exclude it) or remove "
                            + property + ".");
        }
        try {
            return bundles.getBundle(name);
        }
        catch (NoSuchSslBundleException ex) {
            throw new ConnPoolConfigurationException(property, name, origin(property),
                    "no SSL bundle named '" + name + "' is configured (configured bundles: "
                            + bundles.getBundleNames() + ")",
                    "Define the bundle under spring.ssl.bundle.pem." + name + " or spring.ssl.bundle.jks."
                            + name + ", or set " + property + " to one of "
                            + bundles.getBundleNames() + ".", ex);
        }
    }

    private static TlsDialer tlsDialer(SslBundle bundle, boolean verifyHostname) {
        SslOptions options = bundle.getOptions();
        return Dialer.tls(bundle.createSslContext())
                .withProtocols(list(options.getEnabledProtocols()))
                .withCiphers(list(options.getCiphers()))
                .withHostnameVerification(verifyHostname);
    }

    /** A reloaded bundle (new certificates) applies to new connections; existing ones are replaced once. */
    private void watchBundle(PoolSettings settings, ConnPool pool, SwappableDialer dialer) {
        String name = settings.effective.getSsl().getBundle();
        sslBundles.getObject().addBundleUpdateHandler(name, bundle -> {
            dialer.delegate.set(tlsDialer(bundle, verifyHostname(settings)));
            pool.softEvict();
            log.info("Pool '{}' uses the reloaded SSL bundle '{}'; its connections are being replaced", pool.name(),
                    name);
        });
    }

    private static List<String> list(String[] values) {
        return values == null ? null : Arrays.asList(values);
    }

    /** Lets a bundle reload replace the TLS dialer of a pool that is already built. */
    static final class SwappableDialer implements Dialer {

        final AtomicReference<Dialer> delegate;

        SwappableDialer(Dialer initial) {
            this.delegate = new AtomicReference<>(initial);
        }

        @Override
        public Socket dial(ServerAddress server, Duration timeout) throws IOException {
            return delegate.get().dial(server, timeout);
        }

        @Override
        public Socket dial(ServerAddress server, java.net.InetAddress address, Duration timeout) throws IOException {
            return delegate.get().dial(server, address, timeout);
        }

        @Override
        public String toString() {
            return delegate.get().toString();
        }
    }
}
