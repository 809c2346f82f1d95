package io.connpool.testing;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.ThreadFactory;

/** Virtual threads for tests tagged {@code jdk25}, looked up at run time: the test sources compile for Java 17. */
public final class VirtualThreads {

    private VirtualThreads() {
    }

    /** {@code Thread.ofVirtual().factory()}. */
    public static ThreadFactory factory() {
        try {
            MethodHandles.Lookup lookup = MethodHandles.publicLookup();
            Class<?> builderType = Class.forName("java.lang.Thread$Builder$OfVirtual");
            MethodHandle ofVirtual = lookup.findStatic(Thread.class, "ofVirtual", MethodType.methodType(builderType));
            MethodHandle factory = lookup.findVirtual(Class.forName("java.lang.Thread$Builder"), "factory",
                    MethodType.methodType(ThreadFactory.class));
            return (ThreadFactory) factory.invoke(ofVirtual.invoke());
        }
        catch (ClassNotFoundException ex) {
            throw new AssertionError("This test needs virtual threads (JDK 21+) and runs on " + Runtime.version()
                    + "; run it with the jdk25 profile's surefire execution", ex);
        }
        catch (Throwable ex) {
            throw new AssertionError("cannot create virtual threads on " + Runtime.version(), ex);
        }
    }
}
