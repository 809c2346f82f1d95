package io.connpool;

import static org.assertj.core.api.Assertions.assertThat;

import io.connpool.test.MockTcpServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The README's core example, verbatim but for the addresses, so that it keeps compiling and working. */
class ReadmeExampleTest {

    @Test
    void theReadmeExampleWorks() throws Exception {
        try (MockTcpServer first = MockTcpServer.start(); MockTcpServer second = MockTcpServer.start()) {
            first.handler(line -> "OK " + line);
            second.handler(line -> "OK " + line);
            byte[] request = "ping\n".getBytes(StandardCharsets.UTF_8);
            byte[] reply = new byte[64];

            ConnPool pool = ConnPool.builder()
                    .name("billing")
                    .servers(first.address(), second.address())
                    .dialTimeout(Duration.ofSeconds(2))
                    .maxConnectionsPerServer(8)
                    .build();

            Framing<String> lines = Framing.lines(StandardCharsets.UTF_8);        // thread-safe: share one

            String balance = pool.execute(c -> lines.call(c, "BALANCE 42"));       // borrow, call, give back
            String quote = pool.executeIdempotent(c -> lines.call(c, "QUOTE 42")); // the same, plus one safe retry

            assertThat(balance).isEqualTo("OK BALANCE 42");
            assertThat(quote).isEqualTo("OK QUOTE 42");

            try (PooledConnection c = pool.acquire()) {      // waits up to acquireTimeout
                c.output().write(request);
                int n = c.input().read(reply);
                assertThat(new String(reply, 0, n, StandardCharsets.UTF_8)).isEqualTo("OK ping\n");
            }                                                // close() gives it back

            pool.close();
        }
    }

    @Test
    void theReadmeShowsThisExample() throws Exception {
        String readme = Files.readString(Path.of("../README.md"));
        assertThat(readme)
                .contains("Framing<String> lines = Framing.lines(StandardCharsets.UTF_8);")
                .contains("String balance = pool.execute(c -> lines.call(c, \"BALANCE 42\"));")
                .contains("String quote = pool.executeIdempotent(c -> lines.call(c, \"QUOTE 42\"));")
                .contains("try (PooledConnection c = pool.acquire()) {");
    }
}
