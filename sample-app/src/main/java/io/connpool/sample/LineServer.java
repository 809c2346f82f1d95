package io.connpool.sample;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A tiny line-protocol server standing in for the legacy TCP service a real application would call:
 * each request line {@code ECHO <text>} is answered with {@code OK <server-name> <text>}; anything else
 * with {@code ERR unknown command}. It can be stopped and started again on the same port, so the demo
 * can show failover, health going DOWN and reconnection.
 *
 * <p>Not the test kit's {@code MockTcpServer}: this is the running application's code, and the kit is a
 * test-scope artifact built on JUnit, which has no place on an application's class path.
 */
public final class LineServer {

    private final String name;
    private volatile int port;
    private volatile ServerSocket listener;
    private final Set<Socket> connections = ConcurrentHashMap.newKeySet();
    private final ExecutorService workers;

    LineServer(String name) {
        this.name = name;
        this.workers = Executors.newCachedThreadPool(task -> {
            Thread thread = new Thread(task, "line-server-" + name);
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Listens on the port it had before, or on a free loopback port the first time. */
    synchronized void start() {
        if (isRunning()) {
            return;
        }
        try {
            ServerSocket socket = new ServerSocket();
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            port = socket.getLocalPort();
            listener = socket;
            workers.execute(() -> acceptLoop(socket));
        }
        catch (IOException ex) {
            throw new UncheckedIOException("Embedded server " + name + " cannot listen on port " + port, ex);
        }
    }

    /** Stops listening and closes every connection, as a crashed server would. */
    synchronized void stop() {
        ServerSocket socket = listener;
        listener = null;
        if (socket != null) {
            closeQuietly(socket);
        }
        connections.forEach(LineServer::closeQuietly);
        connections.clear();
    }

    void shutdown() {
        stop();
        workers.shutdownNow();
    }

    boolean isRunning() {
        ServerSocket socket = listener;
        return socket != null && !socket.isClosed();
    }

    String name() {
        return name;
    }

    int port() {
        return port;
    }

    String address() {
        return "127.0.0.1:" + port;
    }

    private void acceptLoop(ServerSocket socket) {
        while (!socket.isClosed()) {
            try {
                Socket connection = socket.accept();
                connections.add(connection);
                workers.execute(() -> serve(connection));
            }
            catch (IOException stopped) {
                return;
            }
        }
    }

    private void serve(Socket connection) {
        try (connection) {
            BufferedReader in = new BufferedReader(
                    new InputStreamReader(connection.getInputStream(), StandardCharsets.UTF_8));
            OutputStream out = connection.getOutputStream();
            String line;
            while ((line = in.readLine()) != null) {
                String reply = line.startsWith("ECHO ") ? "OK " + name + " " + line.substring(5)
                        : "ERR unknown command";
                out.write((reply + "\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        }
        catch (IOException closed) {
            // the client went away or the server was stopped
        }
        finally {
            connections.remove(connection);
        }
    }

    private static void closeQuietly(java.io.Closeable closeable) {
        try {
            closeable.close();
        }
        catch (IOException ignored) {
            // stopping anyway
        }
    }
}
