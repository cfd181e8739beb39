package io.synapsews.transport.internal;

import io.synapsews.transport.common.ConnectionListeners;
import io.synapsews.transport.common.Mediation;
import io.synapsews.transport.common.Payloads;
import io.synapsews.transport.common.SourceConnection;
import io.synapsews.transport.common.WebSocketProperties;
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

    private static final Log log = LogFactory.getLog(OutflowDispatcher.class);

    private final ConfigurationContext cfgCtx;
    private final TransportSenderConfig config;

    OutflowDispatcher(ConfigurationContext cfgCtx, TransportSenderConfig config) {
        this.cfgCtx = cfgCtx;
        this.config = config;
    }

    /** Runs on the source connection's outbound serial executor. */
    void dispatch(TargetConnection target, boolean binary, byte[] payload) {
        SourceConnection source = target.source();
        String sequence = first(source.outflowSequence(), config.outflowSequence, "main");
        String faultSequence = first(source.outflowFaultSequence(), config.outflowFaultSequence, "fault");
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
            for (java.util.Map.Entry<String, Object> a : source.attributes().entrySet()) {
                synCtx.setProperty(a.getKey(), a.getValue());
            }
            synCtx.setProperty(binary ? WebSocketProperties.BINARY_FRAME_PRESENT : WebSocketProperties.TEXT_FRAME_PRESENT, true);
            if (binary) {
                Payloads.setBinary(synCtx, payload);
            } else {
                Payloads.setText(synCtx, payload, target.contentType());
            }
            long start = System.nanoTime();
            try {
                Mediation.mediate(synCtx, sequence, faultSequence);
            } finally {
                ConnectionListeners.message(source, false, payload.length, System.nanoTime() - start);
            }
        } catch (Exception e) {
            log.error(source.id() + " " + source.endpointName() + ": backend message from " + target.url()
                    + " could not be mediated in sequence '" + sequence + "': " + e.getMessage(), e);
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
