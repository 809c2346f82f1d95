package io.connpool;

import static io.connpool.testing.PoolFixture.addressOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.connpool.test.MockTcpServer;
import io.connpool.testing.NamedEcho;
import io.connpool.testing.PoolFixture;
import io.connpool.testing.TestCertificates;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The check of an idle connection: a dead peer or stray bytes are found, a healthy connection is left as
 * it was. For TLS the raw channel under the SSLSocket must never be read (its bytes are TLS records: a
 * session ticket is not "unexpected data", and a swallowed byte breaks the next record).
 */
class LivenessCheckTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    static Path certificates;
    private static TestCertificates tls;

    private MockTcpServer server;

    @BeforeAll
    static void certificates() {
        tls = TestCertificates.generate(certificates);
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private Socket tlsConnection() throws Exception {
        server = NamedEcho.startTls("tls", tls.serverContext());
        return Dialer.tls(tls.clientContext()).withHostnameVerification(false).dial(addressOf(server),
                Duration.ofSeconds(5));
    }

    private static String call(Socket socket, String line) throws Exception {
        socket.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
        return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8)).readLine();
    }

    @Test
    void anIdleTlsConnectionIsHealthyAndStillWorksAfterBeingChecked() throws Exception {
        try (Socket socket = tlsConnection()) {
            assertThat(call(socket, "one")).isEqualTo("tls:one"); // TLS 1.3 session tickets arrive around now
            for (int i = 0; i < 5; i++) {
                assertThat(LivenessCheck.problem(socket)).as("check %d", i).isNull();
            }
            assertThat(call(socket, "two")).as("nothing of the TLS stream was swallowed").isEqualTo("tls:two");
        }
    }

    /**
     * TLS 1.3 servers send session tickets after the handshake: on a connection borrowed and returned without
     * a read (a dial-free borrow), they wait in the socket. They are TLS, not unexpected data.
     */
    @Test
    void sessionTicketsWaitingOnAnUnreadTlsConnectionAreNotUnexpectedBytes() throws Exception {
        try (Socket socket = tlsConnection()) {
            await().atMost(WAIT).until(() -> bytesWaiting(socket.getChannel()));
            assertThat(LivenessCheck.problem(socket)).isNull();
            assertThat(call(socket, "first")).isEqualTo("tls:first");
        }
    }

    /** Asks a selector, so that nothing is read. */
    private static boolean bytesWaiting(java.nio.channels.SocketChannel channel) throws Exception {
        try (java.nio.channels.Selector selector = java.nio.channels.Selector.open()) {
            channel.configureBlocking(false);
            java.nio.channels.SelectionKey key = channel.register(selector, java.nio.channels.SelectionKey.OP_READ);
            boolean ready = selector.selectNow() > 0 && key.isReadable();
            key.cancel();
            selector.selectNow();
            channel.configureBlocking(true);
            return ready;
        }
    }

    @Test
    void checkingAQuietTlsConnectionDoesNotWaitForATimedRead() throws Exception {
        try (Socket socket = tlsConnection()) {
            call(socket, "warm");
            LivenessCheck.problem(socket); // takes in whatever the handshake left
            long start = System.nanoTime();
            for (int i = 0; i < 200; i++) {
                assertThat(LivenessCheck.problem(socket)).isNull();
            }
            // a timed read waits at least its 1 ms each: 200 of them could not finish in this
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(150));
            assertThat(call(socket, "after")).isEqualTo("tls:after");
        }
    }

    @Test
    void aTlsConnectionTheServerClosedIsFound() throws Exception {
        try (Socket socket = tlsConnection()) {
            call(socket, "one");
            server.closeConnections();
            await().atMost(WAIT).until(() -> LivenessCheck.problem(socket) != null);
            assertThat(LivenessCheck.problem(socket)).isIn("closed by the server", "socket closed")
                    .as("or an SSL close message");
        }
    }

    @Test
    void aPlainConnectionWithStrayBytesOrClosedByThePeerIsFound() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            ServerAddress address = new ServerAddress("127.0.0.1", listener.getLocalPort());
            try (Socket client = Dialer.tcp().dial(address, Duration.ofSeconds(5));
                    Socket peer = listener.accept()) {
                assertThat(LivenessCheck.problem(client)).isNull();
                OutputStream out = peer.getOutputStream();
                out.write('x'); // nobody asked for it: it would be read as the next reply
                out.flush();
                await().atMost(WAIT).until(() -> "unexpected bytes from the server".equals(
                        LivenessCheck.problem(client)));
            }
            try (Socket client = Dialer.tcp().dial(address, Duration.ofSeconds(5))) {
                listener.accept().close();
                await().atMost(WAIT).until(() -> "closed by the server".equals(LivenessCheck.problem(client)));
            }
        }
    }
}
