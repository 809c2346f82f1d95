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
                .filter(name -> name.startsWith("connpool-") || name.startsWith("test-server-")
                        || name.startsWith("traffic-") || name.startsWith("echo-"))
                .sorted()
                .toList();
    }

    static int liveThreads() {
        return (int) Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).count();
    }
}
