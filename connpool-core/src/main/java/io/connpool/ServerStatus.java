package io.connpool;

import java.time.Instant;

/**
 * A snapshot of one server of a pool, read from the pool's memory without touching the network.
 *
 * @param address the server
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
        ServerState state,
        int active,
        int idle,
        int consecutiveFailures,
        String lastError,
        Instant lastErrorAt,
        Instant nextRetry) {
}
