package io.connpool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.StackTraceElementProxy;
import ch.qos.logback.core.read.ListAppender;
import io.connpool.testing.PoolFixture;
import io.connpool.testing.TestServer;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

class LeakDetectionTest {

    @RegisterExtension
    final PoolFixture fixture = new PoolFixture();

    private final Logger logger = (Logger) LoggerFactory.getLogger("io.connpool.ConnPool");
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    @BeforeEach
    void capture() {
        appender.start();
        logger.addAppender(appender);
    }

    @AfterEach
    void release() {
        logger.detachAppender(appender);
    }

    private List<ILoggingEvent> leakWarnings() {
        return List.copyOf(appender.list).stream()
                .filter(e -> e.getLevel() == Level.WARN && e.getFormattedMessage().contains("leak")
                        && e.getFormattedMessage().contains("'" + fixture.testName() + "'"))
                .toList();
    }

    @Test
    void aConnectionKeptPastTheThresholdIsLoggedWithTheBorrowersStack() throws Exception {
        TestServer server = fixture.server("a");
        ConnPool pool = fixture.pool(fixture.builder(server).leakDetectionThreshold(Duration.ofMillis(200)));

        // returned in time: never reported
        pool.acquire().close();
        PooledConnection kept = pool.acquire();

        await().atMost(Duration.ofSeconds(10)).until(() -> !leakWarnings().isEmpty());
        // the first borrow's threshold passed before the second's: had it been reported, it would be here
        assertThat(leakWarnings()).hasSize(1);
        ILoggingEvent warning = leakWarnings().get(0);
        assertThat(warning.getFormattedMessage())
                .contains(server.hostPort()).contains(fixture.testName()).contains("200 ms");
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
        assertThat(appender.list).anySatisfy(e -> {
            assertThat(e.getLevel()).isEqualTo(Level.INFO);
            assertThat(e.getFormattedMessage()).contains("reported as a possible leak has been returned");
        });
    }

    @Test
    void offByDefault() throws Exception {
        TestServer server = fixture.server("a");
        ConnPool pool = fixture.pool(fixture.builder(server));
        PooledConnection kept = pool.acquire();
        PoolFixture.letTimePass(Duration.ofMillis(500)); // more than twice the threshold reported above

        kept.close();
        assertThat(leakWarnings()).isEmpty();
    }
}
