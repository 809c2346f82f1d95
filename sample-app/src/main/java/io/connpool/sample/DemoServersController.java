package io.connpool.sample;

import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * Stops and restarts the embedded servers, so failover, health going DOWN and reconnection can be
 * watched: {@code POST /api/demo/servers/{index}/stop} and {@code .../start}, index from 1.
 */
@RestController
@RequestMapping("/api/demo/servers")
public class DemoServersController {

    private final ObjectProvider<EmbeddedServers> embedded;

    public DemoServersController(ObjectProvider<EmbeddedServers> embedded) {
        this.embedded = embedded;
    }

    @GetMapping
    public List<ServerView> list() {
        return servers().servers().stream().map(ServerView::of).toList();
    }

    @PostMapping("/{index}/stop")
    public ServerView stop(@PathVariable int index) {
        LineServer server = server(index);
        server.stop();
        return ServerView.of(server);
    }

    @PostMapping("/{index}/start")
    public ServerView start(@PathVariable int index) {
        LineServer server = server(index);
        server.start();
        return ServerView.of(server);
    }

    private EmbeddedServers servers() {
        EmbeddedServers servers = embedded.getIfAvailable();
        if (servers == null) {
            throw new ResponseStatusException(HttpStatus.NOT_FOUND,
                    "The demo endpoints control the embedded servers, which are off because connpool.servers is set");
        }
        return servers;
    }

    private LineServer server(int index) {
        List<LineServer> all = servers().servers();
        if (index < 1 || index > all.size()) {
            throw new ResponseStatusException(HttpStatus.NOT_FOUND,
                    "No embedded server " + index + "; they are numbered 1 to " + all.size());
        }
        return all.get(index - 1);
    }

    /**
     * An embedded server as the demo shows it.
     *
     * @param index its number, from 1
     * @param name its name
     * @param address where it listens
     * @param running whether it is listening
     */
    public record ServerView(int index, String name, String address, boolean running) {

        static ServerView of(LineServer server) {
            return new ServerView(Integer.parseInt(server.name().substring("server-".length())), server.name(),
                    server.address(), server.isRunning());
        }
    }
}
