package io.connpool.benchmarks;

import io.connpool.benchmarks.pools.SocketPool;
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
 * <pre>java -cp benchmarks.jar io.connpool.benchmarks.CpuTimePerCycle [impl=connpool] [size=8] [threads=1] [rounds=5] [millis=1000]</pre>
 *
 * Prints each round and the best (lowest) round: the one least disturbed.
 */
public final class CpuTimePerCycle {

    private CpuTimePerCycle() {
    }

    public static void main(String[] args) throws Exception {
        String impl = "connpool";
        int size = 8;
        int threads = 1;
        int rounds = 5;
        long millis = 1000;
        for (String arg : args) {
            String[] kv = arg.split("=", 2);
            switch (kv[0]) {
                case "impl" -> impl = kv[1];
                case "size" -> size = Integer.parseInt(kv[1]);
                case "threads" -> threads = Integer.parseInt(kv[1]);
                case "rounds" -> rounds = Integer.parseInt(kv[1]);
                case "millis" -> millis = Long.parseLong(kv[1]);
                default -> throw new IllegalArgumentException("unknown argument " + arg
                        + "; use impl=, size=, threads=, rounds=, millis=");
            }
        }
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        try (EchoServers server = EchoServers.single()) {
            @SuppressWarnings("unchecked")
            SocketPool<Object> pool = (SocketPool<Object>) SocketPool.create(impl, server.address(0), size);
            try {
                pool.fill(size);
                double best = Double.MAX_VALUE;
                for (int round = -2; round < rounds; round++) { // two rounds of warm-up
                    AtomicLong cpu = new AtomicLong();
                    AtomicLong ops = new AtomicLong();
                    CyclicBarrier start = new CyclicBarrier(threads);
                    long stopAt = System.nanoTime() + millis * 1_000_000L + 50_000_000L;
                    List<Thread> workers = new ArrayList<>();
                    List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
                    for (int t = 0; t < threads; t++) {
                        Thread worker = new Thread(() -> {
                            try {
                                start.await();
                                long cpu0 = mx.getCurrentThreadCpuTime();
                                long n = 0;
                                long sink = 0;
                                while ((n & 1023) != 0 || System.nanoTime() < stopAt) {
                                    Object lease = pool.acquire();
                                    sink += System.identityHashCode(pool.socket(lease));
                                    pool.release(lease);
                                    n++;
                                }
                                cpu.addAndGet(mx.getCurrentThreadCpuTime() - cpu0);
                                ops.addAndGet(n + (sink == 42 ? 1 : 0));
                            }
                            catch (Throwable ex) {
                                failures.add(ex);
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
                    double perOp = (double) cpu.get() / ops.get();
                    if (round >= 0) {
                        best = Math.min(best, perOp);
                        System.out.printf(Locale.ROOT, "%s size=%d threads=%d round %d: %.1f cpu ns/cycle (%d cycles)%n",
                                impl, size, threads, round, perOp, ops.get());
                    }
                }
                System.out.printf(Locale.ROOT, "BEST %s size=%d threads=%d: %.1f cpu ns/cycle%n", impl, size, threads,
                        best);
            }
            finally {
                pool.close();
            }
        }
    }
}
