package io.connpool;

import java.util.Objects;

/**
 * The address of one server: a host name or IP literal and a TCP port.
 *
 * <p>Parsed from {@code host:port}, or {@code [v6-literal]:port} for IPv6. The host is kept as given
 * and resolved at each dial, so a DNS change is picked up on reconnection.
 *
 * @param host host name or IP literal, never blank, without brackets
 * @param port TCP port, 1 to 65535
 */
public record ServerAddress(String host, int port) {

    /**
     * Creates an address, validating both parts.
     *
     * @param host host name or IP literal; brackets around an IPv6 literal are removed
     * @param port TCP port, 1 to 65535
     * @throws IllegalArgumentException if the host is blank or holds a {@code /}, or the port is outside 1..65535
     */
    public ServerAddress {
        Objects.requireNonNull(host, "host");
        if (host.isBlank()) {
            throw new IllegalArgumentException("Server host must not be blank; give a host name or IP address");
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (host.indexOf('/') >= 0) {
            // no host has one, and health paths (one segment per server) could not hold it
            throw new IllegalArgumentException("Server host '" + host + "' contains '/'; give a host name or IP address");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException(
                    "Server port " + port + " of '" + host + "' is out of range; use a TCP port from 1 to 65535");
        }
    }

    /**
     * Parses {@code host:port} or {@code [v6-literal]:port}.
     *
     * @param value the address as written in configuration
     * @return the parsed address
     * @throws IllegalArgumentException naming the value and the expected form if it cannot be parsed
     */
    public static ServerAddress parse(String value) {
        if (value == null) {
            throw new IllegalArgumentException("Server address must not be null; expected 'host:port'");
        }
        String text = value.strip();
        String host;
        String port;
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0 || close + 1 >= text.length() || text.charAt(close + 1) != ':') {
                throw invalid(value, "an IPv6 address must be written '[address]:port'");
            }
            host = text.substring(1, close);
            port = text.substring(close + 2);
        }
        else {
            int colon = text.lastIndexOf(':');
            if (colon < 0) {
                throw invalid(value, "the port is missing");
            }
            host = text.substring(0, colon);
            if (host.indexOf(':') >= 0) {
                throw invalid(value, "an IPv6 address must be written '[address]:port'");
            }
            port = text.substring(colon + 1);
        }
        if (host.isBlank()) {
            throw invalid(value, "the host is missing");
        }
        if (host.chars().anyMatch(c -> Character.isWhitespace(c) || c == '/' || c == '[' || c == ']')) {
            throw invalid(value, "the host contains a character not allowed in a host name");
        }
        if (port.isEmpty() || port.length() > 5 || !port.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw invalid(value, "the port '" + port + "' is not a number");
        }
        int number = Integer.parseInt(port);
        if (number < 1 || number > 65535) {
            throw invalid(value, "the port " + number + " is out of range 1 to 65535");
        }
        return new ServerAddress(host, number);
    }

    private static IllegalArgumentException invalid(String value, String why) {
        return new IllegalArgumentException("Invalid server address '" + value + "': " + why
                + "; expected 'host:port' or '[ipv6]:port', for example 'db-1.internal:7000'");
    }

    /** Returns {@code host:port}, with brackets around an IPv6 literal, as {@link #parse} accepts it. */
    @Override
    public String toString() {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }
}
