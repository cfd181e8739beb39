package io.synapsews.transport.netty;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The liveness checks of one leg, driven by hand: the channel's scheduled checks by
 * {@code EmbeddedChannel.advanceTimeBy} and the handler's clock by the same amount, so every timeout is
 * tested to the millisecond without waiting for it.
 */
class LivenessHandlerTest {

    /** A clock the test moves, together with the channel's scheduler. */
    private static final class Clock implements Ticker {
        long now = 1_000_000_000L;

        @Override
        public long nanoTime() {
            return now;
        }
    }

    private final Clock clock = new Clock();
    private final List<String> events = new ArrayList<>();
    private boolean open = true;
    private EmbeddedChannel ch;

    private final LivenessHandler.Owner owner = new LivenessHandler.Owner() {
        @Override
        public boolean isOpen() {
            return open;
        }

        @Override
        public String logTag() {
            return "[test]";
        }

        @Override
        public void noPong() {
            events.add("noPong");
        }

        @Override
        public void idle() {
            events.add("idle");
        }
    };

    private void start(LivenessSettings settings) {
        ch = new EmbeddedChannel();
        ch.freezeTime();
        ch.pipeline().addLast(new LivenessHandler(owner, settings, clock));
    }

    private void advance(Duration d) {
        clock.now += d.toNanos();
        ch.advanceTimeBy(d.toNanos(), TimeUnit.NANOSECONDS);
        ch.runScheduledPendingTasks();
    }

    /** Moves time in small steps, as a running event loop would run the checks. */
    private void pass(Duration d) {
        Duration step = Duration.ofMillis(5);
        for (Duration done = Duration.ZERO; done.compareTo(d) < 0; done = done.plus(step)) {
            advance(step);
        }
    }

    @AfterEach
    void finish() {
        for (Object o; (o = ch.readOutbound()) != null; ) {
            ReferenceCountUtil.release(o);
        }
        for (Object o; (o = ch.readInbound()) != null; ) {
            ReferenceCountUtil.release(o);
        }
        ch.finishAndReleaseAll();
    }

    @Test
    void aSilentPeerIsPingedAfterTheIntervalAndGivenUpOnAfterThePongTimeout() {
        start(LivenessSettings.OFF.pingEvery(Duration.ofMillis(100)).pongWithin(Duration.ofMillis(50)));
        pass(Duration.ofMillis(90));
        assertNull(ch.readOutbound(), "pinged before the interval");
        pass(Duration.ofMillis(15));
        Object ping = ch.readOutbound();
        assertInstanceOf(PingWebSocketFrame.class, ping, "a ping after 100 ms of silence");
        ReferenceCountUtil.release(ping);
        pass(Duration.ofMillis(40));
        assertEquals(List.of(), events, "gave up before the pong timeout");
        pass(Duration.ofMillis(10));
        assertEquals(List.of("noPong"), events);
        assertTrue(ch.isOpen(), "the channel is forced closed only a second after the owner was told");
        advance(Duration.ofSeconds(1));
        assertFalse(ch.isOpen(), "a dead peer answers no close: forced closed a second later");
    }

    @Test
    void anythingReadIsASignOfLifeAndClearsAPendingPing() {
        start(LivenessSettings.OFF.pingEvery(Duration.ofMillis(100)).pongWithin(Duration.ofMillis(50)));
        pass(Duration.ofMillis(130));
        ReferenceCountUtil.release(ch.readOutbound());
        ch.writeInbound(new PongWebSocketFrame());
        ReferenceCountUtil.release(ch.readInbound());
        pass(Duration.ofMillis(80));
        assertEquals(List.of(), events, "the pong counted");
        assertNull(ch.readOutbound(), "no second ping before another interval of silence");
        for (int i = 0; i < 10; i++) {
            ch.writeInbound(new TextWebSocketFrame("x"));
            ReferenceCountUtil.release(ch.readInbound());
            pass(Duration.ofMillis(60));
        }
        assertNull(ch.readOutbound(), "a peer that keeps talking is never pinged");
        assertEquals(List.of(), events);
    }

    @Test
    void noDataEitherWayForTheIdleTimeoutIsIdleButPingsAreNotData() {
        start(LivenessSettings.OFF.idleAfter(Duration.ofMillis(200)));
        pass(Duration.ofMillis(150));
        ch.writeInbound(new PingWebSocketFrame());
        ReferenceCountUtil.release(ch.readInbound());
        pass(Duration.ofMillis(70));
        assertEquals(List.of("idle"), events, "a ping is not data: idle 200 ms after the start");
    }

    @Test
    void dataWrittenKeepsTheIdleTimeoutAway() {
        start(LivenessSettings.OFF.idleAfter(Duration.ofMillis(200)));
        for (int i = 0; i < 5; i++) {
            pass(Duration.ofMillis(150));
            ch.writeOutbound(new TextWebSocketFrame("out"));
            ReferenceCountUtil.release(ch.readOutbound());
        }
        assertEquals(List.of(), events);
        pass(Duration.ofMillis(220));
        assertEquals(List.of("idle"), events);
    }

    @Test
    void readerAndWriterIdleCountOnlyTheirOwnDirection() {
        start(LivenessSettings.OFF.readerIdleAfter(Duration.ofMillis(100)));
        for (int i = 0; i < 3; i++) {
            pass(Duration.ofMillis(40));
            ch.writeOutbound(new TextWebSocketFrame("out"));
            ReferenceCountUtil.release(ch.readOutbound());
        }
        assertEquals(List.of("idle"), events, "writing does not count as reading");
        finish();
        events.clear();
        start(LivenessSettings.OFF.writerIdleAfter(Duration.ofMillis(100)));
        for (int i = 0; i < 3; i++) {
            pass(Duration.ofMillis(40));
            ch.writeInbound(new TextWebSocketFrame("in"));
            ReferenceCountUtil.release(ch.readInbound());
        }
        assertEquals(List.of("idle"), events, "reading does not count as writing");
    }

    @Test
    void checksStopWhenTheOwnerIsNoLongerOpenOrTheChannelCloses() {
        start(LivenessSettings.OFF.pingEvery(Duration.ofMillis(100)).idleAfter(Duration.ofMillis(100)));
        open = false;
        pass(Duration.ofMillis(300));
        assertNull(ch.readOutbound(), "a closing leg is not pinged");
        assertEquals(List.of(), events);
        open = true;
        ch.close();
        pass(Duration.ofMillis(300));
        assertEquals(List.of(), events, "a closed channel is not checked");
    }

    @Test
    void settingsAreValuesAndZeroTurnsEveryCheckOff() {
        assertFalse(LivenessSettings.OFF.needed());
        assertFalse(LivenessSettings.OFF.pongWithin(Duration.ofSeconds(3)).needed(), "a pong timeout alone checks nothing");
        assertTrue(LivenessSettings.OFF.writerIdleAfter(Duration.ofSeconds(1)).needed());
        assertEquals(LivenessSettings.OFF.pingEvery(Duration.ofSeconds(1)), LivenessSettings.OFF.pingEvery(Duration.ofMillis(1000)));
        assertEquals(Duration.ofSeconds(10), LivenessSettings.OFF.pongTimeout(), "the default pong timeout");
        Assertions.assertThrows(IllegalArgumentException.class,
                () -> LivenessSettings.OFF.idleAfter(Duration.ofMillis(-1)));
        ch = new EmbeddedChannel();
    }
}
