package io.synapsews.transport.internal;

import java.util.Map;

import io.synapsews.transport.mediation.Mediation;
import io.synapsews.transport.payload.JsonDepth;
import io.synapsews.transport.payload.PayloadCodec;
import io.synapsews.transport.spi.CloseCodes;
import io.synapsews.transport.spi.ConnectionListeners;
import io.synapsews.transport.spi.SourceLeg;
import io.synapsews.transport.spi.WebSocketProperties;
import org.apache.axis2.Constants;
import org.apache.axis2.context.ConfigurationContext;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.apache.synapse.MessageContext;
import org.apache.synapse.core.SynapseEnvironment;

/**
 * Turns each backend message into a new message context and mediates it through the outflow
 * sequence, wired so that {@code <respond/>} reaches the client the backend leg belongs to.
 */
final class OutflowDispatcher {

    /** The runtime\'s payload codec (counts what it built, left untouched and relayed). */
    private final PayloadCodec codec = PayloadCodec.shared();

    private static final Log log = LogFactory.getLog(OutflowDispatcher.class);

    private final ConfigurationContext cfgCtx;
    private final TransportSenderConfig config;

    OutflowDispatcher(ConfigurationContext cfgCtx, TransportSenderConfig config) {
        this.cfgCtx = cfgCtx;
        this.config = config;
    }

    /** Runs on the source connection's outbound serial executor. */
    void dispatch(TargetConnection target, boolean binary, byte[] payload) {
        mediate(target, binary ? Kind.BINARY : Kind.TEXT, payload);
    }

    /** A ping or pong from the backend with {@code ws.pass.through.control.frames}; on the outbound executor. */
    void dispatchControl(TargetConnection target, boolean ping, byte[] payload) {
        mediate(target, ping ? Kind.PING : Kind.PONG, payload);
    }

    private enum Kind { TEXT, BINARY, PING, PONG }

    private void mediate(TargetConnection target, Kind kind, byte[] payload) {
        SourceLeg source = target.source();
        String sequence = first(source.outflowSequence(), config.outflowSequence, "main");
        String faultSequence = first(source.outflowFaultSequence(), config.outflowFaultSequence, "fault");
        if (kind == Kind.TEXT && JsonDepth.isJson(target.contentType()) && JsonDepth.exceeds(payload, JsonDepth.maxDepth())) {
            // a backend's too: no builder may recurse that deep in a mediation thread
            log.warn(source.id() + " " + source.endpointName() + ": backend " + target.url() + " sent JSON nested deeper than "
                    + JsonDepth.maxDepth() + " levels (" + JsonDepth.MAX_DEPTH_PROPERTY + "): dropped, closing it with 1009");
            source.closeFromTarget(target, CloseCodes.INTERNAL_ERROR, "backend message refused");
            target.close(CloseCodes.TOO_BIG, "JSON nested too deeply");
            return;
        }
        try {
            SynapseEnvironment env = Mediation.environment(cfgCtx);
            MessageContext synCtx = Mediation.newMessage(env);
            org.apache.axis2.context.MessageContext axis2Ctx = Mediation.axis2(synCtx);
            axis2Ctx.setProperty(WebSocketProperties.SOURCE_CONNECTION, source);
            axis2Ctx.setProperty(Constants.OUT_TRANSPORT_INFO, source);
            axis2Ctx.setTransportOut(source.responseTransport());
            synCtx.setResponse(true);
            synCtx.setProperty(WebSocketProperties.SOURCE_CHANNEL_IDENTIFIER, source.id());
            synCtx.setProperty(WebSocketProperties.INBOUND_ENDPOINT_NAME, source.endpointName());
            for (Map.Entry<String, Object> a : source.attributes().entrySet()) {
                synCtx.setProperty(a.getKey(), a.getValue());
            }
            switch (kind) {
                case PING:
                case PONG:
                    codec.setControl(synCtx, kind == Kind.PING, payload);
                    break;
                case BINARY:
                    synCtx.setProperty(WebSocketProperties.BINARY_FRAME_PRESENT, true);
                    codec.setBinary(synCtx, payload);
                    break;
                default:
                    synCtx.setProperty(WebSocketProperties.TEXT_FRAME_PRESENT, true);
                    codec.setText(synCtx, payload, target.contentType());
            }
            long start = System.nanoTime();
            try {
                Mediation.mediate(synCtx, sequence, faultSequence);
            } finally {
                if (kind == Kind.TEXT || kind == Kind.BINARY) {
                    ConnectionListeners.message(source, false, payload.length, System.nanoTime() - start);
                }
            }
        } catch (Exception e) {
            log.error(source.id() + " " + source.endpointName() + ": backend " + kind.name().toLowerCase()
                    + " from " + target.url() + " could not be mediated in sequence '" + sequence + "': " + e.getMessage(), e);
        }
    }

    private static String first(String... values) {
        for (String v : values) {
            if (v != null) {
                return v;
            }
        }
        return null;
    }
}
