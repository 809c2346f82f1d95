package io.connpool.benchmarks;

import io.connpool.benchmarks.pools.RawConnection;
import io.connpool.benchmarks.pools.SocketPool;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
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
 * A request of 64 bytes and its 64-byte echo per operation, 8 threads over a pool of 8 connections, against
 * a socket of its own per thread (no pool at all: the upper bound). The read-timeout variants separate the
 * pool's own cost from that of SO_TIMEOUT, which connpool sets by default (readTimeout 30 s).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Threads(8)
public class EchoBenchmark {

    static final int MESSAGE = 64;
    static final int THREADS = 8;
    static final String DEDICATED = "dedicated";
    /** A socket per thread with the same SO_TIMEOUT as connpool's default readTimeout (30 s). */
    static final String DEDICATED_READ_TIMEOUT = "dedicated-read-timeout";

    /** The server and the pool, shared by all threads. */
    @State(Scope.Benchmark)
    public static class Shared {

        @Param({"connpool", DEDICATED, "hikaricp", "commons-pool2", "connpool-no-read-timeout", DEDICATED_READ_TIMEOUT})
        public String impl;

        EchoServers server;
        SocketPool<Object> pool;

        @Setup(Level.Trial)
        @SuppressWarnings("unchecked")
        public void setUp() throws Exception {
            server = EchoServers.single();
            if (!impl.startsWith(DEDICATED)) {
                pool = (SocketPool<Object>) SocketPool.create(impl, server.address(0), THREADS);
                pool.fill(THREADS);
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() throws Exception {
            if (pool != null) {
                Checks.noDialsWhileMeasuring(pool, THREADS);
                pool.close();
            }
            server.close();
        }
    }

    /** Each thread's buffers, and its own socket when nothing is pooled. */
    @State(Scope.Thread)
    public static class PerThread {

        final byte[] request = new byte[MESSAGE];
        final byte[] reply = new byte[MESSAGE];
        RawConnection dedicated;

        @Setup(Level.Trial)
        public void setUp(Shared shared) throws IOException {
            Arrays.fill(request, (byte) 'x');
            if (shared.impl.startsWith(DEDICATED)) {
                dedicated = RawConnection.dial(shared.server.address(0));
                if (DEDICATED_READ_TIMEOUT.equals(shared.impl)) {
                    dedicated.socket.setSoTimeout(30_000);
                }
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() throws IOException {
            if (dedicated != null) {
                dedicated.close();
            }
        }
    }

    @Benchmark
    public byte roundTrip(Shared shared, PerThread local) throws Exception {
        RawConnection own = local.dedicated;
        if (own != null) {
            return exchange(own.output, own.input, local.request, local.reply);
        }
        SocketPool<Object> pool = shared.pool;
        Object lease = pool.acquire();
        try {
            return exchange(pool.output(lease), pool.input(lease), local.request, local.reply);
        }
        finally {
            pool.release(lease);
        }
    }

    static byte exchange(OutputStream out, InputStream in, byte[] request, byte[] reply) throws IOException {
        out.write(request, 0, MESSAGE);
        int read = 0;
        while (read < MESSAGE) {
            int n = in.read(reply, read, MESSAGE - read);
            if (n < 0) {
                throw new EOFException("echo server closed the connection after " + read + " of " + MESSAGE
                        + " reply bytes");
            }
            read += n;
        }
        return reply[MESSAGE - 1];
    }
}
