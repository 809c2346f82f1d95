package io.connpool.sample;

import java.io.IOException;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /api/echo?text=…}: one request through the pool. */
@RestController
public class EchoController {

    private final EchoClient client;

    public EchoController(EchoClient client) {
        this.client = client;
    }

    @GetMapping("/api/echo")
    public EchoClient.Echo echo(@RequestParam String text) throws IOException {
        return client.echo(text);
    }
}
