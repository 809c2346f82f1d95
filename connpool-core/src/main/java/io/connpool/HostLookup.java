package io.connpool;

import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * Resolves host names within a deadline. The JDK's lookup cannot be given a timeout and blocks its thread
 * for as long as the resolver takes, so it runs on a few shared daemon threads and the caller waits only
 * until its own deadline: a slow resolver never holds a caller past its dial timeout. IP literals are
 * parsed at once, without a lookup.
 */
final class HostLookup {

    static final HostLookup SYSTEM = new HostLookup(HostResolver.SYSTEM);

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    /** Lookups that hang pile up here, not on callers; four slow names at once is already a broken resolver. */
    private static final ThreadPoolExecutor THREADS = lookupThreads();

    private final HostResolver resolver;

    HostLookup(HostResolver resolver) {
        this.resolver = resolver;
    }

    private static ThreadPoolExecutor lookupThreads() {
        AtomicInteger count = new AtomicInteger();
        ThreadPoolExecutor executor = new ThreadPoolExecutor(4, 4, 10, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                task -> {
                    Thread thread = new Thread(task, "connpool-dns-" + count.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                });
        executor.allowCoreThreadTimeOut(true);
        return executor;
    }

    static boolean isLiteral(String host) {
        return host.indexOf(':') >= 0 || IPV4.matcher(host).matches();
    }

    /** Every address of the host, or an {@link UnknownHostException} that says why, within the timeout. */
    InetAddress[] resolve(String host, long timeoutNanos) throws UnknownHostException, InterruptedIOException {
        if (isLiteral(host)) {
            return resolver.resolve(host); // parsed, not looked up
        }
        CompletableFuture<InetAddress[]> lookup = new CompletableFuture<>();
        THREADS.execute(() -> {
            try {
                lookup.complete(resolver.resolve(host));
            }
            catch (UnknownHostException | RuntimeException ex) {
                lookup.completeExceptionally(ex);
            }
        });
        try {
            return lookup.get(Math.max(1, timeoutNanos), TimeUnit.NANOSECONDS);
        }
        catch (TimeoutException ex) {
            UnknownHostException slow = new UnknownHostException("looking up '" + host + "' did not finish within "
                    + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms; check the DNS resolver");
            slow.initCause(ex);
            throw slow;
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while looking up '" + host + "'");
        }
        catch (ExecutionException ex) {
            if (ex.getCause() instanceof UnknownHostException unknown) {
                throw unknown;
            }
            UnknownHostException failed = new UnknownHostException("cannot resolve host '" + host + "': "
                    + PoolErrors.describe(ex.getCause()));
            failed.initCause(ex.getCause());
            throw failed;
        }
    }
}
