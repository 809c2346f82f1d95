package io.connpool.autoconfigure;

import java.util.List;
import org.springframework.boot.autoconfigure.service.connection.ConnectionDetails;

/**
 * Where the servers of each pool are, for code that knows better than the properties: a test that starts
 * its own servers, a Testcontainers or Docker Compose integration. Every auto-configured pool asks it; a
 * non-empty answer replaces that pool's configured servers (the other keys still come from
 * {@code connpool.*}). Without a bean of your own, the answer is {@code connpool.servers} for the default
 * pool and {@code connpool.pools.<name>.servers} for a named one.
 */
@FunctionalInterface
public interface ConnPoolConnectionDetails extends ConnectionDetails {

    /**
     * Returns the servers of one pool.
     *
     * @param pool {@code "default"} for the pool of {@code connpool.servers}, else the key under
     *        {@code connpool.pools}
     * @return the servers as {@code host:port} or {@code [ipv6]:port}; empty to keep the configured ones
     */
    List<String> servers(String pool);
}
