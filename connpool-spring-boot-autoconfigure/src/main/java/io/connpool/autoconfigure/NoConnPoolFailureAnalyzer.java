package io.connpool.autoconfigure;

import io.connpool.ConnPool;
import java.util.Map;
import java.util.Set;
import org.springframework.beans.factory.InjectionPoint;
import org.springframework.beans.factory.NoSuchBeanDefinitionException;
import org.springframework.beans.factory.UnsatisfiedDependencyException;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.analyzer.AbstractInjectionFailureAnalyzer;
import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;

/**
 * Reports a {@link ConnPool} injection that no pool satisfies with the property to set, rather than Boot's
 * generic "required a bean of type 'io.connpool.ConnPool' that could not be found".
 */
final class NoConnPoolFailureAnalyzer extends AbstractInjectionFailureAnalyzer<NoSuchBeanDefinitionException>
        implements Ordered {

    private final Environment environment;

    NoConnPoolFailureAnalyzer(Environment environment) {
        this.environment = environment;
    }

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, NoSuchBeanDefinitionException cause, String description) {
        if (cause.getBeanType() == null || !ConnPool.class.isAssignableFrom(cause.getBeanType())) {
            return null;
        }
        String qualifier = qualifier(rootFailure);
        Set<String> named = Binder.get(environment)
                .bind("connpool.pools", Bindable.mapOf(String.class, Object.class))
                .orElse(Map.of())
                .keySet();
        String who = description != null ? description : "A bean";
        if (qualifier != null && !ConnPoolProperties.DEFAULT_POOL.equals(qualifier)) {
            return new FailureAnalysis(who + " required the connection pool '" + qualifier + "', but no pool of that"
                    + " name is configured (the named pools are " + named + ").",
                    "Set connpool.pools." + qualifier + ".servers to the pool's servers, for example connpool.pools."
                            + qualifier + ".servers[0]=" + qualifier + "-1.internal:9000, or inject one of " + named
                            + " with @Qualifier.", cause);
        }
        String pools = named.isEmpty() ? "no pool is configured (connpool.servers is not set and connpool.pools is"
                + " empty)" : "connpool.servers is not set, so there is no default pool (the named pools are " + named
                        + ")";
        return new FailureAnalysis(who + " required a ConnPool, but " + pools + ".",
                "Set connpool.servers to the servers of the default pool, for example connpool.servers=10.0.0.1:7000,"
                        + "10.0.0.2:7000" + (named.isEmpty() ? ", or configure a named pool under"
                                + " connpool.pools.<name>.servers and inject it with @Qualifier(\"<name>\")."
                                : ", or inject a named pool with @Qualifier(\"" + named.iterator().next() + "\")."),
                cause);
    }

    private static String qualifier(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof UnsatisfiedDependencyException unsatisfied && unsatisfied.getInjectionPoint() != null) {
                InjectionPoint point = unsatisfied.getInjectionPoint();
                Qualifier qualifier = point.getAnnotation(Qualifier.class);
                return qualifier != null ? qualifier.value() : null;
            }
        }
        return null;
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE;
    }
}
