package io.connpool;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * The servers of a pool: the list, the turns (those that take borrows, in pool order) and a lookup by
 * address. Borrowers read one volatile array and never lock; changes (a server added or removed, a new
 * list from a source, a change of state) replace the arrays under a lock, so a borrow sees either the old
 * list or the new one, never half of a change.
 */
final class ServerSet {

    /** What {@link #replace} changed. */
    record Change(List<ServerPool> added, List<ServerPool> removed) {

        boolean isEmpty() {
            return added.isEmpty() && removed.isEmpty();
        }
    }

    private static final ServerPool[] NONE = new ServerPool[0];

    private final ReentrantLock changes = new ReentrantLock();
    private volatile ServerPool[] all = NONE;
    /**
     * The servers not down, in pool order: the turns. Counting turns over these only keeps the share even
     * when one is down (over all servers, the one after a down server would take its turns too).
     */
    private volatile ServerPool[] turns = NONE;
    private volatile Map<ServerAddress, ServerPool> byAddress = Map.of();

    ServerPool[] all() {
        return all;
    }

    ServerPool[] turns() {
        return turns;
    }

    boolean isEmpty() {
        return all.length == 0;
    }

    ServerPool find(ServerAddress address) {
        return byAddress.get(address);
    }

    /** Adds a server unless one with its address is there; returns the new one, or null. */
    ServerPool add(ServerAddress address, Function<ServerAddress, ServerPool> factory) {
        changes.lock();
        try {
            if (byAddress.containsKey(address)) {
                return null;
            }
            List<ServerPool> next = new ArrayList<>(List.of(all));
            ServerPool added = factory.apply(address);
            next.add(added);
            publish(next);
            return added;
        }
        finally {
            changes.unlock();
        }
    }

    /** Takes a server out; returns it, or null if it was not there. */
    ServerPool remove(ServerAddress address) {
        changes.lock();
        try {
            ServerPool removed = byAddress.get(address);
            if (removed != null) {
                List<ServerPool> next = new ArrayList<>(List.of(all));
                next.remove(removed);
                publish(next);
            }
            return removed;
        }
        finally {
            changes.unlock();
        }
    }

    /**
     * Makes the list exactly {@code target} (kept servers keep their state and connections, in their old
     * order; new ones go at the end), in one step for borrowers.
     */
    Change replace(Collection<ServerAddress> target, Function<ServerAddress, ServerPool> factory) {
        changes.lock();
        try {
            Set<ServerAddress> wanted = new LinkedHashSet<>(target);
            List<ServerPool> next = new ArrayList<>(wanted.size());
            List<ServerPool> removed = new ArrayList<>();
            for (ServerPool server : all) {
                if (wanted.remove(server.address)) {
                    next.add(server);
                }
                else {
                    removed.add(server);
                }
            }
            List<ServerPool> added = new ArrayList<>(wanted.size());
            for (ServerAddress address : wanted) {
                ServerPool server = factory.apply(address);
                added.add(server);
                next.add(server);
            }
            Change change = new Change(List.copyOf(added), List.copyOf(removed));
            if (!change.isEmpty()) {
                publish(next);
            }
            return change;
        }
        finally {
            changes.unlock();
        }
    }

    /**
     * Rebuilds the turns after a change of state. Under the lock, so the last rebuild to run saw every
     * change made before it started: a snapshot computed earlier can never be published after a newer one.
     */
    void refreshTurns() {
        changes.lock();
        try {
            turns = inTurn(all);
        }
        finally {
            changes.unlock();
        }
    }

    private void publish(List<ServerPool> next) {
        ServerPool[] array = next.toArray(NONE);
        Map<ServerAddress, ServerPool> lookup = new HashMap<>(array.length * 2);
        for (ServerPool server : array) {
            lookup.put(server.address, server);
        }
        byAddress = lookup;
        all = array;
        turns = inTurn(array);
    }

    private static ServerPool[] inTurn(ServerPool[] servers) {
        List<ServerPool> taking = new ArrayList<>(servers.length);
        for (ServerPool server : servers) {
            if (server.health.current().takesBorrows()) {
                taking.add(server);
            }
        }
        return taking.toArray(NONE);
    }

    List<ServerStatus> statuses() {
        ServerPool[] servers = all;
        List<ServerStatus> statuses = new ArrayList<>(servers.length);
        for (ServerPool server : servers) {
            statuses.add(server.status());
        }
        return List.copyOf(statuses);
    }

    /** Sockets open to every server, dials in progress included. */
    int openConnections() {
        int open = 0;
        for (ServerPool server : all) {
            open += server.opened.get();
        }
        return open;
    }

    /** The idle connection used least recently, of any server; not claimed. */
    PoolEntry leastRecentlyUsedIdle() {
        PoolEntry oldest = null;
        for (ServerPool server : all) {
            for (int i = 0; i < server.slots.length(); i++) {
                PoolEntry entry = server.slots.get(i);
                if (entry != null && entry.state() == PoolEntry.IDLE
                        && (oldest == null || entry.lastUsedNanos() - oldest.lastUsedNanos() < 0)) {
                    oldest = entry;
                }
            }
        }
        return oldest;
    }

    /** When the first down server's probe is due (nanoTime), or {@code Long.MAX_VALUE} if none is down. */
    long soonestRetryNanos() {
        long soonest = Long.MAX_VALUE;
        boolean any = false;
        for (ServerPool server : all) {
            ServerHealth.Snapshot health = server.health.current();
            if (health.state() == ServerState.DOWN && (!any || health.retryAtNanos() - soonest < 0)) {
                soonest = health.retryAtNanos();
                any = true;
            }
        }
        return soonest;
    }

    /** Nanoseconds until a rate-limited server that takes borrows grants again; 0 if none is limited. */
    long nanosToPermit(long nowNanos) {
        long soonest = Long.MAX_VALUE;
        for (ServerPool server : turns) {
            long wait = server.nanosToPermit(nowNanos);
            if (wait > 0) {
                soonest = Math.min(soonest, wait);
            }
        }
        return soonest == Long.MAX_VALUE ? 0 : soonest;
    }
}
