package io.synapsews.transport.netty;

import java.nio.charset.StandardCharsets;
import java.util.Random;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The text payload check: the same verdict as the JDK's strict UTF-8 decoder on every input, across
 * fragment boundaries too, 1007 on the first bad byte or on a message that ends inside a character.
 */
class Utf8ValidationTest {

    private static boolean jdkAccepts(byte[] b) {
        try {
            StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(b));
            return true;
        } catch (java.nio.charset.CharacterCodingException e) {
            return false;
        }
    }

    /** Whether the validator lets {@code b} through as one text frame, or as fragments split at {@code split}. */
    private static boolean accepts(byte[] b, int split) {
        EmbeddedChannel ch = new EmbeddedChannel(new Utf8Validation(false));
        try {
            if (split <= 0 || split >= b.length) {
                ch.writeInbound(new TextWebSocketFrame(Unpooled.wrappedBuffer(b)));
            } else {
                ch.writeInbound(new TextWebSocketFrame(false, 0, Unpooled.wrappedBuffer(b, 0, split)));
                ReferenceCountUtil.release(ch.readInbound());
                ch.writeInbound(new ContinuationWebSocketFrame(true, 0, Unpooled.wrappedBuffer(b, split, b.length - split)));
            }
            ReferenceCountUtil.release(ch.readInbound());
            return true;
        } catch (CorruptedWebSocketFrameException e) {
            assertEquals(1007, e.closeStatus().code());
            return false;
        } finally {
            ch.finishAndReleaseAll();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "plain ascii, longer than eight bytes", "héllo wörld", "日本語のテキスト", "emoji 😀 and 𝄞",
        "\u007f\u0080\u07ff\u0800\uffff", "\ud800\udc00 \udbff\udfff"})
    void validTextPassesWholeAndSplitAnywhere(String text) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        for (int split = 0; split <= b.length; split++) {
            assertTrue(accepts(b, split), text + " split at " + split);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"80", "bf", "c0 80", "c1 bf", "e0 80 80", "e0 9f bf", "ed a0 80", "ed bf bf", "f0 80 80 80",
        "f0 8f bf bf", "f4 90 80 80", "f5 80 80 80", "ff", "fe", "c3", "e2 82", "f0 9f 98", "41 42 43 44 45 46 47 48 c3"})
    void invalidOrTruncatedTextIs1007WholeAndSplit(String hex) {
        String[] parts = hex.split(" ");
        byte[] b = new byte[parts.length];
        for (int i = 0; i < parts.length; i++) {
            b[i] = (byte) Integer.parseInt(parts[i], 16);
        }
        for (int split = 0; split <= b.length; split++) {
            assertFalse(accepts(b, split), hex + " split at " + split);
        }
    }

    @Test
    void agreesWithTheJdkOnRandomBytes() {
        Random r = new Random(42);
        for (int n = 0; n < 20_000; n++) {
            byte[] b = new byte[r.nextInt(24)];
            for (int i = 0; i < b.length; i++) {
                // mostly ASCII with lead and continuation bytes mixed in: the interesting cases
                b[i] = (byte) (r.nextInt(4) == 0 ? 0x80 + r.nextInt(0x80) : r.nextInt(0x80));
            }
            assertEquals(jdkAccepts(b), accepts(b, b.length / 2), java.util.Arrays.toString(b));
        }
    }

    @Test
    void binaryIsNotCheckedAndABackendLegIsClosedWith1007() {
        EmbeddedChannel ch = new EmbeddedChannel(new Utf8Validation(true));
        ch.writeInbound(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(new byte[] {(byte) 0xff})));
        ch.writeInbound(new ContinuationWebSocketFrame(Unpooled.wrappedBuffer(new byte[] {(byte) 0xff})));
        ReferenceCountUtil.release(ch.readInbound());
        ReferenceCountUtil.release(ch.readInbound());
        assertThrows(CorruptedWebSocketFrameException.class,
                () -> ch.writeInbound(new TextWebSocketFrame(Unpooled.wrappedBuffer(new byte[] {(byte) 0xc0, (byte) 0x80}))));
        WebSocketFrame close = ch.readOutbound();
        assertInstanceOf(CloseWebSocketFrame.class, close);
        assertEquals(1007, ((CloseWebSocketFrame) close).statusCode());
        close.release();
        ch.runPendingTasks();
        assertFalse(ch.isOpen());
        ch.finishAndReleaseAll();
    }
}
