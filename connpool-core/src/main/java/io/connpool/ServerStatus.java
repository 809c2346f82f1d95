package io.connpool;

import java.time.Instant;

/**
 * A snapshot of one server of a pool, read from the pool's memory without touching the network.
 *
 * @param address the server's address as the pool dials it: for a DNS name expanded into its addresses,
 *        the resolved {@code ip:port}
 * @param source where the server came from: the configured entry ({@code host:port} as written), the DNS
 *        name it was resolved from, or the discovery service id; equal to {@code address.toString()} for a
 *        server listed as is
 * @param state its state
 * @param active connections borrowed from it now
 * @param idle open connections to it waiting in the pool
 * @param consecutiveFailures failed dials (while {@link ServerState#DOWN}) or consecutive connections
 *        invalidated by I/O errors (while up), reset by success
 * @param lastError the last dial or I/O failure, {@code null} if none since it was last up
 * @param lastErrorAt when {@code lastError} happened, {@code null} if none
 * @param nextRetry when the background probe dials it again, {@code null} unless {@code DOWN}
 */
public record ServerStatus(
        ServerAddress address,
        String source,
        ServerState state,
        int active,
        int idle,
        int consecutiveFailures,
        String lastError,
        Instant lastErrorAt,
        Instant nextRetry) {
}
