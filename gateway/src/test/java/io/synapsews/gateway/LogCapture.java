package io.synapsews.gateway;

import org.apache.log4j.AppenderSkeleton;
import org.apache.log4j.Logger;
import org.apache.log4j.spi.LoggingEvent;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

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

    /** The messages logged since event number {@code from}. */
    List<String> messagesSince(int from) {
        List<String> out = new ArrayList<>();
        for (LoggingEvent e : new ArrayList<>(events.subList(from, events.size()))) {
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
