package io.connpool.reliability;

import io.connpool.ServerAddress;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** {@link EchoServerMain} in a child JVM: started with ProcessBuilder, killed with SIGKILL. */
final class ExternalServer implements AutoCloseable {

    private final String name;
    private final Process process;
    private final int port;

    private ExternalServer(String name, Process process, int port) {
        this.name = name;
        this.process = process;
        this.port = port;
    }

    /** Starts the server on the port (0: any free one) and waits until it listens. */
    static ExternalServer start(String name, int port) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classPath;
        try {
            classPath = Path.of(EchoServerMain.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                    .toString();
        }
        catch (URISyntaxException ex) {
            throw new IllegalStateException(ex);
        }
        List<String> command = List.of(java, "-Xmx32m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-cp", classPath, EchoServerMain.class.getName(), name, Integer.toString(port));
        Process process;
        try {
            process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        }
        catch (IOException ex) {
            throw new UncheckedIOException("cannot start " + command, ex);
        }
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<String> ready = CompletableFuture.supplyAsync(() -> {
            try {
                return out.readLine();
            }
            catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
        });
        String line;
        try {
            line = ready.get(30, TimeUnit.SECONDS);
        }
        catch (InterruptedException | ExecutionException | TimeoutException ex) {
            process.destroyForcibly();
            throw new IllegalStateException("echo server " + name + " did not report LISTENING within 30 s", ex);
        }
        if (line == null || !line.startsWith("LISTENING ")) {
            process.destroyForcibly();
            throw new IllegalStateException("echo server " + name + " on port " + port + " did not start: " + line
                    + "; is the port taken?");
        }
        return new ExternalServer(name, process, Integer.parseInt(line.substring("LISTENING ".length())));
    }

    String name() {
        return name;
    }

    int port() {
        return port;
    }

    String hostPort() {
        return "127.0.0.1:" + port;
    }

    ServerAddress address() {
        return new ServerAddress("127.0.0.1", port);
    }

    long pid() {
        return process.pid();
    }

    /** SIGKILL, and waits until the process is gone. */
    void kill() {
        process.destroyForcibly();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("echo server " + name + " (pid " + process.pid()
                        + ") survived SIGKILL for 30 s");
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
