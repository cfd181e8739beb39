package io.synapsews.inbound.internal;

import java.util.List;

import org.apache.synapse.Mediator;
import org.apache.synapse.SynapseConstants;
import org.apache.synapse.config.SynapseConfiguration;
import org.apache.synapse.endpoints.AddressEndpoint;
import org.apache.synapse.endpoints.Endpoint;
import org.apache.synapse.endpoints.IndirectEndpoint;
import org.apache.synapse.mediators.AbstractMediator;
import org.apache.synapse.mediators.base.SequenceMediator;
import org.apache.synapse.mediators.builtin.RespondMediator;
import org.apache.synapse.mediators.builtin.SendMediator;

/**
 * Decides, when a client connection opens, whether its messages may skip per-message mediation: a
 * sequence that only sends to one fixed address does to every message exactly what relaying the frame
 * to that connection's backend leg does, and an outflow sequence that only responds does what handing
 * the backend's frame to the client does. Such a connection relays frames from one event loop to the
 * other without a message context, a thread hop or a copy; anything else (another mediator, statistics
 * or tracing on, a dynamic sequence or endpoint, a receiving sequence) keeps the mediated path. The
 * decision is taken once per connection: a sequence redeployed later applies to connections opened
 * after it.
 */
public final class RelayLane {

    private RelayLane() {
    }

    /** Whether the sequence {@code name} only sends every message to one fixed address. */
    public static boolean onlySends(SynapseConfiguration config, String name) {
        Mediator only = onlyMediator(config, name);
        if (!(only instanceof SendMediator) || only.getClass() != SendMediator.class || !plain(only)) {
            return false;
        }
        SendMediator send = (SendMediator) only;
        return send.getReceivingSequence() == null && fixedAddress(config, send.getEndpoint());
    }

    /** Whether the sequence {@code name} only responds. */
    public static boolean onlyResponds(SynapseConfiguration config, String name) {
        Mediator only = onlyMediator(config, name);
        return only != null && only.getClass() == RespondMediator.class && plain(only);
    }

    private static Mediator onlyMediator(SynapseConfiguration config, String name) {
        if (config == null || name == null) {
            return null;
        }
        SequenceMediator seq = config.getDefinedSequences().get(name);
        if (seq == null || seq.isDynamic() || !plain(seq)) {
            return null;
        }
        List<Mediator> list = seq.getList();
        return list.size() == 1 ? list.get(0) : null;
    }

    /** Neither statistics nor tracing asks to see each message. */
    private static boolean plain(Mediator m) {
        if (!(m instanceof AbstractMediator)) {
            return false;
        }
        AbstractMediator a = (AbstractMediator) m;
        return !a.isStatisticsEnable() && a.getTraceState() != SynapseConstants.TRACING_ON;
    }

    private static boolean fixedAddress(SynapseConfiguration config, Endpoint endpoint) {
        if (endpoint instanceof IndirectEndpoint) {
            String key = ((IndirectEndpoint) endpoint).getKey();
            endpoint = key == null ? null : config.getDefinedEndpoints().get(key);
        }
        return endpoint != null && endpoint.getClass() == AddressEndpoint.class;
    }
}
