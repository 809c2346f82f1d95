package io.connpool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ServerAddressTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "db-1.internal:7000 | db-1.internal | 7000 | db-1.internal:7000",
            "127.0.0.1:1        | 127.0.0.1     | 1    | 127.0.0.1:1",
            "localhost:65535    | localhost     | 65535| localhost:65535",
            "[::1]:7000         | ::1           | 7000 | [::1]:7000",
            "[2001:db8::7]:443  | 2001:db8::7   | 443  | [2001:db8::7]:443",
            "'  host:80  '      | host          | 80   | host:80",
            "host:0080          | host          | 80   | host:80"})
    void parsesHostAndPort(String value, String host, int port, String written) {
        ServerAddress address = ServerAddress.parse(value);
        assertThat(address.host()).isEqualTo(host);
        assertThat(address.port()).isEqualTo(port);
        assertThat(address).hasToString(written);
        assertThat(ServerAddress.parse(address.toString())).isEqualTo(address);
    }

    @ParameterizedTest(name = "''{0}''")
    @ValueSource(strings = {"", "   ", "host", "host:", ":7000", "host:0", "host:65536", "host:123456", "host:-1",
            "host:http", "host:7000x", "::1:7000", "[::1]7000", "[::1]:", "[::1", "[]:7000", "ho st:80", "a/b:80",
            "host:+80"})
    void rejectsBadValuesNamingThem(String value) {
        assertThatThrownBy(() -> ServerAddress.parse(value))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + value + "'")
                .hasMessageContaining("host:port");
    }

    @Test
    void rejectsNull() {
        assertThatThrownBy(() -> ServerAddress.parse(null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("null");
    }

    @Test
    void theConstructorValidatesToo() {
        assertThat(new ServerAddress("[::1]", 7000).host()).isEqualTo("::1");
        assertThat(new ServerAddress("[::1]", 7000)).isEqualTo(ServerAddress.parse("[::1]:7000"));
        assertThatThrownBy(() -> new ServerAddress(" ", 80)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("host");
        assertThatThrownBy(() -> new ServerAddress("host", 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("port 0").hasMessageContaining("'host'");
        assertThatThrownBy(() -> new ServerAddress("host", 65536)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("65536");
    }
}
