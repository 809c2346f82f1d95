package io.connpool.autoconfigure;

import java.util.List;

/** The servers of {@code connpool.servers} and {@code connpool.pools.<name>.servers}. */
final class PropertiesConnPoolConnectionDetails implements ConnPoolConnectionDetails {

    private final ConnPoolProperties properties;

    PropertiesConnPoolConnectionDetails(ConnPoolProperties properties) {
        this.properties = properties;
    }

    @Override
    public List<String> servers(String pool) {
        List<String> servers = properties.own(pool).getServers();
        return servers != null ? servers : List.of();
    }
}
