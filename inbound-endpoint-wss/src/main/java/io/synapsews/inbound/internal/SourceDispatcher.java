package io.synapsews.inbound.internal;

import java.util.Map;
import java.util.TreeMap;

import io.synapsews.transport.mediation.Mediation;
import io.synapsews.transport.payload.JsonDepth;
import io.synapsews.transport.payload.PayloadCodec;
import io.synapsews.transport.spi.CloseCodes;
import io.synapsews.transport.spi.ConnectionListeners;
import io.synapsews.transport.spi.HandshakeException;
import io.synapsews.transport.spi.SafeText;
import io.synapsews.transport.spi.WebSocketProperties;
import org.apache.axis2.Constants;
import org.apache.axis2.context.MessageContext;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.apache.synapse.SynapseConstants;
import org.apache.synapse.core.SynapseEnvironment;

/**
 * Mediates what a client sends, on the connection's inbound serial executor: first the handshake,
 * then each message, through the endpoint's sequence.
 */
final class SourceDispatcher {

    /** The runtime\'s payload codec (counts what it built, left untouched and relayed). */
    private static final PayloadCodec CODEC = PayloadCodec.shared();

    private static final Log log = LogFactory.getLog(SourceDispatcher.class);

    private SourceDispatcher() {
    }

    static void mediateHandshake(InboundSourceConnection conn) {
        InboundEndpointConfig config = conn.endpoint().config();
        try {
            Map<String, String> transportHeaders = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            transportHeaders.putAll(conn.handshakeHeaders());
            // the headers first, as properties under their own names, then ours over them: a header
            // named like one of our properties (or Synapse's) is not copied at all
            org.apache.synapse.MessageContext synCtx = newMessage(conn, conn.handshakeHeaders());
            synCtx.setProperty(WebSocketProperties.SOURCE_HANDSHAKE_PRESENT, "true");
            Mediation.axis2(synCtx).setProperty(WebSocketProperties.SOURCE_HANDSHAKE_PRESENT, "true");
            Mediation.axis2(synCtx).setProperty(MessageContext.TRANSPORT_HEADERS, transportHeaders);
            Mediation.mediate(synCtx, conn.sequence(), config.onError());
            Object error = synCtx.getProperty(SynapseConstants.ERROR_MESSAGE);
            if (error != null) {
                // a mediator failed and the fault sequence did not answer the client itself
                conn.reject(new HandshakeRejection(502, "handshake mediation failed: " + error));
            }
        } catch (HandshakeException e) {
            conn.reject(new HandshakeRejection(e.status(), e.getMessage()));
        } catch (Exception e) {
            log.error(conn.logTag() + " handshake mediation in sequence '" + conn.sequence() + "' of "
                    + config.file() + " failed: " + e.getMessage(), e);
            conn.reject(new HandshakeRejection(500, "handshake mediation failed"));
        }
    }

    static void mediateMessage(InboundSourceConnection conn, boolean binary, byte[] payload) {
        InboundEndpointConfig config = conn.endpoint().config();
        if (!binary && JsonDepth.isJson(conn.contentType()) && JsonDepth.exceeds(payload, JsonDepth.maxDepth())) {
            log.warn(conn.logTag() + " JSON message nested deeper than " + JsonDepth.maxDepth() + " levels ("
                    + JsonDepth.MAX_DEPTH_PROPERTY + "), closing with 1009");
            conn.close(CloseCodes.TOO_BIG, "JSON nested too deeply");
            return;
        }
        try {
            org.apache.synapse.MessageContext synCtx = newMessage(conn, Map.of());
            synCtx.setProperty(binary ? WebSocketProperties.BINARY_FRAME_PRESENT : WebSocketProperties.TEXT_FRAME_PRESENT, true);
            if (binary) {
                CODEC.setBinary(synCtx, payload);
            } else {
                CODEC.setText(synCtx, payload, conn.contentType());
            }
            long start = System.nanoTime();
            try {
                Mediation.mediate(synCtx, conn.sequence(), config.onError());
            } finally {
                ConnectionListeners.message(conn, true, payload.length, System.nanoTime() - start);
            }
        } catch (Exception e) {
            log.error(conn.logTag() + " message mediation in sequence '" + conn.sequence() + "' of "
                    + config.file() + " failed: " + e.getMessage(), e);
        }
    }

    /** A ping or pong the client sent, with {@code ws.pass.through.control.frames}: mediated like a message. */
    static void mediateControl(InboundSourceConnection conn, boolean ping, byte[] payload) {
        InboundEndpointConfig config = conn.endpoint().config();
        try {
            org.apache.synapse.MessageContext synCtx = newMessage(conn, Map.of());
            CODEC.setControl(synCtx, ping, payload);
            Mediation.mediate(synCtx, conn.sequence(), config.onError());
        } catch (Exception e) {
            log.error(conn.logTag() + " " + (ping ? "ping" : "pong") + " mediation in sequence '" + conn.sequence()
                    + "' of " + config.file() + " failed: " + e.getMessage(), e);
        }
    }

    /**
     * The properties every data message of the connection starts with (the handshake has its headers too): its path, id, endpoint
     * name, the attributes the handshake set (API, application, key type, tier) and the offered subprotocols.
     * The compiled lane decides a message's path by these, so this is the one place they are made.
     */
    static Map<String, Object> connectionProperties(InboundSourceConnection conn) {
        Map<String, Object> p = new java.util.LinkedHashMap<>();
        p.put(WebSocketProperties.SUBSCRIBER_PATH, conn.path());
        p.put(WebSocketProperties.SOURCE_CHANNEL_IDENTIFIER, conn.id());
        p.put(WebSocketProperties.INBOUND_ENDPOINT_NAME, conn.endpointName());
        p.putAll(conn.attributes());
        if (!conn.requestedSubprotocols().isEmpty()) {
            p.put(WebSocketProperties.SUBPROTOCOL, String.join(",", conn.requestedSubprotocols()));
        }
        return p;
    }

    /** A message of this connection: {@code headers} as properties, then the connection's own properties over them. */
    private static org.apache.synapse.MessageContext newMessage(InboundSourceConnection conn, Map<String, String> headers)
            throws Exception {
        SynapseEnvironment env = Mediation.environment(conn.endpoint().runtime().configurationContext());
        org.apache.synapse.MessageContext synCtx = Mediation.newMessage(env);
        for (Map.Entry<String, String> h : headers.entrySet()) {
            if (!WebSocketProperties.isReserved(h.getKey())) {
                synCtx.setProperty(h.getKey(), h.getValue());
            } else if (log.isDebugEnabled()) {
                log.debug(conn.logTag() + " handshake header '" + SafeText.forLog(h.getKey())
                        + "' names a reserved property: not copied (it stays in TRANSPORT_HEADERS)");
            }
        }
        MessageContext axis2Ctx = Mediation.axis2(synCtx);
        axis2Ctx.setProperty(WebSocketProperties.SOURCE_CONNECTION, conn);
        axis2Ctx.setProperty(Constants.OUT_TRANSPORT_INFO, conn);
        axis2Ctx.setTransportOut(conn.responseTransport());
        synCtx.setProperty(WebSocketProperties.CORRELATION_ID, Mediation.fastUuid());
        for (Map.Entry<String, Object> a : connectionProperties(conn).entrySet()) {
            synCtx.setProperty(a.getKey(), a.getValue());
        }
        return synCtx;
    }
}
