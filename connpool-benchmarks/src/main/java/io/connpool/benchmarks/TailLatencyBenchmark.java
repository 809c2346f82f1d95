package io.connpool.benchmarks;

import io.connpool.benchmarks.pools.SocketPool;
import java.util.List;
import java.util.Locale;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

/**
 * Oversubscription: 32 threads share 8 connections and hold each borrow for 20 µs (busy-spinning on
 * {@code System.nanoTime()}, as work would, not sleeping). JMH's sample-time score is the whole operation
 * (wait + 20 µs + return); every acquire's own latency goes into a per-thread HdrHistogram, and the trial ends
 * with acquire p50 / p99 / p99.9 / max and the fewest and most operations any thread completed (fairness: a starved
 * thread shows as a minimum far below the mean). An acquire that gives up at the peers' common 5 s wait is counted
 * (and recorded at its latency), not fatal: it is the starvation being measured. Those figures are printed and,
 * when {@code connpool.bench.side} is set, written for the report.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Threads(TailLatencyBenchmark.THREADS)
public class TailLatencyBenchmark {

    static final int THREADS = 32;
    static final int CONNECTIONS = 8;
    static final long HOLD_NANOS = TimeUnit.MICROSECONDS.toNanos(20);

    /** The pool and every thread's record, shared. */
    @State(Scope.Benchmark)
    public static class Shared {

        @Param({"connpool", "hikaricp", "commons-pool2"})
        public String impl;

        EchoServers server;
        SocketPool<Object> pool;
        final Queue<PerThread> threads = new ConcurrentLinkedQueue<>();

        @Setup(Level.Trial)
        @SuppressWarnings("unchecked")
        public void setUp() throws Exception {
            server = EchoServers.single();
            pool = (SocketPool<Object>) SocketPool.create(impl, server.address(0), CONNECTIONS);
            pool.fill(CONNECTIONS);
        }

        @TearDown(Level.Trial)
        public void tearDown() throws Exception {
            try {
                Checks.noDialsWhileMeasuring(pool, CONNECTIONS);
                report();
            }
            finally {
                pool.close();
                server.close();
            }
        }

        private void report() {
            Histogram all = new Histogram(3);
            long min = Long.MAX_VALUE;
            long max = 0;
            long total = 0;
            long timeouts = 0;
            for (PerThread thread : threads) {
                timeouts += thread.timeouts;
                all.add(thread.acquireNanos);
                min = Math.min(min, thread.operations);
                max = Math.max(max, thread.operations);
                total += thread.operations;
            }
            if (threads.isEmpty() || total == 0) {
                return; // nothing measured (a run without measurement iterations)
            }
            double mean = (double) total / threads.size();
            String line = String.format(Locale.ROOT, "{\"kind\":\"tail\",\"impl\":\"%s\",\"threads\":%d,"
                    + "\"connections\":%d,\"holdUs\":%d,\"p50Us\":%.2f,\"p99Us\":%.2f,\"p999Us\":%.2f,\"maxUs\":%.2f,"
                    + "\"opsMin\":%d,\"opsMax\":%d,\"opsMean\":%.1f,\"acquires\":%d,\"timeouts\":%d}", impl,
                    threads.size(), CONNECTIONS, HOLD_NANOS / 1000, us(all.getValueAtPercentile(50)),
                    us(all.getValueAtPercentile(99)), us(all.getValueAtPercentile(99.9)), us(all.getMaxValue()), min,
                    max, mean, all.getTotalCount(), timeouts);
            System.out.println();
            System.out.println("acquire latency and fairness: " + line);
            SideResults.appendIfRequested(List.of(line));
        }

        private static double us(long nanos) {
            return nanos / 1000.0;
        }
    }

    /** One thread's acquire latencies and operation count, over measurement iterations only. */
    @State(Scope.Thread)
    public static class PerThread {

        final Histogram acquireNanos = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        long operations;
        long timeouts;
        boolean recording;

        @Setup(Level.Trial)
        public void register(Shared shared) {
            shared.threads.add(this);
        }

        @Setup(Level.Iteration)
        public void iteration(IterationParams params) {
            recording = params.getType() == IterationType.MEASUREMENT;
        }
    }

    @Benchmark
    public long borrowHoldReturn(Shared shared, PerThread local) throws Exception {
        SocketPool<Object> pool = shared.pool;
        long start = System.nanoTime();
        Object lease;
        try {
            lease = pool.acquire();
        }
        catch (Exception timedOut) {
            // every peer waits up to 5 s: a thread that got nothing in that time is the starvation this measures
            if (local.recording) {
                local.acquireNanos.recordValue(Math.min(System.nanoTime() - start,
                        local.acquireNanos.getHighestTrackableValue()));
                local.timeouts++;
            }
            return 0;
        }
        long acquired = System.nanoTime();
        long spins = 0;
        try {
            while (System.nanoTime() - acquired < HOLD_NANOS) {
                spins++;
            }
        }
        finally {
            pool.release(lease);
        }
        if (local.recording) {
            local.acquireNanos.recordValue(Math.min(acquired - start, local.acquireNanos.getHighestTrackableValue()));
            local.operations++;
        }
        return spins;
    }
}
