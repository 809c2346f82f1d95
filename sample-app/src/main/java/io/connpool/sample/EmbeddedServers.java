package io.connpool.sample;

import java.util.List;
import java.util.stream.IntStream;
import org.springframework.context.SmartLifecycle;

/**
 * The three in-process servers of the embedded default. A {@link SmartLifecycle} in a phase below the
 * pools', so they stop after the pools have closed their connections and shutdown logs no failures.
 */
public final class EmbeddedServers implements SmartLifecycle {

    private final List<LineServer> servers;
    private volatile boolean running;

    EmbeddedServers(int count) {
        this.servers = IntStream.rangeClosed(1, count).mapToObj(i -> new LineServer("server-" + i)).toList();
        servers.forEach(LineServer::start);
        running = true;
    }

    /** The servers, in the order the pool lists them. */
    public List<LineServer> servers() {
        return servers;
    }

    /** Their addresses, as {@code connpool.servers} takes them. */
    public List<String> addresses() {
        return servers.stream().map(LineServer::address).toList();
    }

    @Override
    public void start() {
        running = true;
    }

    @Override
    public void stop() {
        servers.forEach(LineServer::shutdown);
        running = false;
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE - 4096;
    }
}
