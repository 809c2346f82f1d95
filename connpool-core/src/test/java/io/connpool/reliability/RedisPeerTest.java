package io.connpool.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.connpool.ConnPool;
import io.connpool.PoolStats;
import io.connpool.ServerAddress;
import io.connpool.testing.PoolFixture;
import io.connpool.testing.RecordingListener;
import io.connpool.testing.RecordingListener.Type;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A real peer: Redis, driven through the pool by 8 threads of PING/SET/GET, killed with SIGKILL and started
 * again on the same port in the middle of the run, while a separate plain socket watches {@code CLIENT LIST}.
 */
class RedisPeerTest {

    private static final int CAP = 4;
    private static final Duration RETRY_MAX = Duration.ofSeconds(1);

    @RegisterExtension
    final PoolFixture fixture = new PoolFixture();

    private RedisProcess redis;
    private ConnPool pool;
    private Traffic traffic;
    private final ScheduledExecutorService watcher = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "traffic-client-list-watcher");
        thread.setDaemon(true);
        return thread;
    });
    private final ClientListWatch watch = new ClientListWatch();

    @Test
    void redisKilledAndRestartedMidRunErrorsOnlyWhileDownAndNeverMoreConnectionsThanTheCap() throws Exception {
        fixture.register(() -> { // closed last: it only reads CLIENT LIST, and copes with Redis gone
            watcher.shutdownNow();
            watcher.awaitTermination(5, TimeUnit.SECONDS);
            watch.close();
        });
        int port = freePort();
        redis = fixture.register(RedisProcess.start(port));
        ServerAddress server = new ServerAddress("127.0.0.1", port);
        RecordingListener events = new RecordingListener();
        pool = fixture.pool(ConnPool.builder().name("redis")
                .servers(redis.hostPort())
                .maxConnectionsPerServer(CAP)
                .readTimeout(Duration.ofSeconds(2))
                .retryMin(Duration.ofMillis(100)).retryMax(RETRY_MAX)
                .listener(events));
        watch.port = port;
        watcher.scheduleWithFixedDelay(watch::sample, 0, 20, TimeUnit.MILLISECONDS);
        traffic = fixture.register(new Traffic(pool, 8, Duration.ofSeconds(5), (connection, token) -> {
            InputStream in = connection.input();
            OutputStream out = connection.output();
            String key = "key:" + token.substring(0, token.indexOf('-'));
            return "+PONG".equals(Resp.call(in, out, "PING"))
                    && "+OK".equals(Resp.call(in, out, "SET", key, token))
                    && token.equals(Resp.call(in, out, "GET", key));
        })).start();
        await().atMost(Duration.ofSeconds(30)).until(() -> traffic.successes(server) > 2_000);

        long killedAt = System.nanoTime();
        redis.kill();
        await().atMost(Duration.ofSeconds(10)).until(() -> events.first(Type.SERVER_DOWN, server, killedAt) != null);
        long detectMillis = TimeUnit.NANOSECONDS.toMillis(events.first(Type.SERVER_DOWN, server, killedAt).atNanos() - killedAt);
        long failedDials = events.count(Type.DIAL_FAILED, server);
        await().atMost(Duration.ofSeconds(10)).until(() -> events.count(Type.DIAL_FAILED, server) >= failedDials + 2);
        assertThat(traffic.failures()).as("callers notice that Redis is gone").isNotEmpty();

        traffic.mark();
        redis = fixture.register(RedisProcess.start(port));
        long backAt = System.nanoTime();
        await().atMost(Duration.ofSeconds(15)).until(() -> traffic.firstSuccessAfterMark(server) != 0);
        long recoverMillis = TimeUnit.NANOSECONDS.toMillis(traffic.firstSuccessAfterMark(server) - backAt);
        long servedAfter = traffic.successes(server);
        await().atMost(Duration.ofSeconds(30)).until(() -> traffic.successes(server) > servedAfter + 2_000);
        traffic.stop();

        List<Traffic.Failure> failures = traffic.failures();
        assertThat(traffic.unexpected).isEmpty();
        assertThat(traffic.wrongReplies.sum()).as("every GET returned the value its own SET wrote").isZero();
        assertThat(traffic.handedOutTwice.sum()).isZero();
        assertThat(failures).as("errors only while Redis was down")
                .allSatisfy(f -> assertThat(f.failedNanos()).isGreaterThanOrEqualTo(killedAt))
                .allSatisfy(f -> assertThat(f.startedNanos()).as("a request started after Redis was back failed: %s",
                        f.error()).isLessThan(backAt));
        assertThat(recoverMillis).as("first success after Redis is back").isLessThan(RETRY_MAX.toMillis() + 2_000);
        PoolStats stats = pool.stats();
        assertThat(stats.active()).isZero();
        assertThat(stats.acquired()).isEqualTo(stats.released());

        pool.close();
        await().atMost(Duration.ofSeconds(5)).until(() -> watch.lastCount.get() == 0);
        watcher.shutdownNow();
        assertThat(watch.samples.get()).as("CLIENT LIST samples taken").isGreaterThan(20);
        assertThat(watch.max.get()).as("most pool connections Redis ever saw at once").isBetween(1, CAP);

        FaultMatrix.record("real peer: Redis killed (SIGKILL) and restarted on the same port",
                failures.stream().filter(f -> !f.duringAcquire()).count() + " IOException(s) in flight + "
                        + failures.stream().filter(Traffic.Failure::duringAcquire).count() + " acquire failure(s),"
                        + " all while Redis was down (acquire waits for it); every request started after its return"
                        + " succeeded;"
                        + " CLIENT LIST max " + watch.max.get() + " <= cap " + CAP,
                detectMillis, recoverMillis, "back < retryMax " + RETRY_MAX.toMillis() + " + 2000 ms; connections <= cap");
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return socket.getLocalPort();
        }
    }

    /** Counts the pool's connections in CLIENT LIST from a plain socket of its own (named, and not counted). */
    static final class ClientListWatch implements AutoCloseable {

        volatile int port;
        final AtomicInteger max = new AtomicInteger();
        final AtomicInteger lastCount = new AtomicInteger(-1);
        final AtomicLong samples = new AtomicLong();
        private Socket socket;

        void sample() {
            try {
                if (socket == null) {
                    Socket fresh = new Socket();
                    fresh.connect(new InetSocketAddress("127.0.0.1", port), 200);
                    fresh.setSoTimeout(1_000);
                    socket = fresh;
                    Resp.call(socket.getInputStream(), socket.getOutputStream(), "CLIENT", "SETNAME", "watcher");
                }
                String list = Resp.call(socket.getInputStream(), socket.getOutputStream(), "CLIENT", "LIST");
                int count = (int) list.lines().filter(line -> !line.isBlank() && !line.contains(" name=watcher ")).count();
                lastCount.set(count);
                max.accumulateAndGet(count, Math::max);
                samples.incrementAndGet();
            }
            catch (IOException ex) {
                close(); // Redis is down: reconnect at the next sample
            }
        }

        @Override
        public void close() {
            Socket current = socket;
            socket = null;
            if (current != null) {
                try {
                    current.close();
                }
                catch (IOException ignored) {
                    // gone anyway
                }
            }
        }
    }
}
