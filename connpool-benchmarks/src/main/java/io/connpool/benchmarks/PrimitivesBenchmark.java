package io.connpool.benchmarks;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;

/**
 * The price of each primitive an acquire/release cycle is built from, as the core uses them, so a cycle's CPU time
 * can be split into parts (clock reads, state CAS, stats, listener calls) without changing the core: count how many
 * of each the cycle does (before and after a rewrite) and multiply. {@code -prof stack} / JFR of
 * {@code CycleBenchmark} shows where the rest goes. Contended variants run 2 threads, one per core of the
 * 2-core machine, on one shared variable (more threads than cores only take turns).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms256m", "-Xmx256m"})
public class PrimitivesBenchmark {

    /** What a listener chain with no listener (the default) or one no-op listener fires into. */
    interface Listener {
        void acquired(Object server, long waitNanos);
    }

    /** Each thread's own variables: uncontended. */
    @State(Scope.Thread)
    public static class Own {
        final AtomicLong state = new AtomicLong();
        final LongAdder adder = new LongAdder();
        volatile long field;
        long plain;
        final Listener[] none = new Listener[0];
        final Listener[] one = {(server, wait) -> { }};
        final Object server = new Object();
    }

    /** Variables every thread updates: contended. */
    @State(Scope.Benchmark)
    public static class Shared {
        final AtomicLong state = new AtomicLong();
        final LongAdder adder = new LongAdder();
    }

    @Benchmark
    public long nanoTime() {
        return System.nanoTime();
    }

    @Benchmark
    public boolean casUncontended(Own own) {
        long v = own.state.get();
        return own.state.compareAndSet(v, v + 1);
    }

    @Benchmark
    @Threads(2)
    public boolean casContended(Shared shared) {
        long v = shared.state.get();
        return shared.state.compareAndSet(v, v + 1);
    }

    @Benchmark
    public void longAdderUncontended(Own own) {
        own.adder.increment();
    }

    @Benchmark
    @Threads(2)
    public void longAdderContended(Shared shared) {
        shared.adder.increment();
    }

    @Benchmark
    public void volatileWrite(Own own) {
        own.field = ++own.plain;
    }

    @Benchmark
    public void listenersNone(Own own) {
        for (Listener listener : own.none) {
            listener.acquired(own.server, 1);
        }
    }

    @Benchmark
    public void listenersOneNoOp(Own own) {
        for (Listener listener : own.one) {
            listener.acquired(own.server, 1);
        }
    }

    @Benchmark
    public long currentThreadId() {
        return Thread.currentThread().getId();
    }
}
