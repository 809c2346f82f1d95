package io.connpool.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.connpool.ServerAddress;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/** Bad input to {@link ServerAddress#parse}: it parses or says what is wrong with the value, nothing else. */
class ServerAddressPropertyTest {

    @Property
    void hostAndPortRoundTrip(@ForAll("hostNames") String host, @ForAll @IntRange(min = 1, max = 65535) int port) {
        ServerAddress address = ServerAddress.parse(host + ":" + port);
        assertThat(address.host()).isEqualTo(host);
        assertThat(address.port()).isEqualTo(port);
        assertThat(address.toString()).isEqualTo(host + ":" + port);
        assertThat(ServerAddress.parse(address.toString())).isEqualTo(address);
    }

    @Property
    void bracketedIpv6RoundTrip(@ForAll("ipv6") String v6, @ForAll @IntRange(min = 1, max = 65535) int port) {
        ServerAddress address = ServerAddress.parse("[" + v6 + "]:" + port);
        assertThat(address.host()).isEqualTo(v6);
        assertThat(address.port()).isEqualTo(port);
        assertThat(address.toString()).isEqualTo("[" + v6 + "]:" + port);
        assertThat(ServerAddress.parse(address.toString())).isEqualTo(address);
    }

    @Property(tries = 3_000)
    void anyStringParsesToAValidAddressOrIsRejectedByName(@ForAll String value) {
        parsesOrNamesTheValue(value);
    }

    @Property(tries = 3_000)
    void addressLikeStringsParseToAValidAddressOrAreRejectedByName(@ForAll("addressLike") String value) {
        parsesOrNamesTheValue(value);
    }

    @Property
    void portsOutOfRangeAreRejected(@ForAll("hostNames") String host, @ForAll("badPorts") String port) {
        String value = host + ":" + port;
        assertThatThrownBy(() -> ServerAddress.parse(value)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + value + "'");
    }

    @Example
    void nullIsRejectedWithAnIllegalArgumentException() {
        assertThatThrownBy(() -> ServerAddress.parse(null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("null");
    }

    private static void parsesOrNamesTheValue(String value) {
        ServerAddress address;
        try {
            address = ServerAddress.parse(value);
        }
        catch (IllegalArgumentException rejected) {
            assertThat(rejected.getMessage()).as("the message names the value").contains("'" + value + "'");
            return;
        }
        assertThat(address.host()).isNotBlank().doesNotContain("[", "]");
        assertThat(address.port()).isBetween(1, 65535);
        assertThat(ServerAddress.parse(address.toString())).as("round trip of %s", address).isEqualTo(address);
    }

    @Provide
    Arbitrary<String> hostNames() {
        Arbitrary<String> label = Arbitraries.strings().withCharRange('a', 'z').withCharRange('0', '9').withChars('-')
                .ofMinLength(1).ofMaxLength(20);
        Arbitrary<String> dns = label.list().ofMinSize(1).ofMaxSize(4).map(labels -> String.join(".", labels));
        Arbitrary<String> ipv4 = Arbitraries.integers().between(0, 255).list().ofSize(4)
                .map(parts -> parts.stream().map(String::valueOf).reduce((x, y) -> x + "." + y).orElseThrow());
        return Arbitraries.oneOf(dns, ipv4);
    }

    @Provide
    Arbitrary<String> ipv6() {
        Arbitrary<List<String>> groups = Arbitraries.integers().between(0, 0xffff).map(Integer::toHexString)
                .list().ofSize(8);
        Arbitrary<String> full = groups.map(g -> String.join(":", g));
        Arbitrary<String> compressed = Combinators.combine(groups, Arbitraries.integers().between(0, 7),
                Arbitraries.integers().between(1, 7)).as((g, from, length) -> {
                    int to = Math.min(8, from + length);
                    return String.join(":", g.subList(0, from)) + "::" + String.join(":", g.subList(to, 8));
                });
        Arbitrary<String> zoned = full.map(v6 -> v6 + "%eth0");
        return Arbitraries.oneOf(full, compressed, zoned, Arbitraries.of("::1", "::", "fe80::1"));
    }

    @Provide
    Arbitrary<String> badPorts() {
        return Arbitraries.oneOf(
                Arbitraries.integers().between(65536, 99999).map(String::valueOf),
                Arbitraries.integers().between(Integer.MIN_VALUE, 0).map(String::valueOf),
                Arbitraries.of("", "0", "00000", "123456", "80a", "+80", " 80", "8 0", "٨٠", "1e3", "0x50"));
    }

    /** Fragments of addresses glued together: reaches the parser's corners more often than random text. */
    @Provide
    Arbitrary<String> addressLike() {
        return Arbitraries.of("[", "]", ":", "::", "::1", "a", "host", "db-1.internal", "127.0.0.1", "%eth0", " ",
                        "\t", "/", "80", "0", "65535", "65536", "-1", "99999", "00080", "٣", "\u00a0", "\u2028", "é")
                .list().ofMinSize(0).ofMaxSize(7).map(parts -> String.join("", parts));
    }
}
