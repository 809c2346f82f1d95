package io.connpool.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.connpool.ConnPool;
import io.connpool.PoolStats;
import io.connpool.PooledConnection;
import io.connpool.test.MockTcpServer;
import io.connpool.testing.LineClient;
import io.connpool.testing.PoolFixture;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * 10,000 virtual threads over 16 connections, recorded by JFR: no {@code jdk.VirtualThreadPinned} event may
 * come from the pool's code. Needs JDK 21+ (virtual threads are created reflectively, as the core compiles
 * for 17): Maven runs it in the jdk25 profile's own surefire execution on Temurin 25, and not on JDK 17.
 */
@Tag("jdk25")
class VirtualThreadPinningTest {

    private static final int THREADS = 10_000;

    @RegisterExtension
    final PoolFixture fixture = new PoolFixture();

    private final MockTcpServer a = fixture.server("a");
    private final MockTcpServer b = fixture.server("b");
    private ConnPool pool;

    @Test
    void tenThousandVirtualThreadsOverSixteenConnectionsNeverPinInPoolCode() throws Throwable {
        ThreadFactory virtualThreads = io.connpool.testing.VirtualThreads.factory();
        pool = fixture.pool(ConnPool.builder().name("virtual")
                .servers(a.address(), b.address())
                .maxConnectionsPerServer(8)
                .acquireTimeout(Duration.ofMinutes(2)));
        warmUpJdkSocketIo(virtualThreads);
        warmUpPool(virtualThreads);
        Path dump = Path.of("target", "jfr", "virtual-thread-pinning.jfr");
        Files.createDirectories(dump.getParent());
        AtomicInteger served = new AtomicInteger();
        ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
        long started;
        long finished;
        try (Recording recording = new Recording()) {
            recording.enable("jdk.VirtualThreadPinned").withThreshold(Duration.ZERO).withStackTrace();
            recording.start();

            // a control: a virtual thread that parks inside a class initializer is pinned, so the recording must
            // show it; if it does not, the recording could not have caught the pool pinning either
            Thread control = virtualThreads.newThread(() -> PinsWhileInitialising.touch());
            control.start();
            control.join(TimeUnit.SECONDS.toMillis(30));

            started = System.nanoTime();
            List<Thread> threads = new ArrayList<>(THREADS);
            for (int i = 0; i < THREADS; i++) {
                String line = "v" + i;
                Thread thread = virtualThreads.newThread(() -> {
                    try (PooledConnection c = pool.acquire()) {
                        String reply = LineClient.call(c, line);
                        if (reply.endsWith(":" + line)) {
                            served.incrementAndGet();
                        }
                        else {
                            errors.add(new AssertionError("reply '" + reply + "' to '" + line + "'"));
                        }
                    }
                    catch (Throwable ex) {
                        errors.add(ex);
                    }
                });
                threads.add(thread);
                thread.start();
            }
            for (Thread thread : threads) {
                thread.join(TimeUnit.MINUTES.toMillis(2));
                assertThat(thread.isAlive()).as("a virtual thread still running after 2 minutes").isFalse();
            }
            finished = System.nanoTime();
            recording.stop();
            recording.dump(dump);
        }

        List<RecordedEvent> pinned = RecordingFile.readAllEvents(dump).stream()
                .filter(event -> event.getEventType().getName().equals("jdk.VirtualThreadPinned"))
                .toList();
        List<RecordedEvent> control = pinned.stream().filter(event -> hasFrame(event,
                PinsWhileInitialising.class.getName())).toList();
        List<RecordedEvent> classLoading = pinned.stream().filter(VirtualThreadPinningTest::loadingAClass).toList();
        List<RecordedEvent> fromPool = pinned.stream().filter(event -> !loadingAClass(event))
                .filter(VirtualThreadPinningTest::inPoolCode).toList();

        assertThat(errors).isEmpty();
        assertThat(served.get()).isEqualTo(THREADS);
        assertThat(control).as("the deliberate pin was recorded (%d pinned events in all)", pinned.size()).isNotEmpty();
        assertThat(fromPool).as("pinned events with connpool frames:%n%s", describe(fromPool)).isEmpty();
        PoolStats stats = pool.stats();
        assertThat(stats.acquired()).isEqualTo(THREADS + 200);
        assertThat(stats.released()).isEqualTo(THREADS + 200);
        assertThat(stats.created()).isLessThanOrEqualTo(16 + stats.closed());
        pool.close();
        await().atMost(Duration.ofSeconds(5)).until(() -> a.openConnections() == 0 && b.openConnections() == 0);

        long millis = TimeUnit.NANOSECONDS.toMillis(finished - started);
        FaultMatrix.record("10,000 virtual threads over 16 connections (JDK " + Runtime.version().feature() + ")",
                "all served; " + fromPool.size() + " jdk.VirtualThreadPinned events from connpool code ("
                        + pinned.size() + " in all: the deliberate control, " + classLoading.size()
                        + " while the JDK loaded a class or linked a method handle); took " + millis + " ms",
                FaultMatrix.NOT_APPLICABLE, FaultMatrix.NOT_APPLICABLE, "0 pinned events from io.connpool");
    }

