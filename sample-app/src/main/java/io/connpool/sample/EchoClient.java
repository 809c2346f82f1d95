package io.connpool.sample;

import io.connpool.ConnPool;
import io.connpool.ConnPoolException;
import io.connpool.PooledConnection;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.ProtocolException;
import java.nio.charset.StandardCharsets;
import org.springframework.stereotype.Component;

/**
 * The recommended way to call a TCP service through connpool:
 * <ol>
 * <li>borrow in try-with-resources, so the connection always goes back (or is discarded if it broke);</li>
 * <li>rely on the pool's {@code read-timeout} (SO_TIMEOUT) so a server that never answers cannot hang
 * the request thread — the timeout marks the connection broken and it is never reused;</li>
 * <li>{@link PooledConnection#invalidate()} after a reply you cannot parse: the stream is out of step
 * and the next borrower must not read the rest of it;</li>
 * <li>retry an idempotent request once when the connection broke mid-request (the server may have
 * closed it, or died): the pool hands out another connection, to another server if this one is down;</li>
 * <li>let {@link ConnPoolException}s through: they already say what happened and what to do, and
 * {@link ApiErrors} turns each into the right HTTP status.</li>
 * </ol>
 */
@Component
public class EchoClient {

    private final ConnPool pool;

    public EchoClient(ConnPool pool) {
        this.pool = pool;
    }

    /** Sends {@code ECHO text} and returns the reply and the server that gave it. */
    public Echo echo(String text) throws IOException {
        if (text.indexOf('\n') >= 0 || text.indexOf('\r') >= 0) {
            throw new IllegalArgumentException("text must be a single line");
        }
        try {
            return call(text);
        }
        catch (ConnPoolException | ProtocolException notWorthRetrying) {
            throw notWorthRetrying; // no server, timeout, closed, or a garbled reply: at once again would not help
        }
        catch (IOException brokenMidRequest) {
            return call(text); // echo is idempotent: one retry, on a fresh connection
        }
    }

    private Echo call(String text) throws IOException {
        try (PooledConnection connection = pool.acquire()) {
            connection.output().write(("ECHO " + text + "\n").getBytes(StandardCharsets.UTF_8));
            String reply = readLine(connection.input());
            String[] parts = reply.split(" ", 3);
            if (parts.length < 2 || !parts[0].equals("OK")) {
                connection.invalidate();
                throw new ProtocolException("Unexpected reply from " + connection.server() + ": '" + reply + "'");
            }
            return new Echo(parts.length == 3 ? parts[2] : "", parts[1], connection.server().toString());
        }
    }

    /** Reads one reply line; the pool's read timeout bounds each read. */
    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(64);
        int b;
        while ((b = in.read()) != '\n') {
            if (b < 0) {
                throw new EOFException("the server closed the connection before replying");
            }
            line.write(b);
        }
        return line.toString(StandardCharsets.UTF_8);
    }

    /**
     * One reply.
     *
     * @param reply the echoed text
     * @param serverName the name the server gave itself
     * @param server the address that served it
     */
    public record Echo(String reply, String serverName, String server) {
    }
}
