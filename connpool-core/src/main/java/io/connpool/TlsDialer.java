package io.connpool;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * TLS over plain TCP: dials with {@link Dialer#tcp()}, then completes the handshake within what is left
 * of the dial timeout. Hostname verification ({@code HTTPS} endpoint identification) is on unless
 * turned off with {@link #withHostnameVerification(boolean)}; SNI is sent for host names.
 *
 * <p>Immutable: every {@code with} method returns a new dialer.
 */
public final class TlsDialer implements Dialer {

    private final SSLContext sslContext;
    private final String[] protocols;
    private final String[] ciphers;
    private final boolean verifyHostname;

    TlsDialer(SSLContext sslContext, String[] protocols, String[] ciphers, boolean verifyHostname) {
        this.sslContext = Objects.requireNonNull(sslContext, "sslContext");
        this.protocols = protocols;
        this.ciphers = ciphers;
        this.verifyHostname = verifyHostname;
    }

    /**
     * Returns a dialer that enables only these protocols (for example {@code TLSv1.3}).
     *
     * @param enabledProtocols the protocols, or {@code null} or empty for the JDK's defaults
     * @return a new dialer
     */
    public TlsDialer withProtocols(List<String> enabledProtocols) {
        return new TlsDialer(sslContext, toArray(enabledProtocols), ciphers, verifyHostname);
    }

    /**
     * Returns a dialer that enables only these cipher suites.
     *
     * @param enabledCiphers the cipher suites, or {@code null} or empty for the JDK's defaults
     * @return a new dialer
     */
    public TlsDialer withCiphers(List<String> enabledCiphers) {
        return new TlsDialer(sslContext, protocols, toArray(enabledCiphers), verifyHostname);
    }

    /**
     * Returns a dialer that does, or does not, check the server certificate against the host name.
     * Turn it off only for servers reached by an address their certificate does not name.
     *
     * @param enabled whether to verify the host name
     * @return a new dialer
     */
    public TlsDialer withHostnameVerification(boolean enabled) {
        return new TlsDialer(sslContext, protocols, ciphers, enabled);
    }

    @Override
    public Socket dial(ServerAddress server, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        return handshake(Dialer.tcp().dial(server, timeout), server, deadline);
    }

    /** Connects to the address the name resolved to, and verifies the certificate against the name. */
    @Override
    public Socket dial(ServerAddress server, InetAddress address, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        return handshake(Dialer.tcp().dial(server, address, timeout), server, deadline);
    }

    private Socket handshake(Socket plain, ServerAddress server, long deadline) throws IOException {
        SSLSocket tls = null;
        try {
            tls = (SSLSocket) sslContext.getSocketFactory().createSocket(plain, server.host(), server.port(), true);
            SSLParameters parameters = tls.getSSLParameters();
            if (verifyHostname) {
                parameters.setEndpointIdentificationAlgorithm("HTTPS");
            }
            if (isHostName(server.host())) {
                parameters.setServerNames(List.of(new SNIHostName(server.host())));
            }
            if (protocols != null) {
                parameters.setProtocols(protocols);
            }
            if (ciphers != null) {
                parameters.setCipherSuites(ciphers);
            }
            tls.setSSLParameters(parameters);
            long left = Math.max(1, deadline - System.nanoTime());
            tls.setSoTimeout(TcpDialer.timeoutMillis(Duration.ofNanos(left)));
            tls.startHandshake();
            tls.setSoTimeout(0);
            return tls;
        }
        catch (IOException | RuntimeException ex) {
            Sockets.closeQuietly(tls != null ? tls : plain);
            throw ex;
        }
    }

    private static boolean isHostName(String host) {
        return host.indexOf(':') < 0 && !host.chars().allMatch(c -> c == '.' || Character.isDigit(c));
    }

    private static String[] toArray(List<String> values) {
        return values == null || values.isEmpty() ? null : values.toArray(String[]::new);
    }


    @Override
    public String toString() {
        return "Dialer.tls(protocols=" + (protocols == null ? "default" : Arrays.toString(protocols))
                + ", ciphers=" + (ciphers == null ? "default" : ciphers.length + " suites")
                + ", verifyHostname=" + verifyHostname + ")";
    }
}
