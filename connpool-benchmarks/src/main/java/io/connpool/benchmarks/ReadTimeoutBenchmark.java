package io.connpool.benchmarks;

import io.connpool.benchmarks.readtimeout.ReadTimeoutOption;
import io.connpool.benchmarks.readtimeout.TimedConnection;
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
 * The read-timeout question without a pool: 8 threads, each with a connection of its own, send 64 bytes and read
 * the 64-byte echo, every read bounded by a 30 s timeout (connpool's default) enforced by one of the
 * {@link ReadTimeoutOption}s. {@code none-channel} (no timeout, today's socket type) is the physical limit.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Threads(8)
public class ReadTimeoutBenchmark {

    static final long TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(30);

    /** The server and the watchdog, shared by all threads. */
    @State(Scope.Benchmark)
    public static class Shared {

        @Param({"none-channel", "none-plain", "so-timeout-channel", "so-timeout-plain", "watchdog-queue",
                "watchdog-sweep", "watchdog-sweep-coarse", "selector"})
        public String option;

        EchoServers server;
        ReadTimeoutOption chosen;
        AutoCloseable watchdog;

        @Setup(Level.Trial)
        public void setUp() {
            chosen = ReadTimeoutOption.of(option);
            server = EchoServers.single();
            watchdog = chosen.newWatchdog(TIMEOUT_NANOS);
        }

        @TearDown(Level.Trial)
        public void tearDown() throws Exception {
            if (watchdog != null) {
                watchdog.close();
            }
            server.close();
        }
    }

    /** Each thread's connection and buffers. */
    @State(Scope.Thread)
    public static class PerThread {

        final byte[] request = new byte[EchoBenchmark.MESSAGE];
        final byte[] reply = new byte[EchoBenchmark.MESSAGE];
        TimedConnection connection;

        @Setup(Level.Trial)
        public void setUp(Shared shared) throws IOException {
            Arrays.fill(request, (byte) 'x');
            connection = shared.chosen.open(shared.server.address(0), TIMEOUT_NANOS, shared.watchdog);
        }

        @TearDown(Level.Trial)
        public void tearDown() throws IOException {
            if (!connection.isUsable()) {
                throw new IllegalStateException(connection.timedOut() ? "a read timed out while measuring"
                        : "the connection was closed while measuring");
            }
            connection.close();
        }
    }

    @Benchmark
    public byte roundTrip(PerThread local) throws IOException {
        return exchange(local.connection.output(), local.connection.input(), local.request, local.reply);
    }

    /** Writes the request and reads the whole echo. */
    static byte exchange(OutputStream out, InputStream in, byte[] request, byte[] reply) throws IOException {
        out.write(request, 0, request.length);
        int read = 0;
        while (read < reply.length) {
            int n = in.read(reply, read, reply.length - read);
            if (n < 0) {
                throw new EOFException("echo server closed the connection after " + read + " of " + reply.length
                        + " reply bytes");
            }
            read += n;
        }
        return reply[reply.length - 1];
    }
}
