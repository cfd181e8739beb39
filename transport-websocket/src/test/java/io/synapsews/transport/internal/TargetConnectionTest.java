package io.synapsews.transport.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;

import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import io.synapsews.transport.spi.CloseCodes;
import io.synapsews.transport.spi.HandshakeException;
import io.synapsews.transport.spi.SourceLeg;
import io.synapsews.transport.spi.TargetLink;
import org.apache.axis2.description.TransportOutDescription;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The backend leg on an {@code EmbeddedChannel}: frames sent before the backend's 101 are held and leave
 * in order after it; a close from the backend is answered and reaches the client with its code; a backend
 * that vanishes is 1014 for the client; a failed handshake fails the leg's handshake future. The client
 * leg is a recorder of what the backend leg asks of it.
 */
class TargetConnectionTest {

    /** What the backend leg tells its client leg. */
    private static final class ClientLeg implements SourceLeg {
        final List<String> closes = new ArrayList<>();
        final List<Object> delivered = new ArrayList<>();
        int writabilityChanges;

        @Override public String id() { return "c1"; }
        @Override public String endpointName() { return "Ep"; }
        @Override public Map<String, String> handshakeHeaders() { return Map.of(); }
        @Override public List<String> requestedSubprotocols() { return List.of(); }
        @Override public void deliver(WebSocketFrame frame) { delivered.add(frame); }
        @Override public String path() { return "/"; }
        @Override public long openedAtMillis() { return 0; }
        @Override public Map<String, Object> attributes() { return new HashMap<>(); }
        @Override public void rejectHandshake(int status, Map<String, String> headers, String body, String reason) { }
        @Override public void hideSubprotocol(String entry) { }
        @Override public void removeQueryParameter(String name) { }
        @Override public void addResponseHeader(String name, String value) { }
        @Override public void close(int code, String reason) { closes.add("close " + code + " " + reason); }
        @Override public void closeAt(long epochMillis, int code, String reason) { }
        @Override public boolean isWritable() { return true; }
        @Override public TargetLink target(String url) { return null; }
        @Override public void addTarget(TargetLink target) { }
        @Override public EventLoop eventLoop() { return null; }
        @Override public Executor outboundExecutor() { return Runnable::run; }
        @Override public String outflowSequence() { return null; }
        @Override public String outflowFaultSequence() { return null; }
        @Override public boolean passesControlFrames() { return false; }
        @Override public boolean relaysBackendMessages() { return true; }
        @Override public void relay(WebSocketFrame frame) { delivered.add(frame); }
        @Override public void closeFromTarget(TargetLink target, int code, String reason) { closes.add(code + " " + reason); }
        @Override public void targetWritabilityChanged() { writabilityChanges++; }
        @Override public TransportOutDescription responseTransport() { return null; }
    }

    private final ClientLeg client = new ClientLeg();
    private final EmbeddedChannel ch = new EmbeddedChannel();
    private final TargetConnection leg = new TargetConnection("ws://backend/", client, null, null);

    @AfterEach
    void release() {
        client.delivered.forEach(ReferenceCountUtil::release);
        ch.finishAndReleaseAll();
    }

    private void openAndActivate() {
        leg.bind(ch);
        leg.handshakeSucceeded(null);
        leg.activate();
        ch.runPendingTasks();
    }

    @Test
    void framesSentBeforeTheBackendsAnswerLeaveInOrderAfterIt() throws Exception {
        leg.bind(ch);
        leg.send(new TextWebSocketFrame("one"));
        leg.send(new TextWebSocketFrame("two"));
        ch.runPendingTasks();
        assertNull(ch.readOutbound(), "written before the backend's 101");
        leg.handshakeSucceeded("chat");
        ch.runPendingTasks();
        for (String expected : new String[] {"one", "two"}) {
            TextWebSocketFrame f = ch.readOutbound();
            assertEquals(expected, f.text());
            f.release();
        }
        assertEquals("chat", leg.handshake().get(), "the subprotocol the backend chose");
        assertTrue(client.writabilityChanges > 0, "the client leg is told that what waited no longer holds it back");
    }

    @Test
    void aCloseFromTheBackendIsAnsweredAndReachesTheClientWithItsCode() {
        openAndActivate();
        leg.closeReceived(new CloseWebSocketFrame(4002, "maintenance"));
        ch.runPendingTasks();
        CloseWebSocketFrame answer = ch.readOutbound();
        assertEquals(4002, answer.statusCode(), "the close is answered with its own code");
        answer.release();
        assertEquals(List.of("4002 maintenance"), client.closes);
        assertFalse(ch.isOpen(), "and the connection dropped");
    }

    @Test
    void weCloseTheBackendAndItsAnswerIsNotAnsweredAgain() {
        openAndActivate();
        leg.close(CloseCodes.GOING_AWAY, "client gone");
        ch.runPendingTasks();
        Object ours = ch.readOutbound();
        assertInstanceOf(CloseWebSocketFrame.class, ours);
        assertEquals(CloseCodes.GOING_AWAY, ((CloseWebSocketFrame) ours).statusCode());
        ReferenceCountUtil.release(ours);
        leg.closeReceived(new CloseWebSocketFrame(CloseCodes.GOING_AWAY, "ok"));
        ch.runPendingTasks();
        assertNull(ch.readOutbound(), "an answer is not answered");
        assertEquals(List.of(), client.closes, "the client closes on its own account, not the backend's");
    }

    @Test
    void aBackendThatVanishesIs1014ForTheClient() {
        openAndActivate();
        ch.close();
        leg.channelClosed();
        assertEquals(List.of(CloseCodes.BAD_GATEWAY + " backend connection lost"), client.closes);
    }

    @Test
    void aFailedHandshakeFailsTheLegsHandshakeAndDropsTheConnection() {
        leg.bind(ch);
        leg.send(new TextWebSocketFrame("held"));
        ch.runPendingTasks();
        leg.handshakeFailed(new HandshakeException(502, "backend refused the handshake: 403 Forbidden"));
        ExecutionException e = assertThrows(ExecutionException.class, () -> leg.handshake().get());
        assertEquals(502, ((HandshakeException) e.getCause()).status());
        assertFalse(ch.isOpen());
        assertNull(ch.readOutbound(), "what was held for the handshake is dropped, not sent");
        assertEquals(List.of(), client.closes, "the handshake future tells the client side; nothing closes it twice");
    }

    @Test
    void framesFromTheBackendBeforeTheClientHasIts101WaitForIt() {
        leg.bind(ch);
        leg.handshakeSucceeded(null);
        leg.frameReceived(new TextWebSocketFrame("early"));
        assertEquals(0, client.delivered.size(), "nothing reaches a client before its 101");
        leg.activate();
        ch.runPendingTasks();
        assertEquals(1, client.delivered.size());
        assertEquals("early", ((TextWebSocketFrame) client.delivered.get(0)).text());
    }
}
