package io.connpool.autoconfigure;

import io.connpool.ConnPool;
import io.connpool.Dialer;
import io.connpool.ServerAddress;
import io.connpool.TlsDialer;
import java.io.IOException;
import java.net.Socket;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.ssl.NoSuchSslBundleException;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.boot.ssl.SslOptions;

/** Builds each auto-configured pool: properties, then dialer (TLS or the user's), then customizers. */
final class ConnPoolFactory {

    private static final Logger log = LoggerFactory.getLogger(ConnPoolFactory.class);

    private final ConnPoolProperties properties;
    private final ObjectProvider<SslBundles> sslBundles;
    private final ObjectProvider<Dialer> dialers;
    private final ObjectProvider<ConnPoolBuilderCustomizer> customizers;

    ConnPoolFactory(ConnPoolProperties properties, ObjectProvider<SslBundles> sslBundles,
            ObjectProvider<Dialer> dialers, ObjectProvider<ConnPoolBuilderCustomizer> customizers) {
        this.properties = properties;
        this.sslBundles = sslBundles;
        this.dialers = dialers;
        this.customizers = customizers;
    }

    ConnPool create(String name) {
        PoolSettings settings = PoolSettings.resolve(properties, name);
        ConnPool.Builder builder = ConnPool.builder();
        settings.applyTo(builder);
        Dialer userDialer = dialers.getIfUnique();
        SwappableDialer tls = null;
        if (settings.sslEnabled) {
            if (userDialer != null) {
                throw new ConnPoolConfigurationException(settings.sslProperty,
                        settings.sslBundle != null ? settings.sslBundle : true,
                        "pool '" + name + "' is configured for TLS, but a Dialer bean (" + userDialer
                                + ") replaces the pool's dialer, TLS included",
                        "Remove the Dialer bean or the TLS setting of pool '" + name + "', or give the pool its"
                                + " dialer with a ConnPoolBuilderCustomizer that checks the pool name.");
            }
            tls = new SwappableDialer(tlsDialer(settings));
            builder.dialer(tls);
        }
        else if (userDialer != null) {
            builder.dialer(userDialer);
        }
        customizers.orderedStream().forEach(customizer -> customizer.customize(name, builder));
        ConnPool pool = builder.build();
        if (tls != null && settings.sslBundle != null) {
            watchBundle(settings, pool, tls);
        }
        return pool;
    }

    private TlsDialer tlsDialer(PoolSettings settings) {
        if (settings.sslBundle == null || settings.sslBundle.isBlank()) {
            try {
                return Dialer.tls(SSLContext.getDefault()).withHostnameVerification(settings.verifyHostname);
            }
            catch (NoSuchAlgorithmException ex) {
                throw new IllegalStateException("The JVM has no default TLS context for pool '" + settings.name + "'",
                        ex);
            }
        }
        return tlsDialer(bundle(settings), settings.verifyHostname);
    }

    private SslBundle bundle(PoolSettings settings) {
        SslBundles bundles = sslBundles.getIfAvailable();
        if (bundles == null) {
            throw new ConnPoolConfigurationException(settings.sslProperty, settings.sslBundle,
                    "SSL bundles are not available in this application context",
                    "Let Spring Boot's SslAutoConfiguration run (do not exclude it) or remove "
                            + settings.sslProperty + ".");
        }
        try {
            return bundles.getBundle(settings.sslBundle);
        }
        catch (NoSuchSslBundleException ex) {
            throw new ConnPoolConfigurationException(settings.sslProperty, settings.sslBundle,
                    "no SSL bundle named '" + settings.sslBundle + "' is configured (configured bundles: "
                            + bundles.getBundleNames() + ")",
                    "Define the bundle under spring.ssl.bundle.pem." + settings.sslBundle + " or spring.ssl.bundle.jks."
                            + settings.sslBundle + ", or set " + settings.sslProperty + " to one of "
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
        sslBundles.getObject().addBundleUpdateHandler(settings.sslBundle, bundle -> {
            dialer.delegate.set(tlsDialer(bundle, settings.verifyHostname));
            pool.softEvict();
            log.info("Pool '{}' uses the reloaded SSL bundle '{}'; its connections are being replaced", pool.name(),
                    settings.sslBundle);
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
        public String toString() {
            return delegate.get().toString();
        }
    }
}
