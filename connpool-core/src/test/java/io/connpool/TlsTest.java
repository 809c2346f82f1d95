package io.connpool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.connpool.test.MockTcpServer;
import io.connpool.testing.LineClient;
import io.connpool.testing.PoolFixture;
import io.connpool.testing.TestCertificates;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class TlsTest {

    @TempDir
    static Path certificates;

    /** For localhost and 127.0.0.1. */
    static TestCertificates right;
    /** For a name the tests never dial. */
    static TestCertificates wrong;

    @RegisterExtension
    final PoolFixture fixture = new PoolFixture();

    @BeforeAll
    static void generate() {
        right = TestCertificates.generate(certificates);
        wrong = TestCertificates.generate(certificates, "other.example", "dns:other.example");
    }

    private ConnPool pool(String server, Dialer dialer) {
        return fixture.pool(ConnPool.builder().name(fixture.testName()).servers(server).dialer(dialer)
                .minIdlePerServer(0).validationInterval(Duration.ZERO));
    }

    @Test
    void thePoolWorksOverTlsWhenTheCertificateNamesTheServer() throws Exception {
        MockTcpServer server = fixture.tlsServer("tls", right.serverContext());
        for (String address : new String[] {"localhost:" + server.port(), server.address()}) {
            ConnPool pool = pool(address, Dialer.tls(right.clientContext()));
            try (PooledConnection c = pool.acquire()) {
                assertThat(c.socket()).isInstanceOf(SSLSocket.class);
                assertThat(((SSLSocket) c.socket()).getSession().getProtocol()).startsWith("TLS");
                assertThat(LineClient.call(c, "secret")).isEqualTo("tls:secret");
            }
            try (PooledConnection c = pool.acquire()) {
                assertThat(LineClient.call(c, "reused")).isEqualTo("tls:reused");
            }
            pool.close();
        }
        assertThat(server.acceptedConnections()).isEqualTo(2);
    }

    @Test
    void hostnameVerificationRejectsACertificateForAnotherName() {
        MockTcpServer server = fixture.tlsServer("tls", wrong.serverContext());
        ConnPool pool = pool("localhost:" + server.port(), Dialer.tls(wrong.clientContext()));

        assertThatThrownBy(pool::tryAcquire)
                .isInstanceOf(NoServerAvailableException.class)
                .hasMessageContaining("localhost:" + server.port() + " is DOWN")
                .hasMessageContaining("SSLHandshakeException")
                .hasMessageContaining("No subject alternative DNS name matching localhost");
    }

    @Test
    void hostnameVerificationRejectsACertificateWithoutTheDialedIp() {
        MockTcpServer server = fixture.tlsServer("tls", wrong.serverContext());
        ConnPool pool = pool(server.address(), Dialer.tls(wrong.clientContext()));

        assertThatThrownBy(pool::tryAcquire)
                .isInstanceOf(NoServerAvailableException.class)
                .hasMessageContaining(server.address())
                .hasMessageContaining("127.0.0.1")
                .hasMessageContaining("SSLHandshakeException");
    }

    @Test
    void withoutHostnameVerificationTheWrongNameIsAccepted() throws Exception {
        MockTcpServer server = fixture.tlsServer("tls", wrong.serverContext());
        ConnPool pool = pool("localhost:" + server.port(),
                Dialer.tls(wrong.clientContext()).withHostnameVerification(false));

        try (PooledConnection c = pool.acquire()) {
            assertThat(LineClient.call(c, "hi")).isEqualTo("tls:hi");
        }
    }

    @Test
    void anUntrustedCertificateIsRejectedEvenWithoutHostnameVerification() {
        MockTcpServer server = fixture.tlsServer("tls", wrong.serverContext());
        ConnPool pool = pool("localhost:" + server.port(),
                Dialer.tls(right.clientContext()).withHostnameVerification(false));

        assertThatThrownBy(pool::tryAcquire)
                .isInstanceOf(NoServerAvailableException.class)
                .hasMessageContaining("SSLHandshakeException")
                .hasMessageContaining("PKIX");
    }

    @Test
    void theHandshakeCountsAgainstTheDialTimeout() {
        // accepts the TCP connect, never answers the ClientHello
        MockTcpServer silent = fixture.server("silent").fault(MockTcpServer.Fault.HANG);
        ConnPool pool = fixture.pool(ConnPool.builder().name(fixture.testName()).servers(silent.address())
                .dialer(Dialer.tls(right.clientContext())).dialTimeout(Duration.ofMillis(500)).minIdlePerServer(0));

        long start = System.nanoTime();
        assertThatThrownBy(pool::tryAcquire)
                .isInstanceOf(NoServerAvailableException.class)
                .hasMessageContaining(silent.address())
                .hasMessageContaining("timed out");
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isBetween(450L, 3_500L);
    }

    @Test
    void anIdleTlsConnectionTheServerClosedIsNeverHandedOut() throws Exception {
        MockTcpServer server = fixture.tlsServer("tls", right.serverContext());
        ConnPool pool = pool("localhost:" + server.port(), Dialer.tls(right.clientContext()));
        Socket first;
        try (PooledConnection c = pool.acquire()) {
            first = c.socket();
            assertThat(LineClient.call(c, "one")).isEqualTo("tls:one");
        }
        server.closeConnections();
        await().until(() -> server.openConnections() == 0);

        try (PooledConnection c = pool.acquire()) {
            assertThat(c.socket()).isNotSameAs(first);
            assertThat(LineClient.call(c, "two")).isEqualTo("tls:two");
        }
    }
}
