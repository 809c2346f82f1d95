package io.connpool.benchmarks.pools;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import org.apache.commons.pool2.BasePooledObjectFactory;
import org.apache.commons.pool2.PooledObject;
import org.apache.commons.pool2.impl.DefaultPooledObject;
import org.apache.commons.pool2.impl.GenericObjectPool;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;

/**
 * commons-pool2 as services hand-roll it today: a {@link GenericObjectPool} of sockets, {@code maxTotal} = the
 * pool size, blocking up to 5 s when exhausted, no validation, no evictor.
 */
public final class CommonsSocketPool implements SocketPool<RawConnection> {

    public static final String NAME = "commons-pool2";

    private final GenericObjectPool<RawConnection> pool;

    public CommonsSocketPool(InetSocketAddress server, int size) {
        GenericObjectPoolConfig<RawConnection> config = new GenericObjectPoolConfig<>();
        config.setMaxTotal(size);
        config.setMaxIdle(size);
        config.setMinIdle(0);
        config.setBlockWhenExhausted(true);
        config.setMaxWait(Duration.ofSeconds(5));
        config.setJmxEnabled(false);
        this.pool = new GenericObjectPool<>(new Factory(server), config);
    }

    @Override
    public RawConnection acquire() throws Exception {
        return pool.borrowObject();
    }

    @Override
    public void release(RawConnection lease) {
        pool.returnObject(lease);
    }

    @Override
    public Socket socket(RawConnection lease) {
        return lease.socket;
    }

    @Override
    public InputStream input(RawConnection lease) {
        return lease.input;
    }

    @Override
    public OutputStream output(RawConnection lease) {
        return lease.output;
    }

    @Override
    public void fill(int connections) throws Exception {
        for (int i = 0; i < connections; i++) {
            pool.addObject();
        }
        if (pool.getNumIdle() != connections) {
            throw new IllegalStateException("commons-pool2 holds " + pool.getNumIdle() + " idle sockets after adding "
                    + connections);
        }
    }

    public long created() {
        return pool.getCreatedCount();
    }

    @Override
    public void close() {
        pool.close();
    }

    private static final class Factory extends BasePooledObjectFactory<RawConnection> {

        private final InetSocketAddress server;

        Factory(InetSocketAddress server) {
            this.server = server;
        }

        @Override
        public RawConnection create() throws Exception {
            return RawConnection.dial(server);
        }

        @Override
        public PooledObject<RawConnection> wrap(RawConnection connection) {
            return new DefaultPooledObject<>(connection);
        }

        @Override
        public void destroyObject(PooledObject<RawConnection> pooled) throws Exception {
            pooled.getObject().close();
        }
    }
}
