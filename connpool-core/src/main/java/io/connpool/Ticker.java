package io.connpool;

/**
 * The pool's time: {@link #nanoTime()} for every interval and deadline, {@link #wallMillis()} only for what
 * users read (when an error happened, when the next retry is). A seam, not an option: tests hand the pool
 * a ticker they move forward by hand, so backoff, ejection, idle timeout and lifetime are tested in
 * microseconds. An abstract class rather than an interface so that, with only {@link #SYSTEM} loaded, the
 * JIT calls straight through to {@link System#nanoTime()} on the hot path.
 */
abstract class Ticker {

    static final Ticker SYSTEM = new Ticker() {

        @Override
        long nanoTime() {
            return System.nanoTime();
        }

        @Override
        long wallMillis() {
            return System.currentTimeMillis();
        }
    };

    abstract long nanoTime();

    abstract long wallMillis();
}
