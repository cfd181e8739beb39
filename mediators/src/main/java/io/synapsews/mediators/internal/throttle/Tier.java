package io.synapsews.mediators.internal.throttle;

/** A subscription tier: how many messages (and optionally bytes) a subscription may pass per minute. */
public final class Tier {

    public static final long UNLIMITED = 0;

    private final String name;
    private final long messagesPerMinute;
    private final long bytesPerMinute;

    public Tier(String name, long messagesPerMinute, long bytesPerMinute) {
        this.name = name;
        this.messagesPerMinute = messagesPerMinute;
        this.bytesPerMinute = bytesPerMinute;
    }

    public String name() { return name; }

    /** 0 means no limit. */
    public long messagesPerMinute() { return messagesPerMinute; }

    /** 0 means no limit. */
    public long bytesPerMinute() { return bytesPerMinute; }

    @Override
    public String toString() {
        return "Tier{" + name + ", messagesPerMinute=" + messagesPerMinute + ", bytesPerMinute=" + bytesPerMinute + "}";
    }
}
