package io.connpool.testing;

import io.connpool.ConnPool;
import io.connpool.PooledConnection;
import io.connpool.ServerAddress;
import io.connpool.ServerState;
import io.connpool.ServerStatus;
import io.connpool.test.MockTcpServer;
import java.time.Duration;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import javax.net.ssl.SSLContext;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Per-test resources for pool tests: loopback servers ({@link MockTcpServer}s that answer {@code name:line},
 * see {@link NamedEcho}), black holes, pools, caller threads and anything else {@link #register registered},
 * all closed after the test in reverse order of creation (so caller threads stop before their pool closes,
 * and pools close before their servers). Register it with
 * {@code @RegisterExtension final PoolFixture fixture = new PoolFixture();}.
 */
public final class PoolFixture implements BeforeEachCallback, AfterEachCallback {

    private final Deque<AutoCloseable> resources = new ConcurrentLinkedDeque<>();
    private volatile String testName = "test";

    @Override
    public void beforeEach(ExtensionContext context) {
        testName = context.getTestMethod().map(m -> m.getName()).orElse("test");
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        Exception failure = null;
        AutoCloseable resource;
        while ((resource = resources.pollLast()) != null) {
            try {
                resource.close();
            }
            catch (Exception ex) {
                if (failure == null) {
                    failure = ex;
                }
                else {
                    failure.addSuppressed(ex);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** The running test method's name, used as the pool name so logs say which test they belong to. */
    public String testName() {
        return testName;
    }

    public <T extends AutoCloseable> T register(T resource) {
        resources.add(resource);
        return resource;
    }

    /** A started server answering {@code name:line}, closed after the test. */
    public MockTcpServer server(String name) {
        return register(NamedEcho.start(name));
    }

    public List<MockTcpServer> servers(String... names) {
        return Arrays.stream(names).map(this::server).toList();
    }

    /** A started TLS server answering {@code name:line}, closed after the test. */
    public MockTcpServer tlsServer(String name, SSLContext context) {
        return register(NamedEcho.startTls(name, context));
    }

    public BlackHole blackHole() {
        return register(BlackHole.open());
    }

    /** A builder named after the test, for the given servers. */
    public ConnPool.Builder builder(MockTcpServer... servers) {
        return ConnPool.builder().name(testName).servers(Arrays.stream(servers).map(MockTcpServer::address)
                .toArray(String[]::new));
    }

    public ConnPool pool(ConnPool.Builder builder) {
        return register(builder.build());
    }

    /** A thread pool shut down (interrupting its threads) after the test. */
    public ExecutorService threads(int count) {
        AtomicInteger number = new AtomicInteger();
        ExecutorService executor = Executors.newFixedThreadPool(count, task -> {
            Thread thread = new Thread(task, testName + "-" + number.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        register(() -> {
            executor.shutdownNow();
            if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("test threads of " + testName + " did not stop within 10 s");
            }
        });
        return executor;
    }

    /** Waits until the server has the given state in the pool's snapshot. */
    public static ServerStatus awaitState(ConnPool pool, ServerAddress server, ServerState state) {
        Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5))
                .until(() -> status(pool, server).state() == state);
        return status(pool, server);
    }

    /** The server's address as the pool names it ({@link PooledConnection#server()}, {@link ServerStatus#address()}). */
    public static ServerAddress addressOf(MockTcpServer server) {
        return ServerAddress.parse(server.address());
    }

    public static ServerAddress addressOf(BlackHole hole) {
        return ServerAddress.parse(hole.address());
    }

    public static ServerStatus status(ConnPool pool, MockTcpServer server) {
        return status(pool, addressOf(server));
    }

    public static ServerStatus status(ConnPool pool, ServerAddress server) {
        return pool.servers().stream().filter(s -> s.address().equals(server)).findFirst()
                .orElseThrow(() -> new AssertionError(server + " is not in pool " + pool.name()));
    }

    /**
     * Lets time pass, for behaviour defined by elapsed time (timeouts, lifetimes). Never use it to wait
     * for another thread: wait for what it does instead.
     */
    public static void letTimePass(Duration duration) {
        long deadline = System.nanoTime() + duration.toNanos();
        long left;
        while ((left = deadline - System.nanoTime()) > 0) {
            LockSupport.parkNanos(left);
        }
    }

}
