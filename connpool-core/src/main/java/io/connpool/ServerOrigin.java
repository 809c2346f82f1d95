package io.connpool;

import java.net.InetAddress;

/**
 * Where one server of a list came from, as its source published it: its address (the pool's key for it),
 * its source (the configured entry, DNS name or source name users see), and for an address a DNS name
 * resolved to, that name, so that the dial verifies the name (TLS) and connects to that very address.
 *
 * @param address the server's address: for a resolved name, the {@code ip:port}
 * @param source what {@link ServerStatus#source()} shows
 * @param named the configured {@code host:port} whose host resolved to {@code resolved}; null if not resolved
 * @param resolved the address to connect to; null to dial {@code address} as it is (resolving at each dial)
 * @param problem why its source could not refresh it lately, shared by every server of that source
 */
record ServerOrigin(ServerAddress address, String source, ServerAddress named, InetAddress resolved, Problem problem) {

    /** A server listed as it is, its own source. */
    static ServerOrigin of(ServerAddress address, Problem problem) {
        return new ServerOrigin(address, address.toString(), null, null, problem);
    }

    /**
     * Why a source could not refresh its servers lately (a failed lookup), or null: the servers it published
     * before stay, and show this as their {@link ServerStatus#sourceError()}.
     */
    static final class Problem {

        static final Problem NONE = new Problem();

        private volatile String text;

        String text() {
            return text;
        }

        void set(String problem) {
            if (this != NONE) {
                text = problem;
            }
        }
    }
}
