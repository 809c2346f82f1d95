package io.connpool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.connpool.test.MockTcpServer;
import io.connpool.testing.PoolFixture;
import io.connpool.testing.RecordingListener;
import java.io.EOFException;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link ConnPool#execute} and {@link ConnPool#executeIdempotent} against real loopback servers: the borrow
 * and return every caller writes, and the one retry that is safe, of a request on a reused connection the
 * server had closed, never of a request the server may have seen answered.
 */
class ClientTemplateTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Framing<String> LINES = Framing.lines(StandardCharsets.UTF_8);

    @RegisterExtension
    final PoolFixture fixture = new PoolFixture();

    private final RecordingListener events = new RecordingListener();

    private MockTcpServer server(String name) {
        return fixture.register(MockTcpServer.start()).handler(line -> name + ":" + line);
    }

    private ConnPool pool(ConnPool.Builder builder, MockTcpServer... servers) {
        List<String> addresses = new ArrayList<>();
        for (MockTcpServer server : servers) {
            addresses.add(server.address());
        }
        return fixture.pool(builder.name(fixture.testName()).servers(addresses.toArray(String[]::new))
                .listener(events));
    }

    /** Makes the pool hold one idle connection to the server, used once and given back. */
    private static void warm(ConnPool pool) throws IOException {
        assertThat(pool.<String>execute(c -> LINES.call(c, "warm"))).endsWith(":warm");
    }

    @Test
    void executeReturnsTheCallbacksResultAndGivesTheConnectionBack() throws Exception {
        MockTcpServer a = server("a");
        ConnPool pool = pool(ConnPool.builder().minIdlePerServer(0), a);

        assertThat(pool.<String>execute(c -> LINES.call(c, "GET 42"))).isEqualTo("a:GET 42");
        assertThat(pool.<String>execute(c -> LINES.call(c, "again"))).isEqualTo("a:again");

        assertThat(pool.stats().idle()).isEqualTo(1);
        assertThat(pool.stats().created()).as("the same connection, reused").isEqualTo(1);
        assertThat(pool.stats().acquired()).isEqualTo(pool.stats().released());
    }

    @Test
    void aFailingCallbackDiscardsTheConnectionAndItsExceptionReachesTheCaller() throws Exception {
        MockTcpServer a = server("a");
        ConnPool pool = pool(ConnPool.builder().minIdlePerServer(0), a);
        IOException garbled = new IOException("garbled reply");
        IllegalStateException bug = new IllegalStateException("bug in the callback");

        assertThatThrownBy(() -> pool.execute(c -> {
            c.output().write("x\n".getBytes(StandardCharsets.UTF_8));
            throw garbled;
        })).isSameAs(garbled);
        assertThatThrownBy(() -> pool.execute(c -> {
            throw bug;
        })).isSameAs(bug);

        assertThat(pool.stats().closed()).as("never reused: its stream is in an unknown state").isEqualTo(2);
        assertThat(pool.stats().total()).isZero();
        assertThat(pool.servers().get(0).consecutiveFailures()).as("the callback's verdict, not an I/O failure")
                .isZero();
        a.awaitOpenConnections(0, WAIT);
    }

    @Test
    void aConnectionKeptOrReturnedByTheCallbackCannotBeUsedAfterTheCall() throws Exception {
        MockTcpServer a = server("a");
        ConnPool pool = pool(ConnPool.builder(), a);
        AtomicReference<PooledConnection> kept = new AtomicReference<>();

        PooledConnection returned = pool.execute(c -> {
            kept.set(c);
            return c;
        });

        assertThatThrownBy(returned::output).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already closed");
        assertThatThrownBy(() -> kept.get().input()).isInstanceOf(IllegalStateException.class);
        assertThat(pool.<String>execute(c -> LINES.call(c, "next"))).isEqualTo("a:next");
    }

    @Test
    void aNullCallbackIsRefusedBeforeAnythingIsBorrowed() {
        MockTcpServer a = server("a");
        ConnPool pool = pool(ConnPool.builder().minIdlePerServer(0), a);
        assertThatThrownBy(() -> pool.execute(null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("callback must not be null");
        assertThatThrownBy(() -> pool.executeIdempotent(null)).isInstanceOf(NullPointerException.class);
        assertThat(pool.stats().acquired()).isZero();
    }

    @Test
    void anIdempotentRequestOnAReusedConnectionTheServerClosedIsRetriedOnANewOne() throws Exception {
        MockTcpServer a = server("a");
        // a long validation interval: the dead idle connection is lent without a check, as within 500 ms
        ConnPool pool = pool(ConnPool.builder().minIdlePerServer(0).validationInterval(Duration.ofMinutes(1)), a);
        warm(pool);
        a.closeConnections(); // the server's idle timeout: a FIN on the pool's idle connection
        a.awaitOpenConnections(0, WAIT);

        assertThat(pool.<String>executeIdempotent(c -> LINES.call(c, "GET 42"))).isEqualTo("a:GET 42");

        assertThat(events.count(RecordingListener.Type.RETRIED)).isEqualTo(1);
        assertThat(a.<String>requests()).containsExactly("warm", "GET 42");
    }

    @Test
    void withOneOfThreeServersJustStoppedEveryIdempotentCallSucceeds() throws Exception {
        MockTcpServer a = server("a");
        MockTcpServer b = server("b");
        MockTcpServer c = server("c");
        ConnPool pool = pool(ConnPool.builder().minIdlePerServer(2), a, b, c); // default validationInterval
        await().atMost(WAIT).until(() -> pool.stats().idle() == 6);

        b.stop(); // its connections get a FIN; the pool has not looked at them yet
        int failures = 0;
        for (int i = 0; i < 300; i++) {
            try {
                String reply = pool.<String>executeIdempotent(conn -> LINES.call(conn, "req"));
                assertThat(reply).isIn("a:req", "c:req");
            }
            catch (IOException ex) {
                failures++;
            }
        }
        assertThat(failures).isZero();
        assertThat(events.count(RecordingListener.Type.RETRIED)).as("the connections b had closed").isBetween(1L, 2L);
    }

    @Test
    void aRequestIsNeverRetriedOnceAByteOfItsReplyWasRead() throws Exception {
        MockTcpServer a = server("a");
        ConnPool pool = pool(ConnPool.builder().minIdlePerServer(0), a);
        warm(pool);
        AtomicInteger attempts = new AtomicInteger();

        assertThatThrownBy(() -> pool.executeIdempotent(c -> {
            attempts.incrementAndGet();
            c.output().write("pay 10\n".getBytes(StandardCharsets.UTF_8));
            c.input().read(); // the server answered: it applied the request
            throw new EOFException("the rest of the reply never came");
        })).isInstanceOf(EOFException.class).hasMessage("the rest of the reply never came");

        assertThat(attempts.get()).isEqualTo(1);
        a.awaitRequests(2, WAIT);
        assertThat(a.<String>requests()).containsExactly("warm", "pay 10");
    }

    @Test
    void aTimeoutIsNeverRetried() throws Exception {
        MockTcpServer a = server("a");
        ConnPool pool = pool(ConnPool.builder().minIdlePerServer(0).readTimeout(Duration.ofMillis(200)), a);
        warm(pool);
        a.fault(MockTcpServer.Fault.HANG);

        assertThatThrownBy(() -> pool.<String>executeIdempotent(c -> LINES.call(c, "slow")))
                .isInstanceOf(SocketTimeoutException.class);
        assertThat(events.count(RecordingListener.Type.RETRIED)).isZero();
        a.awaitRequests(2, WAIT);
        assertThat(a.<String>requests()).hasSize(2);
    }

    @Test
    void aFailureOnAConnectionDialedForTheCallIsNotRetried() throws Exception {
        MockTcpServer a = server("a");
        ConnPool pool = pool(ConnPool.builder().minIdlePerServer(0), a);
        IOException refused = new IOException("server refused the request");

        assertThatThrownBy(() -> pool.executeIdempotent(c -> {
            throw refused;
        })).isSameAs(refused);
        assertThat(events.count(RecordingListener.Type.RETRIED)).isZero();
    }

    @Test
    void whenTheRetryFailsTooTheErrorNamesBothConnections() throws Exception {
        MockTcpServer a = server("a");
        ConnPool pool = pool(ConnPool.builder().minIdlePerServer(0), a);
        warm(pool);
        IOException first = new IOException("broken pipe, first");
        IOException second = new IOException("broken pipe, again");
        AtomicInteger attempt = new AtomicInteger();

        assertThatThrownBy(() -> pool.executeIdempotent(c -> {
            throw attempt.getAndIncrement() == 0 ? first : second;
        })).isInstanceOf(IOException.class)
                .hasMessageContaining("failed on a reused connection to " + a.address())
                .hasMessageContaining("broken pipe, first")
                .hasMessageContaining("and again when retried once on a new connection to " + a.address())
                .hasMessageContaining("broken pipe, again")
                .hasCause(second)
                .satisfies(ex -> assertThat(ex.getSuppressed()).containsExactly(first));
        assertThat(attempt.get()).as("one retry, no more").isEqualTo(2);
    }
}