    /**
     * The JDK pins a virtual thread once while another one initialises its socket poller classes
     * ("Waited for initialization of sun.nio.ch.Poller by another thread"), whoever does the first read. That is
     * the JDK's, not the pool's: one plain socket read on a virtual thread, outside the pool, gets it done first.
     */
    private void warmUpJdkSocketIo(ThreadFactory virtualThreads) throws Exception {
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        Thread warmUp = virtualThreads.newThread(() -> {
            try (java.nio.channels.SocketChannel channel = java.nio.channels.SocketChannel.open()) {
                java.net.Socket socket = channel.socket();
                socket.connect(new java.net.InetSocketAddress("127.0.0.1", a.port()), 5_000);
                socket.setSoTimeout(100);
                try {
                    socket.getInputStream().read(); // nothing was sent: this read parks, then times out
                    failures.add(new AssertionError("the server answered a request nobody sent"));
                }
                catch (java.net.SocketTimeoutException expected) {
                    // the poller is initialised now
                }
            }
            catch (Throwable ex) {
                failures.add(ex);
            }
        });
        warmUp.start();
        warmUp.join(TimeUnit.SECONDS.toMillis(30));
        assertThat(failures).isEmpty();
    }

    /**
     * Loads the classes of the borrow path before the recording: virtual threads racing to load a class for
     * the first time contend on the class loader's lock, inside native frames, and are pinned once per JVM
     * ("Freeze or preempt failed", under ClassLoader.loadClass). That is start-up, not the pool's steady state.
     */
    private void warmUpPool(ThreadFactory virtualThreads) throws Exception {
        List<Thread> threads = new ArrayList<>();
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        for (int i = 0; i < 200; i++) {
            Thread thread = virtualThreads.newThread(() -> {
                try (PooledConnection c = pool.acquire()) {
                    LineClient.call(c, "warm-up");
                }
                catch (Throwable ex) {
                    failures.add(ex);
                }
            });
            threads.add(thread);
            thread.start();
        }
        for (Thread thread : threads) {
            thread.join(TimeUnit.SECONDS.toMillis(60));
        }
        assertThat(failures).isEmpty();
    }

    /**
     * Pinned while the JDK loads a class or links a method handle for the first time (a VarHandle of
     * ConcurrentLinkedQueue, say, resolved under a monitor of the JDK's): its one-time cost, counted apart.
     */
    private static boolean loadingAClass(RecordedEvent event) {
        return event.getStackTrace() != null && event.getStackTrace().getFrames().stream()
                .anyMatch(frame -> frame.getMethod().getType().getName().equals("java.lang.ClassLoader")
                        && frame.getMethod().getName().equals("loadClass")
                        || frame.getMethod().getType().getName().equals("java.lang.invoke.MethodHandleNatives"));
    }

    /** A frame of the pool itself (not of these tests or their fixtures, which every virtual thread runs). */
    private static boolean inPoolCode(RecordedEvent event) {
        return event.getStackTrace() != null && event.getStackTrace().getFrames().stream()
                .map(frame -> frame.getMethod().getType().getName())
                .anyMatch(type -> type.startsWith("io.connpool.") && !type.startsWith("io.connpool.reliability.")
                        && !type.startsWith("io.connpool.testing.") && !type.startsWith("io.connpool.test."));
    }

    private static boolean hasFrame(RecordedEvent event, String className) {
        return event.getStackTrace() != null && event.getStackTrace().getFrames().stream()
                .anyMatch(frame -> frame.getMethod().getType().getName().equals(className));
    }

    private static String describe(List<RecordedEvent> events) {
        return events.stream().limit(5).map(event -> event.getStackTrace().getFrames().stream().limit(15)
                .map(VirtualThreadPinningTest::frame).collect(Collectors.joining("\n    ", "  ", "")))
                .collect(Collectors.joining("\n"));
    }

    private static String frame(RecordedFrame frame) {
        return frame.getMethod().getType().getName() + "." + frame.getMethod().getName() + ":" + frame.getLineNumber();
    }

    /** Parks during its static initialiser, which pins a virtual thread to its carrier. */
    static final class PinsWhileInitialising {

        static {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50)); // pinning on purpose, the control
        }

        static void touch() {
        }
    }
}
