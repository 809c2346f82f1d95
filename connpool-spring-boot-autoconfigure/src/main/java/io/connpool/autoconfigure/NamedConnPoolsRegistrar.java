package io.connpool.autoconfigure;

import io.connpool.ConnPool;
import java.util.Map;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.support.AbstractBeanDefinition;
import org.springframework.beans.factory.support.AutowireCandidateQualifier;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.BeanDefinitionRegistryPostProcessor;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.EnvironmentAware;
import org.springframework.core.env.Environment;

/**
 * Registers one {@link ConnPool} bean per key of {@code connpool.pools}: bean name {@code <name>ConnPool},
 * qualifier {@code <name>}, created eagerly (a bad value fails start-up, not the first request) and closed
 * with the context. A bean of that name defined by the application wins.
 */
final class NamedConnPoolsRegistrar implements BeanDefinitionRegistryPostProcessor, EnvironmentAware, BeanFactoryAware {

    static final String BEAN_NAME_SUFFIX = "ConnPool";

    private Environment environment;
    private BeanFactory beanFactory;

    @Override
    public void setEnvironment(Environment environment) {
        this.environment = environment;
    }

    @Override
    public void setBeanFactory(BeanFactory beanFactory) {
        this.beanFactory = beanFactory;
    }

    @Override
    public void postProcessBeanDefinitionRegistry(BeanDefinitionRegistry registry) {
        Map<String, ConnPoolProperties.Pool> pools = Binder.get(environment)
                .bind("connpool.pools", Bindable.mapOf(String.class, ConnPoolProperties.Pool.class))
                .orElse(Map.of());
        for (String name : pools.keySet()) {
            String beanName = name + BEAN_NAME_SUFFIX;
            if (registry.containsBeanDefinition(beanName)) {
                continue;
            }
            RootBeanDefinition definition = new RootBeanDefinition(ConnPool.class);
            definition.setInstanceSupplier(() -> beanFactory.getBean(ConnPoolFactory.class).create(name));
            definition.addQualifier(new AutowireCandidateQualifier(Qualifier.class, name));
            definition.setLazyInit(false);
            definition.setDestroyMethodName(AbstractBeanDefinition.INFER_METHOD);
            registry.registerBeanDefinition(beanName, definition);
        }
    }
}
