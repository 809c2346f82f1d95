package io.connpool.benchmarks.readtimeout;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import io.connpool.benchmarks.SideResults;
import java.util.concurrent.TimeUnit;

/**
 * Does a read timeout still fire? Against a loopback server that reads every request and never answers, each of
 * {@code connections} threads sends a request on its own connection and reads: the read must throw
 * {@link SocketTimeoutException} no earlier than the timeout and no later than the timeout plus the option's margin,
 * and the connection must then be unusable (closed, marked timed out, a further read fails at once).
 *
 * <pre>java -cp benchmarks.jar io.connpool.benchmarks.readtimeout.TimeoutCheck [timeoutMillis=200] [connections=8] [rounds=3] [json=file]</pre>
 */
public final class TimeoutCheck {

    /** What one option did; {@code failures} lists every broken promise (empty when it passed). */
    public record Result(ReadTimeoutOption option, long timeoutNanos, long marginNanos, long earliestNanos,
            long latestNanos, List<String> failures) {

        public boolean passed() {
            return failures.isEmpty();
        }

        String json() {
            return String.format(Locale.ROOT, "{\"kind\":\"timeout-check\",\"option\":\"%s\",\"timeoutMs\":%.1f,"
                    + "\"marginMs\":%.1f,\"earliestMs\":%.1f,\"latestMs\":%.1f,\"passed\":%s,\"failures\":%d}",
                    option.id(), ms(timeoutNanos), ms(marginNanos), ms(earliestNanos), ms(latestNanos), passed(),
                    failures.size());
        }
    }

    private TimeoutCheck() {
    }

    static double ms(long nanos) {
        return nanos / 1e6;
    }

    /** Runs the check for one bounded option with the option's own margin. */
    public static Result check(ReadTimeoutOption option, long timeoutNanos, int connections, int rounds)
            throws Exception {
        return check(option, timeoutNanos, connections, rounds, 0);
    }

    /**
     * Runs the check for one bounded option.
     *
     * @param extraMarginNanos added to the option's margin: scheduling delay a loaded test machine may add
     */
    public static Result check(ReadTimeoutOption option, long timeoutNanos, int connections, int rounds,
            long extraMarginNanos) throws Exception {
        if (!option.bounded()) {
            throw new IllegalArgumentException(option.id() + " has no read timeout to check");
        }
        long margin = option.marginNanos(timeoutNanos) + extraMarginNanos;
        List<String> failures = new CopyOnWriteArrayList<>();
        List<Long> elapsed = new CopyOnWriteArrayList<>();
        AutoCloseable watchdog = option.newWatchdog(timeoutNanos);
        try (SilentServer server = new SilentServer()) {
            for (int round = 0; round < rounds; round++) {
                CountDownLatch done = new CountDownLatch(connections);
                for (int i = 0; i < connections; i++) {
                    Thread reader = new Thread(() -> {
                        try {
                            readUntilTimeout(option, server.address(), timeoutNanos, margin, watchdog, elapsed,
                                    failures);
                        }
                        catch (Exception ex) {
                            failures.add(option.id() + ": " + ex);
                        }
                        finally {
                            done.countDown();
                        }
                    }, "timeout-check-" + i);
                    reader.start();
                }
                if (!done.await(timeoutNanos * 4 + TimeUnit.SECONDS.toNanos(10), TimeUnit.NANOSECONDS)) {
                    failures.add(option.id() + ": a read was still blocked long after its timeout (it hangs)");
                    break;
                }
            }
        }
        finally {
            if (watchdog != null) {
                watchdog.close();
            }
        }
        long earliest = elapsed.stream().mapToLong(Long::longValue).min().orElse(-1);
        long latest = elapsed.stream().mapToLong(Long::longValue).max().orElse(-1);
        return new Result(option, timeoutNanos, margin, earliest, latest, List.copyOf(failures));
    }

