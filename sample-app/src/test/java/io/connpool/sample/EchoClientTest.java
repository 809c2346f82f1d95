package io.connpool.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.connpool.test.MockTcpServer;
import java.io.IOException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The README's "Test your client" example: the application's own client bean, in a real Spring Boot
 * context whose pool points at a {@link MockTcpServer} through {@code connpool.servers}.
 */
@SpringBootTest
@DirtiesContext // the context's pool points at this class's server, closed after the class
class EchoClientMockTcpServerTest {

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

    @AfterEach
    void serveNormally() {
        server.fault(MockTcpServer.Fault.NONE);
    }

    @Test
    void echoIsSentToTheServerAndItsReplyParsed() throws IOException {
        server.handler(line -> "OK mock " + line.substring("ECHO ".length()));

        EchoClient.Echo echo = client.echo("hello");

        assertThat(echo.reply()).isEqualTo("hello");
        assertThat(echo.serverName()).isEqualTo("mock");
        assertThat(echo.server()).isEqualTo(server.address());
        assertThat(server.<String>requests()).contains("ECHO hello");
    }

    @Test
    void aServerThatClosesWithoutAnsweringIsRetriedOnceThenReported() {
        server.fault(MockTcpServer.Fault.CLOSE);
        int before = server.requests().size();

        assertThatThrownBy(() -> client.echo("lost")).isInstanceOf(IOException.class)
                .hasMessageContaining("closed the connection before replying");
        assertThat(server.<String>requests().subList(before, server.requests().size()))
                .containsExactly("ECHO lost", "ECHO lost"); // echo is idempotent: one retry, on a new connection
        assertThat(server.errors()).isEmpty();
    }
}
