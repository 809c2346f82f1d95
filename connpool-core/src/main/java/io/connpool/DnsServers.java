package io.connpool;

import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The configured servers, with every host name expanded to each address it resolves to (a Kubernetes
 * headless service: one address per pod), each a server of its own whose source is the entry as configured;
 * looked up again every {@code dnsRefreshInterval}. IP literals are listed as they are. A lookup that fails
 * or times out (within {@code dialTimeout}) keeps the addresses of the last good one, and says so in their
 * {@link ServerStatus#sourceError()}: the pool never empties itself because a resolver hiccuped. A name that
 * has never resolved stays one server of its own name, dialed as configured (so it is {@code DOWN} with the
 * lookup error, probed with backoff), until a lookup, retried with backoff too, expands it.
 */
final class DnsServers {

    private static final Logger log = LoggerFactory.getLogger(ConnPool.class);

    private final String pool;
    private final List<ServerAddress> entries;
    private final HostLookup lookup;
    private final long timeoutNanos;
    private final Ticker ticker;
    private final Consumer<List<ServerOrigin>> publish;
    /** One per entry, shared by the servers it expanded to. */
    private final Map<ServerAddress, ServerOrigin.Problem> problems = new HashMap<>();
    /** Guarded by the loop (rounds never overlap): each name's addresses at its last good lookup. */
    private final Map<ServerAddress, List<InetAddress>> lastGood = new HashMap<>();
    private RefreshLoop loop;

    DnsServers(PoolConfig config, Consumer<List<ServerOrigin>> publish) {
        this.pool = config.name();
        this.entries = config.servers();
        this.lookup = new HostLookup(config.hostResolver());
        this.timeoutNanos = config.dialTimeout().toNanos();
        this.ticker = config.ticker();
        this.publish = publish;
        for (ServerAddress entry : entries) {
            problems.put(entry, new ServerOrigin.Problem());
        }
    }

    /** Whether any entry is a name to look up; if none is, the list never changes and needs no refresh. */
    static boolean anyName(List<ServerAddress> entries) {
        return entries.stream().anyMatch(entry -> !HostLookup.isLiteral(entry.host()));
    }

    /** Looks every name up once in this thread (within {@code dialTimeout} in all), then every interval. */
    void start(PoolScheduler scheduler, Backoff backoff, long intervalNanos) {
        loop = new RefreshLoop("the DNS names of pool '" + pool + "'", scheduler, backoff, intervalNanos, this::round);
        loop.start();
    }

    void stop() {
        if (loop != null) {
            loop.stop();
        }
    }

    /** One lookup of every name; true if each succeeded. */
    private boolean round() {
        long deadline = ticker.nanoTime() + timeoutNanos;
        List<ServerOrigin> list = new ArrayList<>();
        boolean allResolved = true;
        for (ServerAddress entry : entries) {
            ServerOrigin.Problem problem = problems.get(entry);
            if (HostLookup.isLiteral(entry.host())) {
                list.add(ServerOrigin.of(entry, problem));
                continue;
            }
            try {
                List<InetAddress> found = List.copyOf(new LinkedHashSet<>(List.of(
                        lookup.resolve(entry.host(), Math.max(1, deadline - ticker.nanoTime())))));
                if (problem.text() != null) {
                    log.info("Pool '{}': {} resolves again, to {}", pool, entry, hosts(found));
                }
                lastGood.put(entry, found);
                problem.set(null);
            }
            catch (InterruptedIOException ex) {
                Thread.currentThread().interrupt(); // the pool is closing
                return true;
            }
            catch (UnknownHostException ex) {
                allResolved = false;
                failed(entry, problem, ex);
            }
            List<InetAddress> addresses = lastGood.get(entry);
            if (addresses == null) {
                list.add(ServerOrigin.of(entry, problem)); // never resolved: dialed by name until it does
                continue;
            }
            for (InetAddress address : addresses) {
                list.add(new ServerOrigin(new ServerAddress(address.getHostAddress(), entry.port()), entry.toString(),
                        entry, address, problem));
            }
        }
        publish.accept(list);
        return allResolved;
    }

    private void failed(ServerAddress entry, ServerOrigin.Problem problem, UnknownHostException ex) {
        List<InetAddress> kept = lastGood.get(entry);
        String keeps = kept == null ? "it has never resolved, so it stays one server dialed by its name"
                : "its " + kept.size() + " address(es) of the last good lookup stay: " + hosts(kept);
        boolean first = problem.text() == null;
        problem.set("looking up '" + entry.host() + "' failed at " + Instant.ofEpochMilli(ticker.wallMillis()) + ": "
                + PoolErrors.describe(ex) + "; " + keeps);
        if (first) {
            log.warn("Pool '{}': looking up {} failed: {}; {}; tried again with backoff", pool, entry,
                    PoolErrors.describe(ex), keeps);
        }
        else {
            log.debug("Pool '{}': looking up {} still fails: {}", pool, entry, PoolErrors.describe(ex));
        }
    }

    private static List<String> hosts(List<InetAddress> addresses) {
        return addresses.stream().map(InetAddress::getHostAddress).toList();
    }
}
