/** The {@code connpool} Actuator endpoint: every pool's stats and servers, and a soft evict. */
package io.connpool.autoconfigure.endpoint;
