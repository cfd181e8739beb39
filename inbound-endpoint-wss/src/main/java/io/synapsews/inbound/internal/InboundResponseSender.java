package io.synapsews.inbound.internal;

import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.synapsews.transport.payload.PayloadCodec;
import io.synapsews.transport.spi.CloseCodes;
import io.synapsews.transport.spi.SafeText;
import io.synapsews.transport.spi.WebSocketProperties;
import org.apache.axis2.AxisFault;
import org.apache.axis2.Constants;
import org.apache.axis2.context.ConfigurationContext;
import org.apache.axis2.context.MessageContext;
import org.apache.axis2.description.TransportOutDescription;
import org.apache.axis2.handlers.AbstractHandler;
import org.apache.axis2.transport.TransportSender;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * Where {@code <respond/>} leads for messages of a WebSocket client: into the client connection
 * (or, by broadcast level, to its peers on the same path); on the handshake message, to the HTTP
 * answer the client gets instead of 101.
 */
public final class InboundResponseSender extends AbstractHandler implements TransportSender {

    /** The runtime\'s payload codec (counts what it built, left untouched and relayed). */
    private final PayloadCodec codec = PayloadCodec.shared();

    private static final Log log = LogFactory.getLog(InboundResponseSender.class);

    public static final String TRANSPORT_NAME = "ws-inbound-response";

    @Override
    public void init(ConfigurationContext cfgCtx, TransportOutDescription out) {
    }

    @Override
    public InvocationResponse invoke(MessageContext msgCtx) throws AxisFault {
        Object info = msgCtx.getProperty(Constants.OUT_TRANSPORT_INFO);
        if (!(info instanceof InboundSourceConnection)) {
            throw new AxisFault("no WebSocket client connection to respond to");
        }
        InboundSourceConnection conn = (InboundSourceConnection) info;
        if ("true".equals(String.valueOf(msgCtx.getProperty(WebSocketProperties.SOURCE_HANDSHAKE_PRESENT)))) {
            answerHandshake(conn, msgCtx);
            return InvocationResponse.CONTINUE;
        }
        if ("true".equals(String.valueOf(msgCtx.getProperty(WebSocketProperties.CONNECTION_TERMINATE)))) {
            Object asked = msgCtx.getProperty(WebSocketProperties.CLOSE_CODE);
            int code = CloseCodes.fromProperty(asked, CloseCodes.NORMAL);
            Object reasonText = msgCtx.getProperty(WebSocketProperties.REASON_TEXT);
            String reason = reasonText == null ? null : reasonText.toString();
            if (code < 0) {
                log.error(conn.logTag() + " the sequence set " + WebSocketProperties.CLOSE_CODE + " to '"
                        + SafeText.forLog(String.valueOf(asked)) + "', which is not a close code a frame may carry: closing with 1011");
                code = CloseCodes.INTERNAL_ERROR;
            }
            int closeWith = code;
            conn.channel().eventLoop().execute(() -> conn.close(closeWith, reason));
            return InvocationResponse.CONTINUE;
        }
        WebSocketFrame frame = codec.toFrame(msgCtx);
        conn.endpoint().broadcast(conn, frame);
        return InvocationResponse.CONTINUE;
    }

    private static void answerHandshake(InboundSourceConnection conn, MessageContext msgCtx) throws AxisFault {
        int status = intProperty(msgCtx, WebSocketProperties.HTTP_SC, 101);
        if (status == 101 || status < 300) {
            return; // accepted: the connection is answered with 101 once mediation ends
        }
        String body = null;
        if (msgCtx.getEnvelope() != null && msgCtx.getEnvelope().getBody().getFirstElement() != null) {
            body = msgCtx.getEnvelope().getBody().getFirstElement().getText();
        }
        Object reason = msgCtx.getProperty(WebSocketProperties.REJECTION_REASON);
        conn.reject(new HandshakeRejection(status, null, body, reason == null ? null : reason.toString()));
    }

    private static int intProperty(MessageContext msgCtx, String name, int def) {
        Object v = msgCtx.getProperty(name);
        if (v == null) {
            return def;
        }
        try {
            return Integer.parseInt(v.toString().trim());
        } catch (NumberFormatException e) {
            return def;
        }
    }

    @Override
    public void cleanup(MessageContext msgContext) {
    }

    @Override
    public void stop() {
    }
}
