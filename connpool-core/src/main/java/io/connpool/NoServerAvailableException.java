package io.connpool;

import java.util.List;

/**
 * Every server of the pool is {@link ServerState#DOWN} (or the pool has no server): nothing could be
 * dialed. Carries each server's status, with its last error and the time of its next retry.
 */
public class NoServerAvailableException extends ConnPoolException {

    private static final long serialVersionUID = 1L;

    private final transient List<ServerStatus> servers;

    /**
     * Creates the exception.
     *
     * @param message what happened and what to do
     * @param servers the status of every server when it was raised
     * @param cause the most recent failure, or {@code null}
     */
    public NoServerAvailableException(String message, List<ServerStatus> servers, Throwable cause) {
        super(message, cause);
        this.servers = List.copyOf(servers);
    }

    /**
     * Returns the status of every server at the time of the failure.
     *
     * @return one entry per server, in pool order
     */
    public List<ServerStatus> servers() {
        return servers == null ? List.of() : servers;
    }
}
