package io.connpool.benchmarks;

import io.connpool.PooledConnection;
import io.connpool.benchmarks.pools.ConnpoolSocketPool;
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
 * What the per-server rate limiter costs when it never says no ({@code maxRps} of a billion) against no
 * limiter at all ({@code maxRps = 0}), on connpool's borrow/return with a pool of 8.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@State(Scope.Benchmark)
public class RateLimiterBenchmark {

    static final int SIZE = 8;

    @Param({"0", "1000000000"})
    public int maxRps;

    private EchoServers server;
    private ConnpoolSocketPool pool;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        server = EchoServers.single();
        ConnpoolSocketPool.Builder builder = ConnpoolSocketPool.builder(SIZE, server.address(0));
        builder.options().maxRps(maxRps);
        pool = builder.build();
        pool.fill(SIZE);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        Checks.noDialsWhileMeasuring(pool, SIZE);
        long timeouts = pool.pool().stats().timeouts();
        pool.close();
        server.close();
        if (timeouts != 0) {
            throw new IllegalStateException(timeouts + " acquires timed out with maxRps=" + maxRps
                    + ": the limiter was binding, so this did not measure its cost when it is not");
        }
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

    private void cycle(Blackhole bh) throws Exception {
        PooledConnection connection = pool.acquire();
        bh.consume(connection.socket());
        connection.close();
    }
}
