package io.connpool.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * MockTcpServerExtension, proven by running a test class that uses it on the JUnit Platform and looking at
 * its servers afterwards: each parameter got a started server of its own, usable in {@code @AfterEach},
 * and every one was closed after its test (or, for {@code @BeforeAll}, after the class).
 */
class MockTcpServerExtensionTest {

    /** What the inner class saw, in order. */
    static final List<String> EVENTS = new CopyOnWriteArrayList<>();
    static final List<MockTcpServer> METHOD_SERVERS = new CopyOnWriteArrayList<>();
    static MockTcpServer classServer;

    @Test
    void givesEachParameterAStartedServerAndClosesItAfterItsTestOrClass() {
        EVENTS.clear();
        METHOD_SERVERS.clear();
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        LauncherFactory.create().execute(LauncherDiscoveryRequestBuilder.request()
                .selectors(selectClass(UsesTheExtension.class)).build(), listener);
        TestExecutionSummary summary = listener.getSummary();

        assertThat(summary.getFailures()).as("failures of the inner test class").isEmpty();
        assertThat(summary.getTestsSucceededCount()).isEqualTo(2);
        assertThat(METHOD_SERVERS).hasSize(3).doesNotHaveDuplicates();
        assertThat(METHOD_SERVERS).allSatisfy(server -> assertThat(server.isRunning()).isFalse());
        assertThat(classServer.isRunning()).isFalse();
        assertThat(EVENTS).containsExactly(
                "first: two servers, both running, class server running",
                "afterEach: still running",
                "second: first test's servers closed, class server running",
                "afterEach: still running",
                "afterAll: class server running");
    }

    /** Run only through the launcher above (an inner class: the build's test scan skips it). */
    @ExtendWith(MockTcpServerExtension.class)
    @TestMethodOrder(MethodOrderer.MethodName.class)
    static class UsesTheExtension {

        @BeforeAll
        static void startOneForTheClass(MockTcpServer server) {
            classServer = server;
        }

        @Test
        void first(MockTcpServer a, MockTcpServer b) throws IOException {
            METHOD_SERVERS.add(a);
            METHOD_SERVERS.add(b);
            try (Client client = new Client(a)) {
                assertThat(client.call("hello")).isEqualTo("hello");
            }
            EVENTS.add("first: two servers, " + (a.port() != b.port() && a.isRunning() && b.isRunning()
                    ? "both running" : "not both running") + ", class server " + state(classServer));
        }

        @Test
        void second(MockTcpServer c) {
            METHOD_SERVERS.add(c);
            boolean closed = !METHOD_SERVERS.get(0).isRunning() && !METHOD_SERVERS.get(1).isRunning();
            EVENTS.add("second: first test's servers " + (closed ? "closed" : "open") + ", class server "
                    + state(classServer));
        }

        @AfterEach
        void after() {
            MockTcpServer last = METHOD_SERVERS.get(METHOD_SERVERS.size() - 1);
            EVENTS.add("afterEach: " + (last.isRunning() ? "still running" : "closed"));
        }

        @AfterAll
        static void afterAll() {
            EVENTS.add("afterAll: class server " + state(classServer));
        }

        private static String state(MockTcpServer server) {
            return server.isRunning() ? "running" : "closed";
        }
    }
}
