package io.synapsews.transport.mediation;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import io.synapsews.transport.spi.WebSocketProperties;
import org.apache.axiom.om.OMAbstractFactory;
import org.apache.axiom.soap.SOAPFactory;
import org.apache.axis2.AxisFault;
import org.apache.axis2.context.ConfigurationContext;
import org.apache.axis2.context.OperationContext;
import org.apache.axis2.context.ServiceContext;
import org.apache.axis2.description.AxisService;
import org.apache.axis2.description.InOutAxisOperation;
import org.apache.axis2.description.Parameter;
import org.apache.synapse.Mediator;
import org.apache.synapse.MessageContext;
import org.apache.synapse.SynapseConstants;
import org.apache.synapse.core.SynapseEnvironment;
import org.apache.synapse.core.axis2.Axis2MessageContext;
import org.apache.synapse.core.axis2.Axis2SynapseEnvironment;
import org.apache.synapse.mediators.MediatorFaultHandler;

/**
 * Creates Synapse message contexts for WebSocket messages and mediates them through a named
 * sequence, the way Synapse mediates a message that arrived on one of its own transports. Callers
 * run it on a connection's serial executor, never on a Netty event loop.
 */
public final class Mediation {

    /**
     * One operation for every WebSocket message: an AxisOperation is costly to build (measured at
     * 14% of the gateway's CPU under load when made per message) and nothing mutates it.
     */
    private static final InOutAxisOperation OPERATION = new InOutAxisOperation();

    private Mediation() {
    }

    /** A random (version 4) UUID string, without SecureRandom's lock and cost on every message. */
    public static String fastUuid() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        long msb = (r.nextLong() & ~0xF000L) | 0x4000L;
        long lsb = (r.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(msb, lsb).toString();
    }

    /** The Synapse environment of this Axis2 configuration, or null before Synapse is up. */
    public static SynapseEnvironment environment(ConfigurationContext cfgCtx) {
        Parameter p = cfgCtx.getAxisConfiguration().getParameter(SynapseConstants.SYNAPSE_ENV);
        return p == null ? null : (SynapseEnvironment) p.getValue();
    }

    /**
     * A new server-side message context with an empty SOAP 1.1 envelope, bound to Synapse's own
     * service so that message builders and formatters find what they need.
     */
    public static MessageContext newMessage(SynapseEnvironment env) throws AxisFault {
        ConfigurationContext cfgCtx = ((Axis2SynapseEnvironment) env).getAxis2ConfigurationContext();
        org.apache.axis2.context.MessageContext axis2Ctx = cfgCtx.createMessageContext();
        axis2Ctx.setServerSide(true);
        axis2Ctx.setMessageID("urn:uuid:" + fastUuid());
        AxisService service = cfgCtx.getAxisConfiguration().getService(SynapseConstants.SYNAPSE_SERVICE_NAME);
        ServiceContext serviceCtx = new ServiceContext();
        axis2Ctx.setServiceContext(serviceCtx);
        axis2Ctx.setOperationContext(new OperationContext(OPERATION, serviceCtx));
        if (service != null) {
            // after the contexts: setServiceContext() resets the service to the context's (none)
            axis2Ctx.setAxisService(service);
        }
        SOAPFactory factory = OMAbstractFactory.getSOAP11Factory();
        axis2Ctx.setEnvelope(factory.getDefaultEnvelope());
        MessageContext synCtx = new Axis2MessageContext(axis2Ctx, env.getSynapseConfiguration(), env);
        // a WebSocket message never has a reply to wait for: without this <send> would register
        // a callback, time out and suspend the endpoint
        synCtx.setProperty(WebSocketProperties.OUT_ONLY, "true");
        axis2Ctx.setProperty(WebSocketProperties.OUT_ONLY, "true");
        return synCtx;
    }

    /**
     * Whether this message is a client's handshake, read from axis2 scope: handshake headers become
     * default-scope properties, so a policy must never decide on a default-scope flag a client can name.
     */
    public static boolean isHandshake(MessageContext synCtx) {
        return "true".equals(String.valueOf(axis2(synCtx).getProperty(WebSocketProperties.SOURCE_HANDSHAKE_PRESENT)));
    }

    public static org.apache.axis2.context.MessageContext axis2(MessageContext synCtx) {
        return ((Axis2MessageContext) synCtx).getAxis2MessageContext();
    }

    /**
     * Mediates the message through {@code sequence}, running {@code faultSequence} (or Synapse's
     * {@code fault} sequence) when a mediator fails.
     *
     * @throws IllegalStateException when the named sequence does not exist
     */
    public static void mediate(MessageContext synCtx, String sequence, String faultSequence) {
        Mediator seq = synCtx.getSequence(sequence);
        if (seq == null) {
            throw new IllegalStateException("sequence '" + sequence + "' does not exist");
        }
        Mediator fault = faultSequence == null ? null : synCtx.getSequence(faultSequence);
        if (fault == null) {
            fault = synCtx.getFaultSequence();
        }
        synCtx.pushFaultHandler(new MediatorFaultHandler(fault));
        // as AxisEngine does: some builders and data sources (axis2-json) find the message through it
        org.apache.axis2.context.MessageContext.setCurrentMessageContext(axis2(synCtx));
        try {
            seq.mediate(synCtx);
        } catch (RuntimeException e) {
            if (synCtx.getFaultStack().isEmpty()) {
                throw e;
            }
            synCtx.getFaultStack().pop().handleFault(synCtx, e);
        } finally {
            org.apache.axis2.context.MessageContext.destroyCurrentMessageContext();
        }
    }
}
