/** Actuator health of connpool's pools, one indicator per server. */
package io.connpool.autoconfigure.health;
