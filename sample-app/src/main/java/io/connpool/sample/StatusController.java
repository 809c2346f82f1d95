package io.connpool.sample;

import io.connpool.autoconfigure.ConnPools;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/status}: every pool with its servers, what the status page at {@code /} polls. Built on the
 * public API only ({@link ConnPools}, {@code ConnPool.servers()}, {@code ConnPool.stats()}), so it reads memory,
 * never the network, and is cheap enough to poll every second.
 */
@RestController
public class StatusController {

    private final ConnPools pools;

    private final ObjectProvider<EmbeddedServers> embedded;

    public StatusController(ConnPools pools, ObjectProvider<EmbeddedServers> embedded) {
        this.pools = pools;
        this.embedded = embedded;
    }

    @GetMapping("/api/status")
    public Status status() {
        EmbeddedServers servers = embedded.getIfAvailable();
        Map<String, DemoServersController.ServerView> demo = servers == null ? Map.of()
                : servers.servers().stream().map(DemoServersController.ServerView::of)
                        .collect(Collectors.toMap(DemoServersController.ServerView::address, Function.identity()));
        return new Status(Instant.now().toString(),
                pools.asMap().values().stream().map(pool -> PoolStatusView.of(pool, demo)).toList());
    }

    /**
     * What the page shows.
     *
     * @param at when it was read, by the server's clock (the page computes "in 1.2 s" from it, not from its own)
     * @param pools every pool
     */
    public record Status(String at, List<PoolStatusView> pools) {
    }
}
