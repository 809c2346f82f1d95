package io.connpool.benchmarks.readtimeout;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.SocketChannel;
import java.util.Locale;

/**
 * The ways of bounding a read that {@code ReadTimeoutBenchmark} compares, each over one dedicated loopback
 * connection (no pool), named as the benchmark's {@code option} parameter.
 */
public enum ReadTimeoutOption {

    /** The physical limit: today's socket type ({@code SocketChannel.open().socket()}), no timeout, one {@code read(2)}. */
    NONE_CHANNEL,
    /** A plain {@code new Socket()} (NioSocketImpl), no timeout. */
    NONE_PLAIN,
    /** (a) Today's default: {@code SO_TIMEOUT} on the channel socket {@code Dialer.tcp()} opens. */
    SO_TIMEOUT_CHANNEL,
    /** (b) {@code SO_TIMEOUT} on a plain {@code new Socket()}. */
    SO_TIMEOUT_PLAIN,
    /** (c1) Blocking reads on the channel socket; OkHttp-style deadline queue with a lock and one watchdog thread. */
    WATCHDOG_QUEUE,
    /** (c2) Blocking reads on the channel socket; a deadline field per connection swept by one thread each tick. */
    WATCHDOG_SWEEP,
    /** (c3) As (c2), but readers take the time from the sweep thread instead of {@code System.nanoTime()}. */
    WATCHDOG_SWEEP_COARSE,
    /** (d) A non-blocking channel with a selector of its own: {@code epoll_wait} bounded by the timeout, then read. */
    SELECTOR;

    /** The parameter value: the name in lower case with dashes, e.g. {@code so-timeout-channel}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static ReadTimeoutOption of(String id) {
        for (ReadTimeoutOption option : values()) {
            if (option.id().equals(id)) {
                return option;
            }
        }
        throw new IllegalArgumentException("unknown read-timeout option '" + id + "'; use one of "
                + java.util.Arrays.stream(values()).map(ReadTimeoutOption::id).toList());
    }

    /** Whether a read on this option is bounded at all. */
    public boolean bounded() {
        return this != NONE_CHANNEL && this != NONE_PLAIN;
    }

    /** The watchdog all connections of this option share, or null if it needs none. Close it after them. */
    public AutoCloseable newWatchdog(long timeoutNanos) {
        return switch (this) {
            case WATCHDOG_QUEUE -> new QueueWatchdog(timeoutNanos);
            case WATCHDOG_SWEEP -> new SweepWatchdog(timeoutNanos, false);
            case WATCHDOG_SWEEP_COARSE -> new SweepWatchdog(timeoutNanos, true);
            default -> null;
        };
    }

    /** How late past the timeout a read may fail and still be on time: the watchdog's tick(s) plus 50 ms. */
    public long marginNanos(long timeoutNanos) {
        long scheduling = 50_000_000L;
        return switch (this) {
            case WATCHDOG_SWEEP -> SweepWatchdog.tickFor(timeoutNanos) + scheduling;
            case WATCHDOG_SWEEP_COARSE -> 2 * SweepWatchdog.tickFor(timeoutNanos) + scheduling;
            default -> scheduling;
        };
    }

    /**
     * Dials as {@code Dialer.tcp()} does (TCP_NODELAY, SO_KEEPALIVE, 2 s connect timeout) and bounds every read of
     * the connection by {@code timeoutNanos} (ignored by the two {@code none} options).
     *
     * @param watchdog what {@link #newWatchdog} returned for this option (null for the others)
     */
    public TimedConnection open(InetSocketAddress server, long timeoutNanos, AutoCloseable watchdog)
            throws IOException {
        boolean plain = this == NONE_PLAIN || this == SO_TIMEOUT_PLAIN;
        Socket socket;
        SocketChannel channel = null;
        if (plain) {
            socket = new Socket();
        }
        else {
            channel = SocketChannel.open();
            socket = channel.socket();
        }
        try {
            socket.setTcpNoDelay(true);
            socket.setKeepAlive(true);
            socket.connect(server, 2_000);
            return switch (this) {
                case NONE_CHANNEL, NONE_PLAIN -> new PlainReadConnection(socket, 0);
                case SO_TIMEOUT_CHANNEL, SO_TIMEOUT_PLAIN -> new PlainReadConnection(socket, timeoutNanos);
                case WATCHDOG_QUEUE, WATCHDOG_SWEEP, WATCHDOG_SWEEP_COARSE ->
                        new WatchedConnection(socket, (Watchdog) watchdog, timeoutNanos);
                case SELECTOR -> SelectorConnection.open(channel, timeoutNanos);
            };
        }
        catch (IOException | RuntimeException ex) {
            socket.close();
            throw ex;
        }
    }
}
