package io.connpool.sample;

import io.connpool.ConnPool;
import io.connpool.ConnPoolException;
import io.connpool.Framing;
import io.connpool.PooledConnection;
import java.io.IOException;
import java.net.ProtocolException;
import java.nio.charset.StandardCharsets;
import org.springframework.stereotype.Component;

/**
 * The recommended way to call a TCP service through connpool: one {@link ConnPool#executeIdempotent} call
 * with a {@link Framing}, which does what every client would otherwise write by hand:
 * <ol>
 * <li>the connection goes back to the pool after the call, or is discarded if the call failed (a broken
 * connection, or a reply we could not parse: the stream is out of step, and the next borrower must not read
 * the rest of it);</li>
 * <li>the pool's {@code read-timeout} (SO_TIMEOUT) bounds every read, so a server that never answers cannot
 * hang the request thread;</li>
 * <li>echo is idempotent, so a request sent on a reused connection that turns out dead before any reply
 * byte (the server closed it while it sat idle) is retried once on a fresh connection; never after a reply
 * byte, a timeout or an interrupt;</li>
 * <li>{@link ConnPoolException}s go through: they already say what happened and what to do, and
 * {@link ApiErrors} turns each into the right HTTP status.</li>
 * </ol>
 */
@Component
public class EchoClient {

    private static final Framing<String> LINES = Framing.lines(StandardCharsets.UTF_8);

    private final ConnPool pool;

    public EchoClient(ConnPool pool) {
        this.pool = pool;
    }

    /** Sends {@code ECHO text} and returns the reply and the server that gave it. */
    public Echo echo(String text) throws IOException {
        if (text.indexOf('\n') >= 0 || text.indexOf('\r') >= 0) {
            throw new IllegalArgumentException("text must be a single line");
        }
        return pool.executeIdempotent(connection -> parse(LINES.call(connection, "ECHO " + text), connection));
    }

    /** {@code OK <server-name> <text>}; anything else is a {@link ProtocolException} (HTTP 502). */
    private static Echo parse(String reply, PooledConnection connection) throws ProtocolException {
        String[] parts = reply.split(" ", 3);
        if (parts.length < 2 || !parts[0].equals("OK")) {
            throw new ProtocolException("Unexpected reply from " + connection.server() + ": '" + reply + "'");
        }
        return new Echo(parts.length == 3 ? parts[2] : "", parts[1], connection.server().toString());
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
