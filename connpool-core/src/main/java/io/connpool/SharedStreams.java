package io.connpool;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The streams of a {@link ManagedConnection}: each call goes to whichever connection is live at that
 * moment, and an error or end of stream replaces it.
 */
final class SharedStreams {

    private SharedStreams() {
    }

    static final class Input extends InputStream {

        private final ManagedConnection owner;

        Input(ManagedConnection owner) {
            this.owner = owner;
        }

        @Override
        public int read() throws IOException {
            LiveConnection live = owner.live();
            try {
                int b = live.input.read();
                if (b < 0) {
                    owner.lost(live, new EOFException("closed by " + live.server));
                }
                return b;
            }
            catch (IOException ex) {
                owner.lost(live, ex);
                throw ex;
            }
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            LiveConnection live = owner.live();
            try {
                int n = live.input.read(buffer, offset, length);
                if (n < 0) {
                    owner.lost(live, new EOFException("closed by " + live.server));
                }
                return n;
            }
            catch (IOException ex) {
                owner.lost(live, ex);
                throw ex;
            }
        }

        /** Has no effect: close the {@link ManagedConnection} instead. */
        @Override
        public void close() {
        }
    }

    static final class Output extends OutputStream {

        private final ManagedConnection owner;

        Output(ManagedConnection owner) {
            this.owner = owner;
        }

        @Override
        public void write(int b) throws IOException {
            owner.write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] buffer, int offset, int length) throws IOException {
            owner.write(buffer, offset, length);
        }

        /** Has no effect: close the {@link ManagedConnection} instead. */
        @Override
        public void close() {
        }
    }
}
