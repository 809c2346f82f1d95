package io.connpool;

import static io.connpool.testing.PoolFixture.addressOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.connpool.test.MockTcpServer;
import io.connpool.testing.LineClient;
import io.connpool.testing.NamedEcho;
import io.connpool.testing.PoolFixture;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class ManagedConnectionTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private final MockTcpServer server = NamedEcho.start("m");
    private ManagedConnection managed;
    private ListAppender<ILoggingEvent> logs;

    @AfterEach
    void tearDown() {
        if (managed != null) {
            managed.close();
        }
        server.close();
        if (logs != null) {
            ((Logger) LoggerFactory.getLogger(ManagedConnection.class)).detachAppender(logs);
        }
    }

    private ManagedConnection.Builder fastRetry(String... servers) {
        return ManagedConnection.builder().name("m").servers(servers)
                .retryMin(Duration.ofMillis(20)).retryMax(Duration.ofMillis(100))
                .dialTimeout(Duration.ofSeconds(2));
    }

    private static byte[] line(String text) {
        return (text + "\n").getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void writesReachTheServerAndRepliesCanBeRead() throws Exception {
        managed = fastRetry(server.address()).build();
        assertThat(managed.awaitConnected(WAIT)).isTrue();

        managed.write(line("hello"));

        assertThat(LineClient.readLine(managed.input())).isEqualTo("m:hello");
        assertThat(managed.server()).isEqualTo(addressOf(server));
    }

    @Test
    void writeFailsAtOnceWhileDownAndNothingIsReplayedLater() throws Exception {
        managed = fastRetry(server.address()).retryMin(Duration.ofMillis(200)).retryMax(Duration.ofMillis(400))
                .build();
        assertThat(managed.awaitConnected(WAIT)).isTrue();
        server.stop();
        // the first write after the server left may still succeed locally; the break is then seen on read
        await().atMost(WAIT).until(() -> {
            try {
                managed.write(line("probe"));
                managed.input().read();
            }
            catch (IOException expected) {
                // either the write or the read sees the break
            }
            return !managed.isConnected();
        });
        long requestsBefore = server.requests().size();

        long start = System.nanoTime();
        for (int i = 0; i < 100; i++) {
            assertThatThrownBy(() -> managed.write(line("dropped")))
                    .isInstanceOf(ConnectionUnavailableException.class)
                    .hasMessageContaining("'m'")
                    .hasMessageContaining(server.address())
                    .hasMessageContaining("nothing was sent");
        }
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));

        server.restart();
        assertThat(managed.awaitConnected(WAIT)).isTrue();
        managed.write(line("after"));
        assertThat(LineClient.readLine(managed.input())).isEqualTo("m:after");
        assertThat(server.requests().size() - requestsBefore).as("only the request sent after reconnection")
                .isEqualTo(1);
    }

    @Test
    void putWithAnErrorReplacesTheConnection() throws Exception {
        managed = fastRetry(server.address()).build();
        assertThat(managed.awaitConnected(WAIT)).isTrue();
        Socket first = managed.take();

        managed.put(first, new IOException("protocol error"));

        assertThat(first.isClosed()).isTrue();
        assertThat(managed.awaitConnected(WAIT)).isTrue();
        assertThat(managed.take()).isNotSameAs(first);
        await().atMost(WAIT).until(() -> server.acceptedConnections() == 2);
    }

    @Test
    void lateErrorFromAReplacedConnectionDoesNotKillTheNewOne() throws Exception {
        // go-kit's Manager closed whatever connection was current when a late Put(err) arrived
        managed = fastRetry(server.address()).build();
        assertThat(managed.awaitConnected(WAIT)).isTrue();
        Socket old = managed.take();
        managed.put(old, new IOException("first failure"));
        assertThat(managed.awaitConnected(WAIT)).isTrue();
        Socket replacement = managed.take();

        managed.put(old, new IOException("late report about the old socket"));

        assertThat(managed.isConnected()).isTrue();
        assertThat(managed.take()).isSameAs(replacement);
        assertThat(replacement.isClosed()).isFalse();
        managed.write(line("still"));
        assertThat(LineClient.readLine(managed.input())).isEqualTo("m:still");
        assertThat(server.acceptedConnections()).isEqualTo(2);
    }

    @Test
    void putWithoutErrorKeepsTheConnection() throws Exception {
        managed = fastRetry(server.address()).build();
        assertThat(managed.awaitConnected(WAIT)).isTrue();
        Socket socket = managed.take();

        managed.put(socket, null);

        assertThat(managed.take()).isSameAs(socket);
    }

    @Test
    void aBlockedReadDoesNotStallWrites() throws Exception {
        server.fault(MockTcpServer.Fault.HANG);
        managed = fastRetry(server.address()).readTimeout(Duration.ZERO).build();
        assertThat(managed.awaitConnected(WAIT)).isTrue();
        CountDownLatch reading = new CountDownLatch(1);
        CompletableFuture<Integer> reader = CompletableFuture.supplyAsync(() -> {
            reading.countDown();
            try {
                return managed.input().read();
            }
            catch (IOException ex) {
                return -2;
            }
        });
        assertThat(reading.await(10, TimeUnit.SECONDS)).isTrue();

        CompletableFuture<Void> writes = CompletableFuture.runAsync(() -> {
            for (int i = 0; i < 50; i++) {
                try {
                    managed.write(line("w" + i));
                }
                catch (IOException ex) {
                    throw new IllegalStateException(ex);
                }
            }
        });

        writes.get(10, TimeUnit.SECONDS);
        await().atMost(WAIT).until(() -> server.requests().size() == 50);
        assertThat(reader).isNotDone();
        managed.close(); // ends the blocked read
        assertThat(reader.get(10, TimeUnit.SECONDS)).isNegative();
    }

    @Test
    void usesTheFirstReachableServerAndFailsOverWhenItDies() throws Exception {
        try (MockTcpServer second = NamedEcho.start("second")) {
            String refused = "127.0.0.1:" + freePortNobodyListensOn();
            managed = fastRetry(refused, server.address(), second.address()).build();
            assertThat(managed.awaitConnected(WAIT)).isTrue();
            assertThat(managed.server()).isEqualTo(addressOf(server));

            server.stop();
            await().atMost(WAIT).until(() -> {
                try {
                    managed.write(line("x"));
                    LineClient.readLine(managed.input());
                }
                catch (IOException ignored) {
                    // the break is seen on this write or read
                }
                return addressOf(second).equals(managed.server());
            });
            managed.write(line("on second"));
            assertThat(LineClient.readLine(managed.input())).isEqualTo("second:on second");
        }
    }

    @Test
    void awaitConnectedTimesOutWhileNoServerAnswers() throws Exception {
        managed = fastRetry("127.0.0.1:" + freePortNobodyListensOn()).build();

        long start = System.nanoTime();
        assertThat(managed.awaitConnected(Duration.ofMillis(300))).isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(250), WAIT);
        assertThat(managed.isConnected()).isFalse();
        assertThatThrownBy(managed::take).isInstanceOf(ConnectionUnavailableException.class);
    }

    @Test
    void retriesFollowTheBackoffWithOneDialAtATime() throws Exception {
        AtomicInteger dials = new AtomicInteger();
        AtomicInteger concurrent = new AtomicInteger();
        AtomicInteger maxConcurrent = new AtomicInteger();
        Dialer refusing = (address, timeout) -> {
            dials.incrementAndGet();
            maxConcurrent.accumulateAndGet(concurrent.incrementAndGet(), Math::max);
            try {
                throw new java.net.ConnectException("refused by test");
            }
            finally {
                concurrent.decrementAndGet();
            }
        };
        managed = ManagedConnection.builder().servers(server.address()).dialer(refusing)
                .backoff(failures -> Duration.ofMillis(30)).build();
        // 32 threads hammering a down connection never cause extra dials
        Thread[] writers = new Thread[32];
        for (int i = 0; i < writers.length; i++) {
            writers[i] = new Thread(() -> {
                for (int j = 0; j < 200; j++) {
                    try {
                        managed.write(line("x"));
                    }
                    catch (IOException expected) {
                        // down
                    }
                }
            });
            writers[i].start();
        }
        for (Thread writer : writers) {
            writer.join(10_000);
        }
        await().atMost(WAIT).until(() -> dials.get() >= 5);
        managed.close();
        int afterClose = dials.get();

        assertThat(maxConcurrent.get()).isEqualTo(1);
        assertThat(server.acceptedConnections()).isZero();
        // closing stops the retries for good
        await().during(Duration.ofMillis(200)).atMost(WAIT).until(() -> dials.get() <= afterClose + 1);
    }

    /** Logback appends under the appender's monitor; copying under it never sees a half-done append. */
    private List<ILoggingEvent> logged() {
        synchronized (logs) {
            return new ArrayList<>(logs.list);
        }
    }

    @Test
    void logsWarnOnceForAnOutageAndInfoWhenBack() throws Exception {
        logs = new ListAppender<>();
        logs.start();
        Logger logger = (Logger) LoggerFactory.getLogger(ManagedConnection.class);
        logger.addAppender(logs);
        AtomicInteger failedDials = new AtomicInteger();
        managed = fastRetry(server.address()).listener(new ConnPoolListener() {
            @Override
            public void dialFailed(ServerAddress address, long elapsedNanos, Throwable error) {
                failedDials.incrementAndGet();
            }
        }).build();
        assertThat(managed.awaitConnected(WAIT)).isTrue();

        server.stop();
        await().atMost(WAIT).until(() -> {
            try {
                managed.write(line("x"));
                managed.input().read();
            }
            catch (IOException expected) {
                // the break
            }
            return !managed.isConnected();
        });
        await().atMost(WAIT).until(() -> failedDials.get() >= 4);
        server.restart();
        assertThat(managed.awaitConnected(WAIT)).isTrue();

        assertThat(logged()).filteredOn(e -> e.getLevel() == Level.WARN).hasSize(1)
                .first().extracting(ILoggingEvent::getFormattedMessage).asString()
                .contains("'m'").contains(server.address()).contains("reconnecting");
        assertThat(logged()).filteredOn(e -> e.getLevel() == Level.INFO)
                .extracting(ILoggingEvent::getFormattedMessage)
                .anySatisfy(message -> assertThat(message).contains("connected again"));
        assertThat(logged()).filteredOn(e -> e.getLevel() == Level.DEBUG).hasSizeGreaterThanOrEqualTo(3);
    }

    @Test
    void closeReturnsAtOnceWhileADialHangsAndLaterUseFailsClearly() throws Exception {
        CountDownLatch dialing = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        Dialer hanging = (address, timeout) -> {
            dialing.countDown();
            try {
                never.await();
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
            throw new java.net.SocketTimeoutException("interrupted by close");
        };
        managed = ManagedConnection.builder().servers(server.address()).dialer(hanging)
                .dialTimeout(Duration.ofMinutes(5)).build();
        assertThat(dialing.await(10, TimeUnit.SECONDS)).isTrue();

        long start = System.nanoTime();
        managed.close();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));

        assertThatThrownBy(() -> managed.write(line("x"))).isInstanceOf(PoolClosedException.class)
                .hasMessageContaining("closed");
        assertThatThrownBy(managed::take).isInstanceOf(PoolClosedException.class);
        assertThat(managed.awaitConnected(Duration.ofSeconds(5))).isFalse();
        managed.close(); // idempotent
    }

    @Test
    void closeOfAConnectionThatNeverReachedItsServerReturnsPromptly() throws Exception {
        // goperconn's Close hung when the server had never been reached
        managed = fastRetry("127.0.0.1:" + freePortNobodyListensOn()).build();
        assertThat(managed.awaitConnected(Duration.ofMillis(100))).isFalse();

        CompletableFuture<Void> closing = CompletableFuture.runAsync(managed::close);

        closing.get(2, TimeUnit.SECONDS);
        assertThatThrownBy(() -> managed.write(line("x"))).isInstanceOf(PoolClosedException.class);
    }

    @Test
    void closeClosesTheSocketAndStopsTheBackgroundThread() throws Exception {
        managed = fastRetry(server.address()).build();
        assertThat(managed.awaitConnected(WAIT)).isTrue();
        await().atMost(WAIT).until(() -> server.openConnections() == 1);

        managed.close();

        await().atMost(WAIT).until(() -> server.openConnections() == 0);
        await().atMost(Duration.ofSeconds(15)).until(() -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.getName().equals("connpool-m-reconnect")));
    }

    @Test
    void rejectsInvalidOptionsNamingThem() {
        assertThatThrownBy(() -> ManagedConnection.builder().build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("servers");
        assertThatThrownBy(() -> ManagedConnection.builder().servers(server.address()).dialTimeout(Duration.ZERO)
                .build()).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("dialTimeout");
        assertThatThrownBy(() -> ManagedConnection.builder().servers(server.address())
                .retryMin(Duration.ofMinutes(2)).retryMax(Duration.ofMinutes(1)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("retryMin");
        assertThatThrownBy(() -> ManagedConnection.builder().servers("nope")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'nope'");
    }

    static int freePortNobodyListensOn() throws IOException {
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }
}
