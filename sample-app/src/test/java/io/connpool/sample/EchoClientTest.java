package io.connpool.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.connpool.ConnPool;
import io.connpool.test.MockTcpServer;
import java.io.IOException;
import java.net.ProtocolException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The sample's {@link EchoClient}, the application's own client bean, in a real Spring Boot context whose pool
 * points at a {@link MockTcpServer} through {@code connpool.servers} (the README's "Test your client"
 * example): its reply parsing, and what it does when the server closes, hangs or answers garbage. Each
 * exception is the one {@link ApiErrors} maps to an HTTP status.
 */
@SpringBootTest(properties = {
        "connpool.read-timeout=500ms",        // a server that never answers fails the call in half a second
        "connpool.validation-interval=10m"})  // an idle connection is lent as it is, not checked first
@DirtiesContext // the context's pool points at this class's server, closed after the class
class EchoClientTest {

    static final MockTcpServer server = MockTcpServer.start();

    @DynamicPropertySource
    static void poolPointsAtTheMockServer(DynamicPropertyRegistry registry) {
        registry.add("connpool.servers", server::address);
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @Autowired
    EchoClient client;

    @Autowired
    ConnPool pool;

    /** Every test starts from a server that serves, and the warm connection the pool keeps (min idle) idle. */
    @BeforeEach
    void aServingServerAndAWarmIdleConnection() {
        server.fault(MockTcpServer.Fault.NONE);
        server.handler(line -> "OK mock " + line.substring("ECHO ".length()));
        await().atMost(Duration.ofSeconds(10)).until(() -> pool.stats().idle() >= 1);
    }

    @Test
    void echoIsSentToTheServerAndItsReplyParsed() throws IOException {
        EchoClient.Echo echo = client.echo("hello");

        assertThat(echo.reply()).isEqualTo("hello");
        assertThat(echo.serverName()).isEqualTo("mock");
        assertThat(echo.server()).isEqualTo(server.address());
        assertThat(server.<String>requests()).contains("ECHO hello");
    }

    @Test
    void anEchoOnAConnectionTheServerClosedWhileIdleIsRetriedOnceAndServed() throws IOException {
        server.closeConnections(); // as a server that drops idle connections: the pool's warm one is dead now
        int before = server.requests().size();

        assertThat(client.echo("after").reply()).as("no error for the caller").isEqualTo("after");
        assertThat(requestsSince(before)).as("the dead connection's request never arrived").containsExactly(
                "ECHO after");
    }

    @Test
    void aServerThatClosesWithoutAnsweringIsRetriedOnceThenReported() {
        server.fault(MockTcpServer.Fault.CLOSE);
        int before = server.requests().size();

        assertThatThrownBy(() -> client.echo("lost")).isInstanceOf(IOException.class) // HTTP 502
                .hasMessageContaining("failed on a reused connection to " + server.address() + " before any reply")
                .hasMessageContaining("and again when retried once")
                .hasMessageContaining("closed the connection before sending a line frame");
        assertThat(server.<String>requests().subList(before, server.requests().size()))
                .as("echo is idempotent: one retry, on a new or just checked connection")
                .containsExactly("ECHO lost", "ECHO lost");
        assertThat(server.errors()).isEmpty();
    }

    @Test
    void aGarbledReplyIsAProtocolErrorNeverRetriedAndItsConnectionIsDiscarded() {
        server.handler(line -> "WHAT?");
        int before = server.requests().size();
        long closedBefore = pool.stats().closed();

        assertThatThrownBy(() -> client.echo("hi")).isInstanceOf(ProtocolException.class) // HTTP 502
                .hasMessage("Unexpected reply from " + server.address() + ": 'WHAT?'");
        assertThat(requestsSince(before)).as("a reply arrived: never sent twice").containsExactly("ECHO hi");
        assertThat(pool.stats().closed()).as("the connection out of step is closed, not reused")
                .isEqualTo(closedBefore + 1);
    }

    @Test
    void aServerThatNeverAnswersFailsTheCallAtTheReadTimeoutWithoutARetry() {
        server.fault(MockTcpServer.Fault.HANG);
        int before = server.requests().size();
        long start = System.nanoTime();

        assertThatThrownBy(() -> client.echo("anyone?")).isInstanceOf(SocketTimeoutException.class); // HTTP 502
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("read-timeout 500 ms, not more than one")
                .isBetween(Duration.ofMillis(450), Duration.ofSeconds(5));
        assertThat(requestsSince(before)).as("a timeout is never retried: the server may be at work on it")
                .containsExactly("ECHO anyone?");
    }

    @Test
    void aMultiLineTextIsRefusedBeforeAnythingIsSent() {
        int before = server.requests().size();

        assertThatThrownBy(() -> client.echo("two\nlines")).isInstanceOf(IllegalArgumentException.class) // HTTP 400
                .hasMessageContaining("single line");
        assertThat(requestsSince(before)).isEmpty();
    }

    /** The requests the server read since it had read {@code before} of them. */
    private List<String> requestsSince(int before) {
        List<String> all = server.requests();
        return all.subList(before, all.size());
    }
}
