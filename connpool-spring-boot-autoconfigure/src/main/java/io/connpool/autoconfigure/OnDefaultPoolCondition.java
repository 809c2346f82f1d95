package io.connpool.autoconfigure;

import java.util.List;
import org.springframework.boot.autoconfigure.condition.ConditionMessage;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Matches when {@code connpool.servers} lists a server, in any form (comma list or indexed entries), or
 * {@code connpool.discovery.service-id} names the service whose instances are the servers.
 */
final class OnDefaultPoolCondition extends SpringBootCondition {

    @Override
    public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
        ConditionMessage.Builder message = ConditionMessage.forCondition("ConnPool default pool");
        String serviceId = context.getEnvironment().getProperty("connpool.discovery.service-id");
        if (serviceId != null && !serviceId.isBlank()) {
            return ConditionOutcome.match(message.found("property").items("connpool.discovery.service-id"));
        }
        List<String> servers = Binder.get(context.getEnvironment())
                .bind("connpool.servers", Bindable.listOf(String.class))
                .orElse(List.of());
        if (servers.isEmpty()) {
            return ConditionOutcome.noMatch(message.didNotFind("property").items("connpool.servers",
                    "connpool.discovery.service-id"));
        }
        return ConditionOutcome.match(message.found("property").items("connpool.servers"));
    }
}
