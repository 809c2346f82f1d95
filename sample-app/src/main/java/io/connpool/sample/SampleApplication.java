package io.connpool.sample;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * A web application that talks to line-protocol servers through connpool. With no
 * {@code connpool.servers} configured it starts three servers in-process (see
 * {@link EmbeddedServersInitializer}), so it runs on a fresh machine with nothing else installed.
 */
@SpringBootApplication
public class SampleApplication {

    public static void main(String[] args) {
        SpringApplication.run(SampleApplication.class, args);
    }
}
