package io.connpool.testing;

import io.connpool.PooledConnection;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Speaks a line protocol over a pooled connection (the tests' {@link NamedEcho} servers), reading byte by byte
 * (no read-ahead). Unlike {@code Framing.lines(..).call(..)} it never invalidates the connection on failure:
 * the tests that use it check what the pool itself does with a connection that broke.
 */
public final class LineClient {

    private LineClient() {
    }

    /** Sends one line and returns the reply line without its newline. */
    public static String call(PooledConnection connection, String line) throws IOException {
        connection.output().write((line + "\n").getBytes(StandardCharsets.UTF_8));
        return readLine(connection.input());
    }

    public static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream(64);
        int b;
        while ((b = in.read()) != '\n') {
            if (b < 0) {
                throw new java.io.EOFException("server closed the connection before a full reply");
            }
            buffer.write(b);
        }
        return buffer.toString(StandardCharsets.UTF_8);
    }
}
