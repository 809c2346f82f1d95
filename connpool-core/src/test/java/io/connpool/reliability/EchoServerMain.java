package io.connpool.reliability;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A line server in a JVM of its own, so that a test can kill it with SIGKILL: answers each line with
 * {@code name:line}, like the in-JVM {@link io.connpool.testing.NamedEcho} servers. Prints {@code LISTENING port}
 * once it listens. Not a {@code MockTcpServer}: that one cannot be killed apart from the test's JVM, listens on a
 * port of its own choosing only, and needs connpool-core on its class path; this one uses JDK classes only, so
 * {@code target/test-classes} is its whole class path, and it binds the port it is given, so that a restarted
 * process takes the killed one's place.
 *
 * <p>Arguments: {@code name port} (port 0 for any free one).
 */
public final class EchoServerMain {

    private EchoServerMain() {
    }

    public static void main(String[] args) throws IOException {
        String name = args[0];
        int port = Integer.parseInt(args[1]);
        ServerSocket listener = new ServerSocket();
        listener.setReuseAddress(true);
        listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 128);
        System.out.println("LISTENING " + listener.getLocalPort());
        System.out.flush();
        while (true) {
            Socket connection = listener.accept();
            Thread handler = new Thread(() -> serve(name, connection), "echo-" + name);
            handler.setDaemon(true);
            handler.start();
        }
    }

    private static void serve(String name, Socket connection) {
        try (connection) {
            BufferedReader in = new BufferedReader(
                    new InputStreamReader(connection.getInputStream(), StandardCharsets.UTF_8));
            OutputStream out = connection.getOutputStream();
            String line;
            while ((line = in.readLine()) != null) {
                out.write((name + ":" + line + "\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        }
        catch (IOException ex) {
            // the client went away
        }
    }
}
