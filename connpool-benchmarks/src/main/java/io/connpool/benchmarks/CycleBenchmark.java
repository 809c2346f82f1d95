package io.connpool.benchmarks;

import io.connpool.benchmarks.pools.SocketPool;
import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * Borrow a connection and give it straight back: the pool's own cost, nothing on the wire. Every pool holds
 * {@code size} open loopback sockets to one server before measuring starts, so no dial is timed. The pool of 8 is
 * what the targets are set for; {@code -p size=32} measures a pool as large as the thread count.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@State(Scope.Benchmark)
public class CycleBenchmark {

    @Param({"connpool", "hikaricp", "commons-pool2", "concurrentbag"})
    public String impl;

    @Param({"8"})
    public int size;

    private EchoServers server;
    private SocketPool<Object> pool;

    @Setup(Level.Trial)
    @SuppressWarnings("unchecked")
    public void setUp() throws Exception {
        server = EchoServers.single();
        pool = (SocketPool<Object>) SocketPool.create(impl, server.address(0), size);
        pool.fill(size);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        Checks.noDialsWhileMeasuring(pool, size);
        pool.close();
        server.close();
    }

    @Benchmark
    @Threads(1)
    public void threads01(Blackhole bh) throws Exception {
        cycle(bh);
    }

    @Benchmark
    @Threads(8)
    public void threads08(Blackhole bh) throws Exception {
        cycle(bh);
    }

    @Benchmark
    @Threads(32)
    public void threads32(Blackhole bh) throws Exception {
        cycle(bh);
    }

    private void cycle(Blackhole bh) throws Exception {
        Object lease = pool.acquire();
        bh.consume(pool.socket(lease));
        pool.release(lease);
    }
}
