package io.connpool.benchmarks;

import io.connpool.benchmarks.pools.RawConnection;
import io.connpool.benchmarks.pools.SocketPool;
import java.io.IOException;
import java.util.Arrays;
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

/**
 * {@link EchoBenchmark}'s round trip with both sides in one JVM, taking turns by iteration in the order
 * A B, B A, A B, ... ({@link PairedRuns#bFirst}), warm-ups included. On a VM whose speed wanders over seconds
 * to minutes, forks of the same code differ by a quarter, which even interleaved forks cannot average out in
 * a few pairs; neighbouring iterations of one JVM share the machine's state, its JIT and its echo server.
 * The score of a fork mixes both sides and means nothing: {@link AlternatingIterations} reads the iterations
 * one by one. Each side has its own connections: 8 of a pool, or a socket per thread, so {@code a=dedicated
 * b=dedicated} compares two identical sides and shows what the method reads when there is no difference.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Threads(EchoBenchmark.THREADS)
public class EchoAlternationBenchmark {

    /** The server, both sides' pools and whose turn it is. */
    @State(Scope.Benchmark)
    public static class Shared {

        @Param({"connpool"})
        public String a;

        @Param({EchoBenchmark.DEDICATED})
        public String b;

        EchoServers server;
        final SocketPool<?>[] pools = new SocketPool<?>[2];
        /** 0 while A runs, 1 while B does; written between iterations, when no worker runs. */
        volatile int side;
        private int iteration;

        @Setup(Level.Trial)
        public void setUp() throws Exception {
            server = EchoServers.single();
            String[] impls = {a, b};
            for (int i = 0; i < 2; i++) {
                if (!impls[i].equals(EchoBenchmark.DEDICATED)) {
                    pools[i] = SocketPool.create(impls[i], server.address(0), EchoBenchmark.THREADS);
                    pools[i].fill(EchoBenchmark.THREADS);
                }
            }
        }

        @Setup(Level.Iteration)
        public void nextTurn() {
            side = sideOf(iteration++);
        }

        @TearDown(Level.Trial)
        public void tearDown() throws Exception {
            for (SocketPool<?> pool : pools) {
                if (pool != null) {
                    Checks.noDialsWhileMeasuring(pool, EchoBenchmark.THREADS);
                    pool.close();
                }
            }
            server.close();
        }
    }

    /** 0 (A) or 1 (B) for the iteration with this index, counting warm-ups: A B B A A B B A ... */
    static int sideOf(int iteration) {
        boolean second = iteration % 2 == 1;
        return PairedRuns.bFirst(iteration / 2) == second ? 0 : 1;
    }

    /** Each thread's buffers, and its own sockets for each side that pools nothing. */
    @State(Scope.Thread)
    public static class PerThread {

        final byte[] request = new byte[EchoBenchmark.MESSAGE];
        final byte[] reply = new byte[EchoBenchmark.MESSAGE];
        final RawConnection[] dedicated = new RawConnection[2];

        @Setup(Level.Trial)
        public void setUp(Shared shared) throws IOException {
            Arrays.fill(request, (byte) 'x');
            for (int i = 0; i < 2; i++) {
                if (shared.pools[i] == null) {
                    dedicated[i] = RawConnection.dial(shared.server.address(0));
                }
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() throws IOException {
            for (RawConnection connection : dedicated) {
                if (connection != null) {
                    connection.close();
                }
            }
        }
    }

    @Benchmark
    @SuppressWarnings("unchecked")
    public byte roundTrip(Shared shared, PerThread local) throws Exception {
        int side = shared.side;
        RawConnection own = local.dedicated[side];
        if (own != null) {
            return EchoBenchmark.exchange(own.output, own.input, local.request, local.reply);
        }
        SocketPool<Object> pool = (SocketPool<Object>) shared.pools[side];
        Object lease = pool.acquire();
        try {
            return EchoBenchmark.exchange(pool.output(lease), pool.input(lease), local.request, local.reply);
        }
        finally {
            pool.release(lease);
        }
    }
}
