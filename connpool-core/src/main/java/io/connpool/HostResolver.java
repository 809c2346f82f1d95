package io.connpool;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Turns a host name into its addresses. A seam: the system's resolver in production, a table in tests of
 * DNS behaviour that need no DNS server.
 */
@FunctionalInterface
interface HostResolver {

    HostResolver SYSTEM = InetAddress::getAllByName;

    InetAddress[] resolve(String host) throws UnknownHostException;
}
