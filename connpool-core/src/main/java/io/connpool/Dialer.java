package io.connpool;

import java.io.IOException;
import java.net.InetAddress;
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
     * Connects to one of the addresses a host name resolved to: the pool calls this for the servers it made by
     * expanding a name (see {@link ConnPool.Builder#dnsRefreshInterval}), so that the dial goes to that very
     * address while TLS still verifies the name. The default dials the address as an IP literal with
     * {@link #dial(ServerAddress, Duration)}; {@link #tcp()} and {@link #tls} connect to the address and verify
     * the name. A dialer that wraps another should pass this call on as well.
     *
     * @param server the server as configured, with its host name
     * @param address the address to connect to, one that the host name resolved to
     * @param timeout the most the whole dial may take; never zero
     * @return a connected socket, which the pool owns from then on
     * @throws IOException if it could not connect within the timeout
     */
    default Socket dial(ServerAddress server, InetAddress address, Duration timeout) throws IOException {
        return dial(new ServerAddress(address.getHostAddress(), server.port()), timeout);
    }

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
