package io.connpool;

import java.io.IOException;
import java.net.Socket;

/** Socket chores shared by the pool, the managed connection and the dialers. */
final class Sockets {

    private Sockets() {
    }

    /**
     * Closes a socket the pool is giving up on. A failure to close says nothing new: the connection is
     * gone either way, and the error that made us close it is the one worth reporting.
     */
    static void closeQuietly(Socket socket) {
        if (socket != null) {
            try {
                socket.close();
            }
            catch (IOException ignored) {
                // see above
            }
        }
    }
}
