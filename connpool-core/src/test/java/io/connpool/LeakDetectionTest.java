package io.connpool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.StackTraceElementProxy;
import io.connpool.test.MockTcpServer;
import io.connpool.testing.LogCapture;
import io.connpool.testing.PoolFixture;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class LeakDetectionTest {

    @RegisterExtension
    final PoolFixture fixture = new PoolFixture();

    private LogCapture logs;

    @BeforeEach
    void capture() {
        logs = fixture.register(LogCapture.of("io.connpool.ConnPool"));
    }

    private List<ILoggingEvent> leakWarnings() {
        return logs.events(Level.WARN).stream()
                .filter(e -> e.getFormattedMessage().contains("leak")
                        && e.getFormattedMessage().contains("'" + fixture.testName() + "'"))
                .toList();
    }

    @Test
    void aConnectionKeptPastTheThresholdIsLoggedWithTheBorrowersStack() throws Exception {
        MockTcpServer server = fixture.server("a");
        ConnPool pool = fixture.pool(fixture.builder(server).leakDetectionThreshold(Duration.ofMillis(200)));

        // returned in time: never reported
        pool.acquire().close();
        PooledConnection kept = pool.acquire();

        await().atMost(Duration.ofSeconds(10)).until(() -> !leakWarnings().isEmpty());
        // the first borrow's threshold passed before the second's: had it been reported, it would be here
        assertThat(leakWarnings()).hasSize(1);
        ILoggingEvent warning = leakWarnings().get(0);
        assertThat(warning.getFormattedMessage())
                .contains(server.address()).contains(fixture.testName()).contains("200 ms");
        IThrowableProxy borrowSite = warning.getThrowableProxy();
        assertThat(borrowSite).as("the warning carries the borrower's stack").isNotNull();
        assertThat(borrowSite.getMessage()).contains(Thread.currentThread().getName());
        assertThat(Arrays.stream(borrowSite.getStackTraceElementProxyArray())
                .map(StackTraceElementProxy::getStackTraceElement))
                .anySatisfy(frame -> {
                    assertThat(frame.getClassName()).isEqualTo(LeakDetectionTest.class.getName());
                    assertThat(frame.getMethodName())
                            .isEqualTo("aConnectionKeptPastTheThresholdIsLoggedWithTheBorrowersStack");
                });

        kept.close();
        assertThat(logs.events()).anySatisfy(e -> {
            assertThat(e.getLevel()).isEqualTo(Level.INFO);
            assertThat(e.getFormattedMessage()).contains("reported as a possible leak has been returned");
        });
    }

    @Test
    void offByDefault() throws Exception {
        MockTcpServer server = fixture.server("a");
        ConnPool pool = fixture.pool(fixture.builder(server));
        PooledConnection kept = pool.acquire();
        PoolFixture.letTimePass(Duration.ofMillis(500)); // more than twice the threshold reported above

        kept.close();
        assertThat(leakWarnings()).isEmpty();
    }
}
