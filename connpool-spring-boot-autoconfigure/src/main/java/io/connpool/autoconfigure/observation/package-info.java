/** Micrometer Observation of connpool's pools: {@code connpool.acquire}, {@code connpool.dial}. */
package io.connpool.autoconfigure.observation;
