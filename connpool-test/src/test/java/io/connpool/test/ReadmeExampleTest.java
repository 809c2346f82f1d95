package io.connpool.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.connpool.ConnPool;
import io.connpool.Framing;
import io.connpool.PooledConnection;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The README's plain JUnit example of "Test your client", verbatim, so that it keeps compiling and working. */
@ExtendWith(MockTcpServerExtension.class)
class ReadmeExampleTest {

    static final Framing<String> LINES = Framing.lines(StandardCharsets.UTF_8);

    @Test
    void readsTheReplyAndTimesOutOnAServerThatHangs(MockTcpServer server) throws Exception {
        server.handler(line -> "OK " + line);                   // one reply line per request line
        try (ConnPool pool = ConnPool.builder().servers(server.address())
                .readTimeout(Duration.ofMillis(200)).build()) {
            try (PooledConnection c = pool.acquire()) {
                assertThat(LINES.call(c, "GET 42")).isEqualTo("OK GET 42");
            }
            assertThat(server.<String>requests()).containsExactly("GET 42");

            server.fault(MockTcpServer.Fault.HANG);              // reads requests, never answers
            try (PooledConnection c = pool.acquire()) {
                assertThatThrownBy(() -> LINES.call(c, "GET 43")).isInstanceOf(SocketTimeoutException.class);
            }
        }
    }
}
