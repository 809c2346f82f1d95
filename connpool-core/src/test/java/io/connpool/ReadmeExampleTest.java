package io.connpool;

import static org.assertj.core.api.Assertions.assertThat;

import io.connpool.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The README's core example, verbatim but for the addresses, so that it keeps compiling and working. */
class ReadmeExampleTest {

    @Test
    void theReadmeExampleWorks() throws Exception {
        try (TestServer first = TestServer.start("first"); TestServer second = TestServer.start("second")) {
            byte[] request = "ping\n".getBytes(StandardCharsets.UTF_8);
            byte[] reply = new byte[64];

            ConnPool pool = ConnPool.builder()
                    .name("billing")
                    .servers(first.hostPort(), second.hostPort())
                    .dialTimeout(Duration.ofSeconds(2))
                    .maxConnectionsPerServer(8)
                    .build();

            try (PooledConnection c = pool.acquire()) {      // waits up to acquireTimeout
                c.output().write(request);
                int n = c.input().read(reply);
                assertThat(new String(reply, 0, n, StandardCharsets.UTF_8)).endsWith(":ping\n");
            }                                                // close() gives it back

            pool.close();
        }
    }
}
