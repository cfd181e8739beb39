package io.synapsews.transport.netty;

import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link LivenessHandler} keeps a leg honest: ping after {@code pingInterval} of silence from the
 * peer and give up {@code pongTimeout} after the ping; close after {@code idleTimeout} without data frames
 * either way, {@code readerIdle} without anything read, {@code writerIdle} without anything written.
 * {@link Duration#ZERO} turns a check off. Immutable; built from {@link #OFF} with the {@code with}
 * methods, for example {@code OFF.pingEvery(Duration.ofSeconds(30)).pongWithin(Duration.ofSeconds(10))}.
 */
public final class LivenessSettings {

    /** Every check off, and the pong timeout the configuration classes default to (10 s). */
    public static final LivenessSettings OFF = new LivenessSettings(Duration.ZERO, Duration.ofSeconds(10), Duration.ZERO,
            Duration.ZERO, Duration.ZERO);

    private final Duration pingInterval;
    private final Duration pongTimeout;
    private final Duration idleTimeout;
    private final Duration readerIdle;
    private final Duration writerIdle;

    private LivenessSettings(Duration pingInterval, Duration pongTimeout, Duration idleTimeout, Duration readerIdle,
                             Duration writerIdle) {
        this.pingInterval = nonNegative(pingInterval, "ping interval");
        this.pongTimeout = nonNegative(pongTimeout, "pong timeout");
        this.idleTimeout = nonNegative(idleTimeout, "idle timeout");
        this.readerIdle = nonNegative(readerIdle, "reader idle time");
        this.writerIdle = nonNegative(writerIdle, "writer idle time");
    }

    private static Duration nonNegative(Duration d, String what) {
        Objects.requireNonNull(d, what);
        if (d.isNegative()) {
            throw new IllegalArgumentException(what + " is negative: " + d);
        }
        return d;
    }

    public LivenessSettings pingEvery(Duration d) {
        return new LivenessSettings(d, pongTimeout, idleTimeout, readerIdle, writerIdle);
    }

    public LivenessSettings pongWithin(Duration d) {
        return new LivenessSettings(pingInterval, d, idleTimeout, readerIdle, writerIdle);
    }

    public LivenessSettings idleAfter(Duration d) {
        return new LivenessSettings(pingInterval, pongTimeout, d, readerIdle, writerIdle);
    }

    public LivenessSettings readerIdleAfter(Duration d) {
        return new LivenessSettings(pingInterval, pongTimeout, idleTimeout, d, writerIdle);
    }

    public LivenessSettings writerIdleAfter(Duration d) {
        return new LivenessSettings(pingInterval, pongTimeout, idleTimeout, readerIdle, d);
    }

    public Duration pingInterval() {
        return pingInterval;
    }

    public Duration pongTimeout() {
        return pongTimeout;
    }

    public Duration idleTimeout() {
        return idleTimeout;
    }

    public Duration readerIdle() {
        return readerIdle;
    }

    public Duration writerIdle() {
        return writerIdle;
    }

    /** Whether any check is on, that is whether a leg needs a {@link LivenessHandler} at all. */
    public boolean needed() {
        return !pingInterval.isZero() || !idleTimeout.isZero() || !readerIdle.isZero() || !writerIdle.isZero();
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof LivenessSettings)) {
            return false;
        }
        LivenessSettings s = (LivenessSettings) o;
        return pingInterval.equals(s.pingInterval) && pongTimeout.equals(s.pongTimeout) && idleTimeout.equals(s.idleTimeout)
                && readerIdle.equals(s.readerIdle) && writerIdle.equals(s.writerIdle);
    }

    @Override
    public int hashCode() {
        return Objects.hash(pingInterval, pongTimeout, idleTimeout, readerIdle, writerIdle);
    }

    @Override
    public String toString() {
        return "LivenessSettings{ping=" + pingInterval + ", pong=" + pongTimeout + ", idle=" + idleTimeout
                + ", readerIdle=" + readerIdle + ", writerIdle=" + writerIdle + "}";
    }
}
