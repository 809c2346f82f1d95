package io.connpool.test;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives a test a started {@link MockTcpServer} for each parameter of that type, and closes it after: a
 * parameter of a test method (or {@code @BeforeEach}/{@code @AfterEach} method) lives for that test, one of a
 * {@code @BeforeAll} method for the whole class. Each parameter is a server of its own, so a failover test
 * simply asks for two.
 *
 * <pre>{@code
 * @ExtendWith(MockTcpServerExtension.class)
 * class BillingClientTest {
 *
 *     @Test
 *     void failsOverWhenAServerResets(MockTcpServer first, MockTcpServer second) throws Exception {
 *         first.fault(MockTcpServer.Fault.RESET);
 *         try (ConnPool pool = ConnPool.builder().servers(first.address(), second.address()).build()) {
 *             // ...
 *         }
 *     }
 * }
 * }</pre>
 *
 * <p>The servers are closed when the test's (or class's) extension context closes, after its
 * {@code @AfterEach} (or {@code @AfterAll}) methods have run, so those may still use them. (It relies on
 * JUnit closing {@link AutoCloseable} values of its store, which is on unless
 * {@code junit.jupiter.extensions.store.close.autocloseable.enabled} is set to {@code false}.)
 */
public final class MockTcpServerExtension implements ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(MockTcpServerExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == MockTcpServer.class;
    }

    @Override
    public MockTcpServer resolveParameter(ParameterContext parameter, ExtensionContext context) {
        MockTcpServer server = MockTcpServer.start();
        context.getStore(NAMESPACE).put(server, server);
        return server;
    }
}
