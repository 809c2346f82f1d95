package io.connpool;

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
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Assumptions;

/**
 * Line servers on one port of several loopback addresses (127.0.0.1, 127.0.0.2, ...): what a DNS name with
 * several addresses (a headless service) looks like to a client, on one machine. Each answers a line with
 * {@code <its address>:<line>}. Linux routes all of 127/8 to the loopback interface; where only 127.0.0.1 is
 * configured (macOS by default), {@link #start} skips the test, saying so.
 */
final class LoopbackAliases implements AutoCloseable {

    private final int port;
    private final List<Listener> listeners = new ArrayList<>();

    private LoopbackAliases(int port) {
        this.port = port;
    }

    /** Listens on 127.0.0.1 to 127.0.0.{count}, on one free port; skips the test where it cannot. */
    static LoopbackAliases start(int count) {
        IOException last = null;
        for (int attempt = 0; attempt < 5; attempt++) { // another process may hold the port on an alias
            LoopbackAliases aliases = new LoopbackAliases(0);
            try {
                ServerSocket first = bind(address(1), 0);
                aliases = new LoopbackAliases(first.getLocalPort());
                aliases.listeners.add(new Listener(first));
                for (int i = 2; i <= count; i++) {
                    aliases.listeners.add(new Listener(bind(address(i), aliases.port)));
                }
                return aliases;
            }
            catch (IOException ex) {
                aliases.close();
                last = ex;
                if (String.valueOf(ex.getMessage()).contains("assign")) {
                    break; // the address is not configured here
                }
            }
        }
        Assumptions.abort("cannot listen on the loopback aliases 127.0.0.1 to 127.0.0." + count + " here (" + last
                + "); Linux routes all of 127/8 to loopback, on macOS add them with 'ifconfig lo0 alias 127.0.0.2'");
        throw new AssertionError("not reached");
    }

    static InetAddress address(int i) {
        try {
            return InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) i});
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    private static ServerSocket bind(InetAddress address, int port) throws IOException {
        ServerSocket socket = new ServerSocket();
        try {
            socket.bind(new InetSocketAddress(address, port), 64);
            return socket;
        }
        catch (IOException ex) {
            socket.close();
            throw ex;
        }
    }

    int port() {
        return port;
    }

    /** {@code 127.0.0.i:port}, as the pool lists a server it expanded from a name. */
    ServerAddress server(int i) {
        return new ServerAddress("127.0.0." + i, port);
    }

    /** Connections open to 127.0.0.i, as the server side sees them. */
    int openConnections(int i) {
        return listeners.get(i - 1).open.size();
    }

    @Override
    public void close() {
        listeners.forEach(Listener::close);
    }

    /** One address: an accept thread and a thread per connection. */
    private static final class Listener {

        private final ServerSocket socket;
        private final Set<Socket> open = ConcurrentHashMap.newKeySet();

        Listener(ServerSocket socket) {
            this.socket = socket;
            Thread acceptor = new Thread(this::accept, "alias-" + socket.getLocalSocketAddress());
            acceptor.setDaemon(true);
            acceptor.start();
        }

        private void accept() {
            while (!socket.isClosed()) {
                try {
                    Socket connection = socket.accept();
                    open.add(connection);
                    Thread serving = new Thread(() -> serve(connection), "alias-conn");
                    serving.setDaemon(true);
                    serving.start();
                }
                catch (IOException ex) {
                    return; // closed
                }
            }
        }

        private void serve(Socket connection) {
            String name = socket.getInetAddress().getHostAddress();
            try (connection) {
                BufferedReader in = new BufferedReader(new InputStreamReader(connection.getInputStream(),
                        StandardCharsets.UTF_8));
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
            finally {
                open.remove(connection);
            }
        }

        void close() {
            try {
                socket.close();
            }
            catch (IOException ex) {
                // closing anyway
            }
            for (Socket connection : open) {
                try {
                    connection.close();
                }
                catch (IOException ex) {
                    // closing anyway
                }
            }
        }
    }
}
