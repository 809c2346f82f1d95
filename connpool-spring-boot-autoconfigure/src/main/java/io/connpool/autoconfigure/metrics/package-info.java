/** Micrometer meters of connpool's pools. */
package io.connpool.autoconfigure.metrics;
