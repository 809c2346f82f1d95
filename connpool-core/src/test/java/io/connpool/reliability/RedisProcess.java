package io.connpool.reliability;

import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A redis-server of the test's own on a loopback port, no persistence, killed with SIGKILL. */
final class RedisProcess implements AutoCloseable {

    private final int port;
    private final Process process;

    private RedisProcess(int port, Process process) {
        this.port = port;
        this.process = process;
    }

    static String executable() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
            Path candidate = Path.of(dir, "redis-server");
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        for (String fallback : List.of("/usr/bin/redis-server", "/usr/sbin/redis-server", "/usr/local/bin/redis-server")) {
            if (Files.isExecutable(Path.of(fallback))) {
                return fallback;
            }
        }
        throw new IllegalStateException("redis-server is not installed, and RedisPeerTest needs it as a real peer;"
                + " install it with 'apt-get install -y redis-server' (Debian/Ubuntu)");
    }

    /** Starts redis-server on the port and waits until it answers PING. */
    static RedisProcess start(int port) {
        Path log = Path.of("target", "redis-" + port + ".log").toAbsolutePath();
        List<String> command = List.of(executable(), "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--daemonize", "no");
        Process process;
        try {
            Files.createDirectories(log.getParent());
            process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        }
        catch (IOException ex) {
            throw new UncheckedIOException("cannot start " + command, ex);
        }
        RedisProcess redis = new RedisProcess(port, process);
        try {
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20))
                    .until(() -> !process.isAlive() || redis.answersPing());
        }
        catch (RuntimeException ex) {
            redis.close();
            throw ex;
        }
        if (!process.isAlive()) {
            throw new IllegalStateException("redis-server on port " + port + " exited at start with "
                    + process.exitValue() + "; see " + log);
        }
        return redis;
    }

    private boolean answersPing() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            socket.setSoTimeout(1_000);
            return "+PONG".equals(Resp.call(socket.getInputStream(), socket.getOutputStream(), "PING"));
        }
        catch (IOException notYet) {
            return false;
        }
    }

    int port() {
        return port;
    }

    String hostPort() {
        return "127.0.0.1:" + port;
    }

    void kill() {
        process.destroyForcibly();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("redis-server (pid " + process.pid() + ") survived SIGKILL for 30 s");
            }
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            kill();
        }
    }
}
