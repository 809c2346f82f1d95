package io.connpool;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pool's source of servers, started with the pool and closed with it: the builder's {@link ServerSource},
 * or the configured servers, DNS names expanded and refreshed ({@link DnsServers}) unless
 * {@code dnsRefreshInterval} is 0. Each list it publishes goes to {@link ServerChanges} as one change. Knows
 * what to tell a caller when the list is empty.
 */
final class ServerFeed {

    private static final Logger log = LoggerFactory.getLogger(ConnPool.class);

    private final PoolConfig config;
    private final ServerChanges changes;
    private final PoolScheduler scheduler;
    private final ServerSource source;
    private final DnsServers dns;
    /** Why the user's source failed to start; shown by its servers and in the empty pool's error. */
    private final ServerOrigin.Problem startProblem = new ServerOrigin.Problem();
    private volatile boolean published;
    private volatile boolean closed;

    ServerFeed(PoolConfig config, ServerChanges changes, PoolScheduler scheduler) {
        this.config = config;
        this.changes = changes;
        this.scheduler = scheduler;
        this.source = config.serverSource();
        boolean refreshed = source == null && !config.dnsRefreshInterval().isZero()
                && DnsServers.anyName(config.servers());
        this.dns = refreshed ? new DnsServers(config, this::apply) : null;
    }

    /** Called once, from the pool's constructor: the first list is applied before it returns, if there is one. */
    void start() {
        try {
            startFirst();
        }
        finally {
            changes.announceFromNow();
        }
    }

    private void startFirst() {
        if (dns != null) {
            dns.start(scheduler, config.backoff(), config.dnsRefreshInterval().toNanos());
        }
        else if (source == null) {
            List<ServerOrigin> list = new ArrayList<>();
            config.servers().forEach(server -> list.add(ServerOrigin.of(server, ServerOrigin.Problem.NONE)));
            apply(list);
        }
        else {
            startSource();
        }
    }

    private void startSource() {
        String name = source.name();
        try {
            if (source instanceof PollingServerSource polling) {
                polling.start(list -> published(list, name, polling.problem), scheduler, config.backoff(),
                        config.ticker());
            }
            else {
                source.start(list -> published(list, name, startProblem));
            }
        }
        catch (RuntimeException ex) {
            startProblem.set("it failed to start: " + PoolErrors.describe(ex));
            log.warn("Pool '{}': server source '{}' failed to start: {}; the pool keeps what it published before"
                    + " ({} server(s))", config.name(), name, PoolErrors.describe(ex), changes.count(), ex);
        }
    }

    private void published(List<ServerAddress> list, String name, ServerOrigin.Problem problem) {
        if (closed) {
            return;
        }
        if (list == null || list.stream().anyMatch(Objects::isNull)) { // contains(null) throws for List.of(..)
            log.warn("Pool '{}': server source '{}' published {}; a list must hold servers, not null: the pool keeps"
                    + " its servers", config.name(), name, list == null ? "null" : "a list holding null: " + list);
            return;
        }
        List<ServerOrigin> origins = new ArrayList<>(list.size());
        for (ServerAddress server : list) {
            origins.add(new ServerOrigin(server, name, null, null, problem));
        }
        apply(origins);
    }

    private void apply(List<ServerOrigin> list) {
        if (!closed) {
            changes.apply(list, describe());
            published = true;
        }
    }

    void close() {
        closed = true;
        if (dns != null) {
            dns.stop();
        }
        if (source != null) {
            try {
                source.close();
            }
            catch (RuntimeException ex) {
                log.warn("Pool '{}': closing server source '{}' failed", config.name(), source.name(), ex);
            }
        }
    }

    /** What feeds the pool, for logs and errors. */
    String describe() {
        return source != null ? "server source '" + source.name() + "'"
                : dns != null ? "its configuration " + config.servers() + ", DNS names looked up every "
                        + config.dnsRefreshInterval().toMillis() + " ms"
                : "its configuration";
    }

    /** Why the pool has no servers, for {@link PoolErrors#noServers()}. */
    String whyEmpty() {
        if (source == null) {
            return "every configured server was taken out with removeServer(..). Add one with addServer(..)";
        }
        String failure = startProblem.text();
        if (failure != null) {
            return describe() + " " + failure + ". Fix the source, or add a server with addServer(..)";
        }
        String why = source instanceof PollingServerSource polling ? polling.problem.text() : null;
        return describe() + (published ? " published an empty list" : " has published no list yet")
                + (why != null ? " (its " + why + ")" : "")
                + ". Acquires fail at once until it publishes a server; check what it reads";
    }
}
