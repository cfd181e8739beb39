package io.synapsews.gateway;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.log4j.AppenderSkeleton;
import org.apache.log4j.Logger;
import org.apache.log4j.spi.LoggingEvent;

/** Everything the gateway logs (through log4j, as Synapse configures it) while a test class runs. */
final class LogCapture extends AppenderSkeleton {

    final List<LoggingEvent> events = new CopyOnWriteArrayList<>();

    static LogCapture install() {
        LogCapture c = new LogCapture();
        Logger.getRootLogger().addAppender(c);
        return c;
    }

    @Override
    protected void append(LoggingEvent event) {
        events.add(event);
    }

    /**
     * The events logged since event number {@code from}: from one snapshot of the list (a sub-list of a
     * copy-on-write list fails once the gateway logs again while it is read).
     */
    List<LoggingEvent> eventsSince(int from) {
        Object[] all = events.toArray();
        List<LoggingEvent> out = new ArrayList<>();
        for (int i = from; i < all.length; i++) {
            out.add((LoggingEvent) all[i]);
        }
        return out;
    }

    /** The messages logged since event number {@code from}. */
    List<String> messagesSince(int from) {
        List<String> out = new ArrayList<>();
        for (LoggingEvent e : eventsSince(from)) {
            out.add(e.getRenderedMessage());
        }
        return out;
    }

    @Override
    public void close() {
    }

    @Override
    public boolean requiresLayout() {
        return false;
    }
}
