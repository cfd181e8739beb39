package io.synapsews.transport.netty;

import io.netty.channel.EventLoop;
import io.synapsews.transport.spi.CloseCodes;

/**
 * Where one leg of a connection (the client's or a backend's) is in its life, and how it closed:
 * {@code STARTING} (the client's upgrade being mediated, or the backend being connected and upgraded)
 * → {@code OPEN} → {@code CLOSING} (a close sent, a close received, or the leg failed) → {@code CLOSED}
 * (the channel is gone). The first close either way records the code and reason the leg closed with;
 * a leg that ends without a close frame keeps {@link CloseCodes#ABNORMAL}.
 *
 * <p>Every transition runs on the leg's event loop, and asserts so (tests run with {@code -ea}); the
 * phase may be read from any thread.
 */
public final class LegState {

    public enum Phase { STARTING, OPEN, CLOSING, CLOSED }

    /** What a close call should do, decided by the phase it found. */
    public enum CloseAction {
        /** The leg was open: send the close frame and wait for the answer. */
        SEND_CLOSE,
        /** The leg never opened: drop the connection (there is no WebSocket to close). */
        DROP,
        /** Already closing or closed: nothing. */
        NONE
    }

    /** The leg's event loop, known once its channel exists (a backend leg's is bound when it connects). */
    private volatile EventLoop loop;
    /** Written on the event loop; volatile so that other threads may read it. */
    private volatile Phase phase = Phase.STARTING;
    /** Whether we sent a close frame (so that a close frame arriving now is its answer); event loop only. */
    private boolean closeSent;
    /** The code and reason the leg closed with; event loop only (read after the channel closed). */
    private int code = CloseCodes.ABNORMAL;
    private String reason = "";

    public LegState() {
    }

    public LegState(EventLoop loop) {
        this.loop = loop;
    }

    /** The leg's channel exists now: transitions run on this loop from here on. */
    public void ownedBy(EventLoop loop) {
        this.loop = loop;
    }

    private boolean onLoop() {
        EventLoop l = loop;
        return l == null || l.inEventLoop();
    }

    public Phase phase() {
        return phase;
    }

    public boolean isStarting() {
        return phase == Phase.STARTING;
    }

    public boolean isOpen() {
        return phase == Phase.OPEN;
    }

    /** Closing or closed: nothing more goes out or is handed on. */
    public boolean isEnding() {
        Phase p = phase;
        return p == Phase.CLOSING || p == Phase.CLOSED;
    }

    public boolean isClosed() {
        return phase == Phase.CLOSED;
    }

    /** The handshake completed: {@code STARTING} → {@code OPEN}; false (and nothing changes) from any other phase. */
    public boolean open() {
        assert onLoop() : "leg opened off its event loop";
        if (phase != Phase.STARTING) {
            return false;
        }
        phase = Phase.OPEN;
        return true;
    }

    /**
     * We close the leg with {@code code} and {@code reason} (0 or less: a close without a code): an open
     * leg records them and sends a close frame, a leg that never opened is dropped.
     */
    public CloseAction startClose(int code, String reason) {
        assert onLoop() : "leg closed off its event loop";
        Phase before = phase;
        if (before == Phase.CLOSING || before == Phase.CLOSED) {
            return CloseAction.NONE;
        }
        phase = Phase.CLOSING;
        if (before == Phase.OPEN) {
            closeSent = true;
            record(code, reason);
            return CloseAction.SEND_CLOSE;
        }
        return CloseAction.DROP;
    }

    /**
     * The peer broke the protocol: we send a close with {@code code} and drop the connection without
     * waiting for an answer (RFC 6455 7.1.7). False when the leg is closed already.
     */
    public boolean fail(int code, String reason) {
        assert onLoop() : "leg failed off its event loop";
        if (phase == Phase.CLOSED) {
            return false;
        }
        phase = Phase.CLOSING;
        closeSent = true;
        code(code, reason);
        return true;
    }

    /**
     * The peer sent a close frame. Returns true when it answers ours (the connection may just be
     * dropped now), false when the peer started the close: it is recorded and must be answered.
     */
    public boolean closeReceived(int code, String reason) {
        assert onLoop() : "close received off the leg's event loop";
        if (closeSent || phase == Phase.CLOSED) {
            return true;
        }
        phase = Phase.CLOSING;
        closeSent = true; // the answer we send now
        record(code, reason);
        return false;
    }

    /** The channel is gone: {@code CLOSED}. Returns the phase the leg was in. */
    public Phase closed() {
        assert onLoop() : "leg closed off its event loop";
        Phase before = phase;
        phase = Phase.CLOSED;
        return before;
    }

    private void record(int code, String reason) {
        code(code > 0 ? code : CloseCodes.NO_STATUS, reason);
    }

    private void code(int code, String reason) {
        this.code = code;
        this.reason = reason == null ? "" : reason;
    }

    /** The code the leg closed with (1005 for a close without one, 1006 for no close at all). */
    public int code() {
        return code;
    }

    public String reason() {
        return reason;
    }

    @Override
    public String toString() {
        return phase + (phase == Phase.CLOSING || phase == Phase.CLOSED ? " " + code + (reason.isEmpty() ? "" : " " + reason) : "");
    }
}
