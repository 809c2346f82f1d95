package io.connpool.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.connpool.ConnPool;
import io.connpool.ConnPoolException;
import io.connpool.PooledConnection;
import io.connpool.test.MockTcpServer;
import io.connpool.testing.LineClient;
import io.connpool.testing.NamedEcho;
import io.connpool.testing.TestCertificates;
import java.nio.file.Path;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** TLS through Spring Boot SSL bundles, against a real TLS server on loopback. */
class ConnPoolSslTests {

    @TempDir
    Path directory;

    private MockTcpServer server;

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class, ConnPoolAutoConfiguration.class))
            .withPropertyValues("connpool.min-idle-per-server=0");

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void pemBundleWithHostnameVerification() {
        TestCertificates certificates = TestCertificates.generate(directory);
        server = NamedEcho.startTls("tls", certificates.serverContext());
        Path trust = certificates.writeCertificatePem(directory.resolve("ca.pem"));
        runner.withPropertyValues("spring.ssl.bundle.pem.backend.truststore.certificate=file:" + trust,
                "spring.ssl.bundle.pem.backend.options.enabled-protocols=TLSv1.3",
                "connpool.servers=" + server.address(), "connpool.ssl.bundle=backend").run(context -> {
                    ConnPool pool = context.getBean(ConnPool.class);
                    try (PooledConnection connection = pool.acquire()) {
                        assertThat(connection.socket()).isInstanceOf(SSLSocket.class);
                        assertThat(((SSLSocket) connection.socket()).getSession().getProtocol()).isEqualTo("TLSv1.3");
                        assertThat(LineClient.call(connection, "secret")).isEqualTo("tls:secret");
                    }
                });
    }

    @Test
    void hostnameIsVerifiedUnlessDisabled() {
        // A certificate for another host: trusted, but it does not name 127.0.0.1.
        TestCertificates certificates = TestCertificates.generate(directory, "other.example", "dns:other.example");
        server = NamedEcho.startTls("tls", certificates.serverContext());
        Path trust = certificates.writeCertificatePem(directory.resolve("other.pem"));
        ApplicationContextRunner tls = runner.withPropertyValues(
                "spring.ssl.bundle.pem.backend.truststore.certificate=file:" + trust,
                "connpool.servers=" + server.address(), "connpool.ssl.bundle=backend");

        tls.run(context -> assertThatThrownBy(() -> context.getBean(ConnPool.class).tryAcquire().close())
                .isInstanceOf(ConnPoolException.class));

        tls.withPropertyValues("connpool.ssl.verify-hostname=false").run(context -> {
            try (PooledConnection connection = context.getBean(ConnPool.class).acquire()) {
                assertThat(LineClient.call(connection, "ok")).isEqualTo("tls:ok");
            }
        });
    }

    @Test
    void namedPoolHasItsOwnBundleAndTheDefaultPoolStaysPlain() {
        TestCertificates certificates = TestCertificates.generate(directory);
        server = NamedEcho.startTls("tls", certificates.serverContext());
        Path trust = certificates.writeCertificatePem(directory.resolve("ca.pem"));
        try (MockTcpServer plain = NamedEcho.start("plain")) {
            runner.withPropertyValues("spring.ssl.bundle.pem.backend.truststore.certificate=file:" + trust,
                    "connpool.servers=" + plain.address(), "connpool.pools.secure.servers=" + server.address(),
                    "connpool.pools.secure.ssl.bundle=backend").run(context -> {
                        ConnPools pools = context.getBean(ConnPools.class);
                        try (PooledConnection connection = pools.get("secure").acquire()) {
                            assertThat(connection.socket()).isInstanceOf(SSLSocket.class);
                            assertThat(LineClient.call(connection, "s")).isEqualTo("tls:s");
                        }
                        try (PooledConnection connection = pools.get("default").acquire()) {
                            assertThat(connection.socket()).isNotInstanceOf(SSLSocket.class);
                            assertThat(LineClient.call(connection, "p")).isEqualTo("plain:p");
                        }
                    });
        }
    }
}
