package io.connpool.testing;

import io.connpool.test.MockTcpServer;
import javax.net.ssl.SSLContext;

/**
 * The tests' line server: a {@link MockTcpServer} that answers each line with {@code name:line}, so that a
 * reply says which server gave it (failover, round-robin and named-pool tests count replies by name).
 */
public final class NamedEcho {

    private NamedEcho() {
    }

    /** A started plain TCP server answering {@code name:line}. */
    public static MockTcpServer start(String name) {
        return MockTcpServer.start().handler(line -> name + ":" + line);
    }

    /** A started TLS server answering {@code name:line}; the context holds the server's certificate. */
    public static MockTcpServer startTls(String name, SSLContext context) {
        return MockTcpServer.startTls(context).handler(line -> name + ":" + line);
    }

    /** The name in a reply: {@code "a"} for {@code "a:ping"}. */
    public static String nameIn(String reply) {
        int colon = reply.indexOf(':');
        if (colon < 0) {
            throw new AssertionError("'" + reply + "' is no reply of a NamedEcho server (name:line)");
        }
        return reply.substring(0, colon);
    }
}