    private static void readUntilTimeout(ReadTimeoutOption option, InetSocketAddress server, long timeoutNanos,
            long margin, AutoCloseable watchdog, List<Long> elapsed, List<String> failures) throws IOException {
        try (TimedConnection connection = option.open(server, timeoutNanos, watchdog)) {
            connection.output().write(new byte[64]);
            long start = System.nanoTime();
            try {
                int n = connection.input().read(new byte[64]);
                failures.add(option.id() + ": read returned " + n + " from a server that never answers");
                return;
            }
            catch (SocketTimeoutException expected) {
                long took = System.nanoTime() - start;
                elapsed.add(took);
                if (took < timeoutNanos) {
                    failures.add(String.format(Locale.ROOT, "%s: timed out early, after %.1f ms of %.1f ms",
                            option.id(), ms(took), ms(timeoutNanos)));
                }
                if (took > timeoutNanos + margin) {
                    failures.add(String.format(Locale.ROOT, "%s: timed out late, after %.1f ms (bound %.1f + %.1f ms)",
                            option.id(), ms(took), ms(timeoutNanos), ms(margin)));
                }
            }
            if (connection.isUsable() || !connection.timedOut() || !connection.socket().isClosed()) {
                failures.add(option.id() + ": the timed-out connection is still usable (open " + !connection.socket()
                        .isClosed() + ", timedOut " + connection.timedOut() + ")");
            }
            try {
                connection.input().read(new byte[64]);
                failures.add(option.id() + ": a read after the timeout did not fail");
            }
            catch (IOException expected) {
                // closed for good
            }
        }
    }

    /** Accepts connections and reads whatever comes, never answering. */
    static final class SilentServer implements AutoCloseable {

        private final ServerSocket listener = new ServerSocket(0, 64, InetAddress.getLoopbackAddress());
        private final List<Socket> accepted = new CopyOnWriteArrayList<>();
        private final Thread acceptor;

        SilentServer() throws IOException {
            acceptor = new Thread(this::acceptLoop, "silent-server");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        InetSocketAddress address() {
            return new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.getLocalPort());
        }

        private void acceptLoop() {
            try {
                while (true) {
                    Socket socket = listener.accept();
                    accepted.add(socket);
                    Thread drain = new Thread(() -> {
                        byte[] sink = new byte[256];
                        try (InputStream in = socket.getInputStream()) {
                            while (in.read(sink) >= 0) {
                                // read and never answer
                            }
                        }
                        catch (IOException ignored) {
                            // the client closed: done
                        }
                    }, "silent-server-connection");
                    drain.setDaemon(true);
                    drain.start();
                }
            }
            catch (IOException closed) {
                // listener closed
            }
        }

        @Override
        public void close() throws IOException {
            listener.close();
            for (Socket socket : accepted) {
                socket.close();
            }
        }
    }

    public static void main(String[] args) throws Exception {
        io.connpool.benchmarks.MainArguments arguments = io.connpool.benchmarks.MainArguments.parse(args,
                "timeoutMillis", "connections", "rounds", "json");
        long timeoutMillis = arguments.number("timeoutMillis", 200);
        int connections = arguments.integer("connections", 8);
        int rounds = arguments.integer("rounds", 3);
        String json = arguments.text("json", null);
        List<String> lines = new ArrayList<>();
        boolean all = true;
        for (ReadTimeoutOption option : ReadTimeoutOption.values()) {
            if (!option.bounded()) {
                continue;
            }
            Result result = check(option, TimeUnit.MILLISECONDS.toNanos(timeoutMillis), connections, rounds);
            all &= result.passed();
            System.out.printf(Locale.ROOT, "%-22s timeout %d ms: fired after %.1f..%.1f ms (allowed up to %.1f), %s%n",
                    option.id(), timeoutMillis, ms(result.earliestNanos()), ms(result.latestNanos()),
                    ms(result.timeoutNanos() + result.marginNanos()), result.passed() ? "ok, connection closed"
                            : "FAILED: " + result.failures());
            lines.add(result.json());
        }
        if (json != null) {
            SideResults.append(java.nio.file.Path.of(json), lines);
        }
        if (!all) {
            System.exit(1);
        }
    }
}
