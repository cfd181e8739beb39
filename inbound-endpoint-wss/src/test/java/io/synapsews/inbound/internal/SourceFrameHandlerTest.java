package io.synapsews.inbound.internal;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.util.ReferenceCountUtil;
import io.synapsews.transport.spi.CloseCodes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The client leg after its 101, frame by frame on an {@code EmbeddedChannel}: which close code answers
 * which close frame or protocol violation, that a violation drops the connection without waiting, and
 * that pings are answered here with their own payload.
 */
class SourceFrameHandlerTest {

    @TempDir
    Path dir;

    private EmbeddedChannel ch;
    private InboundSourceConnection conn;

    @BeforeEach
    void open() throws Exception {
        File f = dir.resolve("Ep.xml").toFile();
        Files.write(f.toPath(), ("<inboundEndpoint xmlns=\"http://ws.apache.org/ns/synapse\" name=\"Ep\" protocol=\"ws\""
                + " sequence=\"s\"><parameters><parameter name=\"inbound.ws.port\">9</parameter></parameters>"
                + "</inboundEndpoint>").getBytes(StandardCharsets.UTF_8));
        // no runtime: nothing here is mediated (data frames would be)
        InboundEndpoint endpoint = new InboundEndpoint(InboundEndpointConfig.parse(f), null);
        ch = new EmbeddedChannel();
        conn = new InboundSourceConnection(endpoint, ch, "/", Map.of(), List.of(), Runnable::run);
        assertTrue(conn.state().open(), "the client has its 101");
        ch.pipeline().addLast(new SourceFrameHandler(conn));
    }

    @AfterEach
    void release() {
        ch.finishAndReleaseAll();
    }

    private CloseWebSocketFrame closeSent() {
        Object o = ch.readOutbound();
        assertInstanceOf(CloseWebSocketFrame.class, o, "a close frame");
        return (CloseWebSocketFrame) o;
    }

    private String codeAndReason(CloseWebSocketFrame f) {
        try {
            return f.statusCode() + " " + f.reasonText();
        } finally {
            f.release();
        }
    }

    @Test
    void aCloseFromTheClientIsAnsweredWithItsCodeAndRecorded() {
        ch.writeInbound(new CloseWebSocketFrame(4001, "bye"));
        assertEquals("4001 bye", codeAndReason(closeSent()));
        ch.runPendingTasks();
        assertFalse(ch.isOpen(), "closed once the answer is out");
        assertEquals(4001, conn.state().code());
        assertEquals("bye", conn.state().reason());
    }

    @Test
    void aCloseWithoutACodeIsAnsweredWithoutOneAndRecordedAs1005() {
        ch.writeInbound(new CloseWebSocketFrame());
        CloseWebSocketFrame answer = closeSent();
        assertEquals(0, answer.content().readableBytes(), "an empty close answers an empty close");
        answer.release();
        assertEquals(CloseCodes.NO_STATUS, conn.state().code());
    }

    @ParameterizedTest
    @ValueSource(ints = {5000, 65535})
    void aCloseCodeBeyond4999IsAProtocolErrorAndTheConnectionIsDropped(int code) {
        ch.writeInbound(new CloseWebSocketFrame(true, 0, Unpooled.buffer(2).writeShort(code)));
        assertEquals("1002 close code " + code + " is not defined", codeAndReason(closeSent()));
        ch.runPendingTasks();
        assertFalse(ch.isOpen(), "failed: no waiting for an answer");
        assertEquals(CloseCodes.PROTOCOL_ERROR, conn.state().code());
    }

    @Test
    void aDecoderViolationClosesWithTheCodeTheDecoderNamed() {
        ch.pipeline().fireExceptionCaught(new CorruptedWebSocketFrameException(WebSocketCloseStatus.INVALID_PAYLOAD_DATA,
                "bytes are not UTF-8"));
        assertEquals("1007 bytes are not UTF-8", codeAndReason(closeSent()));
        ch.runPendingTasks();
        assertFalse(ch.isOpen());
    }

    @Test
    void aDecoderViolationWithoutACodeIs1002AndALongReasonIsCutTo123Bytes() {
        String longReason = "é".repeat(100);
        ch.pipeline().fireExceptionCaught(new CorruptedWebSocketFrameException(null, longReason));
        CloseWebSocketFrame f = closeSent();
        assertEquals(1002, f.statusCode());
        assertEquals(61, f.reasonText().length(), "61 two-byte characters: 122 bytes, the most that fit in 123");
        f.release();
    }

    @Test
    void aPingIsAnsweredHereWithItsPayload() {
        ch.writeInbound(new PingWebSocketFrame(Unpooled.copiedBuffer("are you there", StandardCharsets.UTF_8)));
        Object pong = ch.readOutbound();
        try {
            assertInstanceOf(PongWebSocketFrame.class, pong);
            assertEquals("are you there", ((PongWebSocketFrame) pong).content().toString(StandardCharsets.UTF_8));
        } finally {
            ReferenceCountUtil.release(pong);
        }
        assertTrue(ch.isOpen());
    }

    @Test
    void aClientThatVanishesIsRecordedAs1006() {
        ch.close();
        assertTrue(conn.state().isClosed());
        assertEquals(CloseCodes.ABNORMAL, conn.state().code());
    }
}
