package io.connpool.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** What the JVM holds: open file descriptors and live threads, to compare with a baseline. */
final class Resources {

    private Resources() {
    }

    /** Entries in {@code /proc/self/fd} (Linux). */
    static int openFileDescriptors() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return (int) fds.count();
        }
        catch (IOException ex) {
            throw new UncheckedIOException("cannot list /proc/self/fd; these tests need Linux", ex);
        }
    }

    /** Names of live threads started by the pool or the test servers. */
    static List<String> poolAndServerThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .map(Thread::getName)
                .filter(name -> name.startsWith("connpool-") || name.startsWith("mock-tcp-server-")
                        || name.startsWith("test-server-") || name.startsWith("traffic-") || name.startsWith("echo-"))
                .sorted()
                .toList();
    }

    /**
     * Client connections to the loopback port still ESTABLISHED as the kernel sees them ({@code /proc/net/tcp}
     * and {@code tcp6}): zero once every FIN or RST the server sent has been taken in by the client side.
     */
    static long establishedTo(int port) {
        String remotePort = String.format(":%04X", port);
        long count = 0;
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            Path path = Path.of(table);
            if (!Files.exists(path)) {
                continue;
            }
            try (Stream<String> lines = Files.lines(path)) {
                count += lines.skip(1).map(String::trim).map(line -> line.split("\\s+"))
                        .filter(fields -> fields.length > 3 && fields[2].endsWith(remotePort) && fields[3].equals("01"))
                        .count();
            }
            catch (IOException ex) {
                throw new UncheckedIOException("cannot read " + table, ex);
            }
        }
        return count;
    }

    static int liveThreads() {
        return (int) Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).count();
    }
}
