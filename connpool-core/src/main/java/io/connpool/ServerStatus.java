package io.connpool;

import java.time.Instant;

/**
 * A snapshot of one server of a pool, read from the pool's memory without touching the network.
 *
 * @param address the server's address as the pool dials it: for a DNS name expanded into its addresses,
 *        the resolved {@code ip:port}
 * @param source where the server came from: the configured entry ({@code host:port} as written) for a
 *        server listed as is or a DNS name expanded into its addresses, or the {@linkplain ServerSource#name()
 *        name} of the {@link ServerSource} that published it (a discovery service id)
 * @param state its state
 * @param active connections borrowed from it now
 * @param idle open connections to it waiting in the pool
 * @param consecutiveFailures failed dials (while {@link ServerState#DOWN}) or consecutive connections
 *        invalidated by I/O errors (while up), reset by success
 * @param lastError the last dial or I/O failure, {@code null} if none since it was last up
 * @param lastErrorAt when {@code lastError} happened, {@code null} if none
 * @param nextRetry when the background probe dials it again, {@code null} unless {@code DOWN}
 * @param sourceError why its source could not refresh it lately (a DNS lookup that failed or timed out, a
 *        {@linkplain ServerSource#polling polling} lookup that threw), while the pool keeps the servers it had;
 *        {@code null} when the last refresh succeeded or its source never refreshes
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
        Instant nextRetry,
        String sourceError) {
}
