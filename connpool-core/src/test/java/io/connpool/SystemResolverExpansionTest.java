package io.connpool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.connpool.testing.LineClient;
import io.connpool.testing.PoolFixture;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * DNS expansion through the JVM's own resolver ({@code InetAddress.getAllByName}, no seam), for a name with two
 * loopback addresses. The core module runs it in an execution of its own whose JVM reads
 * {@code src/test/resources/two-loopback-addresses.hosts} ({@code -Djdk.net.hosts.file}); where the name does not
 * resolve to both (run on its own, without that file), it is skipped, saying why.
 */
@Tag("jvm-resolver")
class SystemResolverExpansionTest {

    static final String NAME = "billing.connpool.test";

    @RegisterExtension
    final PoolFixture fixture = new PoolFixture();

    @Test
    void aNameTheJvmResolvesToTwoLoopbackAddressesBecomesTwoServers() throws Exception {
        Set<String> resolved = new HashSet<>();
        try {
            Arrays.stream(InetAddress.getAllByName(NAME)).forEach(a -> resolved.add(a.getHostAddress()));
        }
        catch (UnknownHostException ex) {
            // reported below
        }
        Assumptions.assumeTrue(resolved.containsAll(Set.of("127.0.0.1", "127.0.0.2")), "the JVM's resolver maps '"
                + NAME + "' to " + resolved + ", not to 127.0.0.1 and 127.0.0.2: run this test with"
                + " -Djdk.net.hosts.file=src/test/resources/two-loopback-addresses.hosts (the core module's"
                + " jvm-resolver execution does)");
        LoopbackAliases aliases = fixture.register(LoopbackAliases.start(2));

        ConnPool pool = fixture.pool(ConnPool.builder().name(fixture.testName()).servers(NAME + ":" + aliases.port()));

        assertThat(pool.servers()).extracting(ServerStatus::address)
                .containsExactlyInAnyOrder(aliases.server(1), aliases.server(2));
        assertThat(pool.servers()).extracting(ServerStatus::source).containsOnly(NAME + ":" + aliases.port());
        await().until(() -> pool.stats().idle() == 2); // both warmed up
        Set<String> answered = new HashSet<>();
        for (int i = 0; i < 10; i++) {
            try (PooledConnection connection = pool.acquire()) {
                String reply = LineClient.call(connection, "x");
                answered.add(reply.substring(0, reply.lastIndexOf(':')));
            }
        }
        assertThat(answered).containsExactlyInAnyOrder("127.0.0.1", "127.0.0.2");
    }
}
