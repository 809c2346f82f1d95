package io.connpool;

import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import javax.net.ssl.SSLContext;

/**
 * Opens one connected socket to a server. The pool calls it for every new connection, from the
 * acquiring thread or its background dialer, never while holding a lock.
 *
 * <p>Plug in your own for a proxy, a Unix socket or fault injection in tests. A dialer must honour the
 * timeout (a dial that hangs past it stalls the caller) and should throw an {@link IOException} whose
 * message says what failed; the pool adds the server's name.
 */
@FunctionalInterface
public interface Dialer {

    /**
     * Connects to the server.
     *
     * @param server the server to connect to
     * @param timeout the most the whole dial may take, TLS handshake included; never zero
     * @return a connected socket, which the pool owns from then on
     * @throws IOException if it could not connect within the timeout
     */
    Socket dial(ServerAddress server, Duration timeout) throws IOException;

    /**
     * Returns the default dialer: plain TCP with {@code TCP_NODELAY}, {@code SO_KEEPALIVE} and a
     * connect timeout.
     *
     * @return the plain TCP dialer
     */
    static Dialer tcp() {
        return TcpDialer.INSTANCE;
    }

    /**
     * Returns a TLS dialer over plain TCP using the given context, with hostname verification on.
     *
     * @param sslContext the context holding the trust (and, for mutual TLS, key) material
     * @return a TLS dialer; see {@link TlsDialer} to set protocols, ciphers or hostname verification
     */
    static TlsDialer tls(SSLContext sslContext) {
        return new TlsDialer(sslContext, null, null, true);
    }
}
