package io.connpool.sample;

import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/echo?text=…}: one request through the pool. Each request is logged with its trace id
 * (Micrometer Tracing puts it in the log line), the same id as the {@code connpool.acquire} and
 * {@code connpool.dial} spans of that request.
 */
@RestController
public class EchoController {

    private static final Logger log = LoggerFactory.getLogger(EchoController.class);

    private final EchoClient client;

    public EchoController(EchoClient client) {
        this.client = client;
    }

    @GetMapping("/api/echo")
    public EchoClient.Echo echo(@RequestParam String text) throws IOException {
        EchoClient.Echo echo = client.echo(text);
        log.info("echo served by {} ({})", echo.serverName(), echo.server());
        return echo;
    }
}
