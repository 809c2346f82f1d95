package io.connpool.benchmarks;

import io.connpool.benchmarks.pools.RawConnection;
import io.connpool.benchmarks.pools.SocketPool;
import io.connpool.benchmarks.readtimeout.ReadTimeoutOption;
import io.connpool.benchmarks.readtimeout.TimedConnection;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicLong;

/**
 * CPU nanoseconds per acquire/release, from each thread's own CPU time: unlike JMH's wall-clock throughput it
 * does not count time the OS gave to other processes, so it stays usable on a machine shared with other builds.
 * It still includes cache misses caused by them, so compare runs taken side by side.
 *
 * <pre>java -cp benchmarks.jar io.connpool.benchmarks.CpuTimePerCycle [impl=connpool] [size=8] [threads=1] [rounds=5] [millis=1000] [op=cycle] [json=file]</pre>
 *
 * With {@code op=echo} each operation also sends 64 bytes and reads their echo, and the CPU time is the whole
 * process's (client threads, echo server threads and their system calls), so {@code impl=dedicated} (a socket
 * per thread, no pool; {@code dedicated-read-timeout} with SO_TIMEOUT 30 s) gives the upper bound, and
 * {@code impl=rt:<option>} a socket per thread whose reads are bounded by a {@link ReadTimeoutOption} (30 s). Prints each
 * round and the best (lowest) round: the one least disturbed.
 */
public final class CpuTimePerCycle {

    private CpuTimePerCycle() {
    }

    private static int exchange(java.io.OutputStream out, java.io.InputStream in, byte[] request, byte[] reply)
            throws java.io.IOException {
        out.write(request, 0, request.length);
        int read = 0;
        while (read < reply.length) {
            int n = in.read(reply, read, reply.length - read);
            if (n < 0) {
                throw new java.io.EOFException("echo server closed the connection after " + read + " bytes");
            }
            read += n;
        }
        return reply[0];
    }

    public static void main(String[] args) throws Exception {
        MainArguments arguments = MainArguments.parse(args, "impl", "size", "threads", "rounds", "millis", "op",
                "json");
        String impl = arguments.text("impl", "connpool");
        int size = arguments.integer("size", 8);
        int threads = arguments.integer("threads", 1);
        int rounds = arguments.integer("rounds", 5);
        long millis = arguments.number("millis", 1000);
        String op = arguments.text("op", "cycle");
        if (!op.equals("cycle") && !op.equals("echo")) {
            throw new IllegalArgumentException("op=" + op + " is not one of op=cycle|echo");
        }
        boolean echo = op.equals("echo");
        String json = arguments.text("json", null);
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        ReadTimeoutOption readTimeout = impl.startsWith("rt:") ? ReadTimeoutOption.of(impl.substring(3)) : null;
        boolean dedicated = impl.startsWith("dedicated") || readTimeout != null;
        boolean dedicatedTimeout = "dedicated-read-timeout".equals(impl);
        if (dedicated && !echo) {
            throw new IllegalArgumentException("impl=dedicated only makes sense with op=echo");
        }
        boolean measureEcho = echo;
        long timeoutNanos = java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
        AutoCloseable watchdog = readTimeout == null ? null : readTimeout.newWatchdog(timeoutNanos);
        try (EchoServers server = EchoServers.single()) {
            @SuppressWarnings("unchecked")
            SocketPool<Object> pool = dedicated ? null
                    : (SocketPool<Object>) SocketPool.create(impl, server.address(0), size);
            try {
                if (pool != null) {
                    pool.fill(size);
                }
                double best = Double.MAX_VALUE;
                for (int round = -2; round < rounds; round++) { // two rounds of warm-up
                    AtomicLong cpu = new AtomicLong();
                    AtomicLong ops = new AtomicLong();
                    CyclicBarrier start = new CyclicBarrier(threads);
                    long stopAt = System.nanoTime() + millis * 1_000_000L + 50_000_000L;
                    List<Thread> workers = new ArrayList<>();
                    long process0 = os.getProcessCpuTime();
                    List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
                    for (int t = 0; t < threads; t++) {
                        Thread worker = new Thread(() -> {
                            AutoCloseable own = null;
                            java.io.OutputStream ownOut = null;
                            java.io.InputStream ownIn = null;
                            try {
                                byte[] request = new byte[64];
                                byte[] reply = new byte[64];
                                if (readTimeout != null) {
                                    TimedConnection timed = readTimeout.open(server.address(0), timeoutNanos, watchdog);
                                    own = timed;
                                    ownOut = timed.output();
                                    ownIn = timed.input();
                                }
                                else if (dedicated) {
                                    RawConnection raw = RawConnection.dial(server.address(0));
                                    if (dedicatedTimeout) {
                                        raw.socket.setSoTimeout(30_000);
                                    }
                                    own = raw;
                                    ownOut = raw.output;
                                    ownIn = raw.input;
                                }
                                start.await();
                                long cpu0 = mx.getCurrentThreadCpuTime();
                                long n = 0;
                                long sink = 0;
                                while ((n & 255) != 0 || System.nanoTime() < stopAt) {
                                    if (own != null) {
                                        sink += exchange(ownOut, ownIn, request, reply);
                                    }
                                    else {
                                        Object lease = pool.acquire();
                                        sink += measureEcho
                                                ? exchange(pool.output(lease), pool.input(lease), request, reply)
                                                : System.identityHashCode(pool.socket(lease));
                                        pool.release(lease);
                                    }
                                    n++;
                                }
                                cpu.addAndGet(mx.getCurrentThreadCpuTime() - cpu0);
                                ops.addAndGet(n + (sink == 42 ? 1 : 0));
                            }
                            catch (Throwable ex) {
                                failures.add(ex);
                            }
                            finally {
                                if (own != null) {
                                    try {
                                        own.close();
                                    }
                                    catch (Exception ignored) {
                                        // closing anyway
                                    }
                                }
                            }
                        });
                        workers.add(worker);
                        worker.start();
                    }
                    for (Thread worker : workers) {
                        worker.join();
                    }
                    if (!failures.isEmpty()) {
                        throw new IllegalStateException("a worker failed", failures.get(0));
                    }
                    long processCpu = os.getProcessCpuTime() - process0;
                    double perOp = (double) (measureEcho ? processCpu : cpu.get()) / ops.get();
                    if (round >= 0) {
                        best = Math.min(best, perOp);
                        System.out.printf(Locale.ROOT, "%s size=%d threads=%d round %d: %.1f cpu ns/cycle (%d cycles)%n",
                                impl, size, threads, round, perOp, ops.get());
                    }
                }
                System.out.printf(Locale.ROOT, "BEST %s size=%d threads=%d: %.1f cpu ns/%s%n", impl, size, threads,
                        best, measureEcho ? "round trip (whole process)" : "cycle");
                if (json != null) {
                    SideResults.append(java.nio.file.Path.of(json), List.of(String.format(Locale.ROOT,
                            "{\"kind\":\"cpu\",\"impl\":\"%s\",\"op\":\"%s\",\"size\":%d,\"threads\":%d,"
                                    + "\"cpuNs\":%.1f}", impl, measureEcho ? "echo" : "cycle", size, threads, best)));
                }
            }
            finally {
                if (pool != null) {
                    pool.close();
                }
                if (watchdog != null) {
                    watchdog.close();
                }
            }
        }
    }
}
