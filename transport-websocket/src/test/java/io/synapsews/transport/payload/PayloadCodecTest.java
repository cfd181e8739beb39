package io.synapsews.transport.payload;

import java.nio.charset.StandardCharsets;

import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import org.apache.axiom.om.OMAbstractFactory;
import org.apache.axiom.om.OMElement;
import org.apache.axis2.context.ConfigurationContext;
import org.apache.axis2.engine.AxisConfiguration;
import org.apache.synapse.MessageContext;
import org.apache.synapse.core.axis2.Axis2MessageContext;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/**
 * The codec on its own, with counters of its own (no other test's messages in them): a text message
 * nobody reads leaves as its bytes and counts as untouched; one a mediator reads counts as built and
 * leaves re-serialized; binary and control frames keep their kind and bytes.
 */
class PayloadCodecTest {

    private final PayloadCounters counted = new PayloadCounters();
    private final PayloadCodec codec = new PayloadCodec(counted);

    private static MessageContext message() throws Exception {
        ConfigurationContext cfg = new ConfigurationContext(new AxisConfiguration());
        org.apache.axis2.context.MessageContext axis2 = cfg.createMessageContext();
        axis2.setEnvelope(OMAbstractFactory.getSOAP11Factory().getDefaultEnvelope());
        return new Axis2MessageContext(axis2, null, null);
    }

    private static byte[] bytes(WebSocketFrame f) {
        try {
            return ByteBufUtil.getBytes(f.content());
        } finally {
            f.release();
        }
    }

    private WebSocketFrame out(MessageContext m) throws Exception {
        return codec.toFrame(((Axis2MessageContext) m).getAxis2MessageContext());
    }

    @Test
    void textNobodyReadsLeavesAsItsOwnBytes() throws Exception {
        byte[] in = "héllo <not xml> & more".getBytes(StandardCharsets.UTF_8);
        MessageContext m = message();
        codec.setText(m, in, null);
        WebSocketFrame f = out(m);
        assertInstanceOf(TextWebSocketFrame.class, f);
        assertArrayEquals(in, bytes(f));
        assertEquals(1, counted.untouched());
        assertEquals(0, counted.built());
    }

    @Test
    void textAMediatorReadsIsBuiltOnceAndCounted() throws Exception {
        MessageContext m = message();
        codec.setText(m, "read me".getBytes(StandardCharsets.UTF_8), "text/plain");
        OMElement body = m.getEnvelope().getBody().getFirstElement();
        assertEquals("read me", body.getText(), "what a mediator sees");
        assertEquals(1, counted.built());
        assertEquals("read me", new String(bytes(out(m)), StandardCharsets.UTF_8));
        assertEquals(0, counted.untouched(), "an expanded payload is re-serialized, not passed through");
    }

    @Test
    void binaryStaysBinaryWithItsBytes() throws Exception {
        byte[] in = {0, 1, 2, (byte) 0xff, 10, 13};
        MessageContext m = message();
        codec.setBinary(m, in);
        WebSocketFrame f = out(m);
        assertInstanceOf(BinaryWebSocketFrame.class, f);
        assertArrayEquals(in, bytes(f));
    }

    @Test
    void aPassedThroughPingLeavesAsAPingCutTo125Bytes() throws Exception {
        MessageContext m = message();
        codec.setControl(m, true, new byte[200]);
        WebSocketFrame f = out(m);
        assertInstanceOf(PingWebSocketFrame.class, f);
        assertEquals(125, bytes(f).length, "a control frame's payload is at most 125 bytes");
    }

    @Test
    void countersAreTheCodecsOwn() {
        codec.relayed();
        codec.relayed();
        assertEquals(2, counted.relayed());
        assertEquals(0, new PayloadCodec(new PayloadCounters()).counters().relayed());
    }
}
