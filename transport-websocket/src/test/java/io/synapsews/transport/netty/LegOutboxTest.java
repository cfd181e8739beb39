package io.synapsews.transport.netty;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

class LegOutboxTest {

    @Test
    void holdsFramesUntilOpenThenWritesThemInOrder() {
        EmbeddedChannel ch = new EmbeddedChannel();
        LegOutbox outbox = new LegOutbox(ch);
        outbox.offer(new TextWebSocketFrame("1"));
        outbox.offer(new TextWebSocketFrame("2"));
        assertNull(ch.readOutbound(), "nothing may be written before the leg is open");
        outbox.open();
        outbox.offer(new TextWebSocketFrame("3"));
        for (String expected : new String[] {"1", "2", "3"}) {
            TextWebSocketFrame f = ch.readOutbound();
            assertEquals(expected, f.text());
            f.release();
        }
        assertFalse(ch.finish());
    }

    @Test
    void dropReleasesHeldAndLaterFrames() {
        EmbeddedChannel ch = new EmbeddedChannel();
        LegOutbox outbox = new LegOutbox(ch);
        TextWebSocketFrame held = new TextWebSocketFrame("held");
        outbox.offer(held);
        outbox.drop();
        TextWebSocketFrame late = new TextWebSocketFrame("late");
        outbox.offer(late);
        outbox.open(); // too late: a dropped leg stays dropped
        assertEquals(0, held.refCnt());
        assertEquals(0, late.refCnt());
        assertNull(ch.readOutbound());
        assertFalse(ch.finish());
    }

    @Test
    void startCloseSendsTheCodeAndReason() {
        EmbeddedChannel ch = new EmbeddedChannel();
        new LegOutbox(ch).startClose(4001, "bye");
        CloseWebSocketFrame close = ch.readOutbound();
        assertEquals(4001, close.statusCode());
        assertEquals("bye", close.reasonText());
        close.release();
        CloseWebSocketFrame empty = LegOutbox.closeFrame(0, null);
        assertEquals(-1, empty.statusCode());
        empty.release();
        ch.finishAndReleaseAll();
    }
}
