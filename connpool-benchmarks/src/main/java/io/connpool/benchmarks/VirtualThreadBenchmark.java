package io.connpool.benchmarks;

import io.connpool.benchmarks.pools.SocketPool;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * 2,000 virtual threads share 50 connections; each does {@value #CYCLES} borrow/return cycles. One benchmark
 * operation launches the whole batch and waits for it, and the score is per borrow/return. Needs JDK 21+: the
 * module is compiled for 17, so the virtual-thread executor is looked up at run time. Run it with
 * {@code -jvm /usr/lib/jvm/temurin-25-jdk-amd64/bin/java} or that {@code java -jar}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@State(Scope.Benchmark)
@Threads(1)
public class VirtualThreadBenchmark {

    static final int VIRTUAL_THREADS = 2_000;
    static final int CYCLES = 50;
    static final int CONNECTIONS = 50;

    @Param({"connpool", "hikaricp", "concurrentbag"})
    public String impl;

    private EchoServers server;
    private SocketPool<Object> pool;
    private ExecutorService virtualThreads;
    /** Keeps the JIT from dropping the borrowed sockets; read once per batch. */
    private final AtomicLong sink = new AtomicLong();

    @Setup(Level.Trial)
    @SuppressWarnings("unchecked")
    public void setUp() throws Exception {
        virtualThreads = newVirtualThreadPerTaskExecutor();
        server = EchoServers.single();
        pool = (SocketPool<Object>) SocketPool.create(impl, server.address(0), CONNECTIONS);
        pool.fill(CONNECTIONS);
    }

    static ExecutorService newVirtualThreadPerTaskExecutor() {
        try {
            MethodHandle factory = MethodHandles.publicLookup().findStatic(Executors.class,
                    "newVirtualThreadPerTaskExecutor", MethodType.methodType(ExecutorService.class));
            return (ExecutorService) factory.invoke();
        }
        catch (NoSuchMethodException ex) {
            throw new IllegalStateException("Virtual threads need JDK 21 or later; this is JDK "
                    + Runtime.version() + ". Run this benchmark with -jvm <path to a JDK 21+ java>, e.g."
                    + " /usr/lib/jvm/temurin-25-jdk-amd64/bin/java", ex);
        }
        catch (Throwable ex) {
            throw new IllegalStateException("Could not create the virtual-thread executor", ex);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        virtualThreads.shutdown();
        if (!virtualThreads.awaitTermination(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("virtual threads still running 30 s after the last batch");
        }
        Checks.noDialsWhileMeasuring(pool, CONNECTIONS);
        pool.close();
        server.close();
    }

    @Benchmark
    @OperationsPerInvocation(VIRTUAL_THREADS * CYCLES)
    public long batch() throws Exception {
        CountDownLatch done = new CountDownLatch(VIRTUAL_THREADS);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        for (int i = 0; i < VIRTUAL_THREADS; i++) {
            virtualThreads.execute(() -> {
                try {
                    long local = 0;
                    for (int c = 0; c < CYCLES; c++) {
                        Object lease = pool.acquire();
                        local += System.identityHashCode(pool.socket(lease));
                        pool.release(lease);
                    }
                    sink.addAndGet(local);
                }
                catch (Throwable ex) {
                    failure.compareAndSet(null, ex);
                }
                finally {
                    done.countDown();
                }
            });
        }
        if (!done.await(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("a batch of " + VIRTUAL_THREADS + " virtual threads did not finish in 60 s");
        }
        Throwable failed = failure.get();
        if (failed != null) {
            throw new IllegalStateException("a virtual thread failed to borrow or return", failed);
        }
        return sink.get();
    }
}
