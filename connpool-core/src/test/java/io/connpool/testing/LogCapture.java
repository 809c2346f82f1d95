package io.connpool.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.slf4j.LoggerFactory;

/**
 * Captures what a Logback logger logs, safe to read while pool threads are still logging (Logback's
 * {@code ListAppender} exposes a plain {@code ArrayList}: reading it during an append can throw
 * {@code ConcurrentModificationException}). Close it to detach.
 */
public final class LogCapture implements AutoCloseable {

    private final Logger logger;
    private final Queue<ILoggingEvent> events = new ConcurrentLinkedQueue<>();
    private final AppenderBase<ILoggingEvent> appender = new AppenderBase<>() {
        @Override
        protected void append(ILoggingEvent event) {
            events.add(event);
        }
    };

    private LogCapture(String loggerName) {
        this.logger = (Logger) LoggerFactory.getLogger(loggerName);
        appender.setName("capture-" + System.identityHashCode(this));
        appender.start();
        logger.addAppender(appender);
    }

    /** Starts capturing the named logger (and its children). */
    public static LogCapture of(String loggerName) {
        return new LogCapture(loggerName);
    }

    /** Starts capturing the logger named after the class, as {@code LoggerFactory.getLogger(type)} does. */
    public static LogCapture of(Class<?> type) {
        return new LogCapture(type.getName());
    }

    /** A snapshot of everything logged so far. */
    public List<ILoggingEvent> events() {
        return List.copyOf(events);
    }

    public List<ILoggingEvent> events(Level level) {
        return events.stream().filter(e -> e.getLevel() == level).toList();
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
        appender.stop();
    }
}
