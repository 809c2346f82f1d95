/** Spring Boot auto-configuration of connpool: properties, pools as beans, SSL bundles, failure analysis. */
package io.connpool.autoconfigure;
