package io.connpool.benchmarks.pools;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;

/**
 * What a benchmark needs from a pool: borrow, use, give back. Each forked JVM loads one implementation,
 * so the calls inline as if the pool were used directly.
 *
 * @param <L> what a borrow hands out
 */
public interface SocketPool<L> extends AutoCloseable {

    L acquire() throws Exception;

    void release(L lease) throws Exception;

    Socket socket(L lease);

    InputStream input(L lease) throws Exception;

    OutputStream output(L lease) throws Exception;

    @Override
    void close() throws java.io.IOException;

    /** Opens every connection now, so no dial happens while measuring. */
    void fill(int connections) throws Exception;

    /** Creates the pool named by a benchmark's {@code impl} parameter. */
    static SocketPool<?> create(String impl, java.net.InetSocketAddress server, int size) throws Exception {
        return switch (impl) {
            case ConnpoolSocketPool.NAME -> ConnpoolSocketPool.builder(size, server).build();
            case ConnpoolSocketPool.NAME_NO_READ_TIMEOUT -> {
                ConnpoolSocketPool.Builder builder = ConnpoolSocketPool.builder(size, server);
                builder.options().readTimeout(java.time.Duration.ZERO);
                yield builder.build();
            }
            case ConnpoolSocketPool.NAME_RATE_LIMITED -> {
                ConnpoolSocketPool.Builder builder = ConnpoolSocketPool.builder(size, server);
                builder.options().maxRps(ConnpoolSocketPool.NEVER_BINDING_RPS);
                yield builder.build();
            }
            case CommonsSocketPool.NAME -> new CommonsSocketPool(server, size);
            case BagSocketPool.NAME -> new BagSocketPool(server);
            case HikariSocketPool.NAME -> new HikariSocketPool(server, size);
            default -> throw new IllegalArgumentException("unknown pool implementation '" + impl + "'; use "
                    + ConnpoolSocketPool.NAME + ", " + ConnpoolSocketPool.NAME_NO_READ_TIMEOUT + ", "
                    + ConnpoolSocketPool.NAME_RATE_LIMITED + ", "
                    + HikariSocketPool.NAME + ", " + CommonsSocketPool.NAME + " or " + BagSocketPool.NAME);
        };
    }
}
