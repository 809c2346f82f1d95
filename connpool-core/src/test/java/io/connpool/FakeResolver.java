package io.connpool;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The pool's {@link HostResolver} seam as a table the test changes: a name resolves to what it was last
 * given, fails with {@link UnknownHostException} when given nothing, or hangs (until {@link #close()}) to
 * play a resolver that does not answer.
 */
final class FakeResolver implements HostResolver, AutoCloseable {

    private final Map<String, List<InetAddress>> table = new ConcurrentHashMap<>();
    private final Map<String, Boolean> hanging = new ConcurrentHashMap<>();
    private final CountDownLatch release = new CountDownLatch(1);
    final AtomicInteger lookups = new AtomicInteger();

    FakeResolver resolve(String name, InetAddress... addresses) {
        hanging.remove(name);
        table.put(name, List.of(addresses));
        return this;
    }

    FakeResolver fail(String name) {
        hanging.remove(name);
        table.remove(name);
        return this;
    }

    FakeResolver hang(String name) {
        hanging.put(name, true);
        return this;
    }

    /** A dialer that looks names up here too (for servers dialed by name), else plain TCP. */
    Dialer tcp() {
        return new TcpDialer(new HostLookup(this));
    }

    @Override
    public InetAddress[] resolve(String host) throws UnknownHostException {
        lookups.incrementAndGet();
        if (hanging.containsKey(host)) {
            try {
                release.await(30, TimeUnit.SECONDS);
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
            throw new UnknownHostException(host + ": the resolver hung");
        }
        if (HostLookup.isLiteral(host)) {
            return InetAddress.getAllByName(host);
        }
        List<InetAddress> found = table.get(host);
        if (found == null) {
            throw new UnknownHostException(host + ": Name or service not known");
        }
        return found.toArray(InetAddress[]::new);
    }

    /** Lets hung lookups go. */
    @Override
    public void close() {
        release.countDown();
    }

    static ConnPool.Builder install(ConnPool.Builder builder, FakeResolver resolver) {
        builder.options.hostResolver = resolver;
        return builder;
    }
}
