package io.connpool.benchmarks;

import io.connpool.PooledConnection;
import io.connpool.benchmarks.pools.ConnpoolSocketPool;
import java.net.InetSocketAddress;
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
 * connpool's borrow/return with 1, 100 and 1,000 servers, one warm connection each
 * ({@code maxConnectionsPerServer = minIdlePerServer = 1}): round-robin must not cost more as the server list
 * grows. All listeners live in this JVM, served by one selector thread.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@State(Scope.Benchmark)
@Threads(1)
public class ManyServersBenchmark {

    @Param({"1", "100", "1000"})
    public int servers;

    private EchoServers listeners;
    private ConnpoolSocketPool pool;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        listeners = EchoServers.start(servers, false);
        InetSocketAddress[] addresses = new InetSocketAddress[servers];
        for (int i = 0; i < servers; i++) {
            addresses[i] = listeners.address(i);
        }
        pool = ConnpoolSocketPool.builder(1, addresses).build();
        pool.fill(servers);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        Checks.noDialsWhileMeasuring(pool, servers);
        pool.close();
        listeners.close();
    }

    @Benchmark
    public void cycle(Blackhole bh) throws Exception {
        PooledConnection connection = pool.acquire();
        bh.consume(connection.socket());
        connection.close();
    }
}
