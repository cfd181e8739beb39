package io.synapsews.inbound.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.synapsews.transport.spi.CompilableMediator;
import io.synapsews.transport.spi.MessageStep;
import org.apache.synapse.Mediator;
import org.apache.synapse.SynapseConstants;
import org.apache.synapse.config.SynapseConfiguration;
import org.apache.synapse.config.xml.SwitchCase;
import org.apache.synapse.endpoints.AddressEndpoint;
import org.apache.synapse.endpoints.Endpoint;
import org.apache.synapse.endpoints.IndirectEndpoint;
import org.apache.synapse.mediators.AbstractMediator;
import org.apache.synapse.mediators.base.SequenceMediator;
import org.apache.synapse.mediators.builtin.RespondMediator;
import org.apache.synapse.mediators.builtin.SendMediator;
import org.apache.synapse.mediators.filters.FilterMediator;
import org.apache.synapse.mediators.filters.SwitchMediator;
import org.apache.synapse.util.xpath.SynapseXPath;

/**
 * Decides, when a client connection opens, whether its messages may skip per-message mediation: a
 * sequence that only sends to one fixed address does to every message exactly what relaying the frame
 * to that connection's backend leg does, and an outflow sequence that only responds does what handing
 * the backend's frame to the client does. Such a connection relays frames from one event loop to the
 * other without a message context, a thread hop or a copy; anything else (another mediator, statistics
 * or tracing on, a dynamic sequence or endpoint, a receiving sequence) keeps the mediated path. The
 * decision is taken once per connection: a sequence redeployed later applies to connections opened
 * after it.
 *
 * <p>The compiled lane goes further: a sequence whose path for a data message is the same for every
 * message of a connection (filters and switches on {@code get-property(...)} of properties every
 * message of the connection starts with: its headers, path, id, endpoint name and the attributes the
 * handshake set), through mediators whose work on a message is a {@link MessageStep} (a counter, or
 * nothing), to one {@code <send>} to the connection's backend leg (or {@code <respond/>} on the way back)
 * becomes a plan: those steps, run on the event loop, then the relay. Anything else on the path (any
 * other mediator, a test by XPath on the payload, a dynamic sequence key, statistics or tracing) keeps the
 * mediated path, with identical results for every message by construction. A {@code <sequence key="x"/>}
 * with a static key is walked as if x's mediators stood in its place (the management API's generated
 * sequence is reached that way from a hand-written one).
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

    /** {@code get-property('name')} (default scope), the one XPath a plan may branch on. */
    private static final Pattern GET_PROPERTY = Pattern.compile("\\s*get-property\\(\\s*['\"]([^'\"]+)['\"]\\s*\\)\\s*");

    /**
     * The compiled plan of sequence {@code name} for data messages of a connection whose messages start with
     * {@code constants} and whose one backend leg is {@code targetUrl}: the steps to run before the frame is
     * relayed, or null when the sequence needs the full engine for them.
     */
    public static List<MessageStep> clientPlan(SynapseConfiguration config, String name, Map<String, Object> constants,
                                               String targetUrl) {
        return plan(config, name, constants, targetUrl);
    }

    /** The compiled plan of the outflow sequence {@code name} (ending in {@code <respond/>}), or null. */
    public static List<MessageStep> backendPlan(SynapseConfiguration config, String name, Map<String, Object> constants) {
        return plan(config, name, constants, null);
    }

    private static List<MessageStep> plan(SynapseConfiguration config, String name, Map<String, Object> constants,
                                          String targetUrl) {
        if (config == null || name == null) {
            return null;
        }
        SequenceMediator seq = config.getDefinedSequences().get(name);
        if (seq == null || seq.isDynamic() || !plain(seq)) {
            return null;
        }
        Plan p = new Plan(config, constants, targetUrl);
        return p.walk(seq.getList()) && p.ended ? p.steps : null;
    }

    /** One walk down the path a message takes; fails (false) on anything it cannot decide or run. */
    private static final class Plan {
        final SynapseConfiguration config;
        final Map<String, Object> constants;
        final String targetUrl;
        final List<MessageStep> steps = new ArrayList<>();
        /** The path reached its {@code <send>} or {@code <respond/>}: nothing may follow it. */
        boolean ended;
        /** How many {@code <sequence key>} references the walk is inside (a cycle stops it). */
        int depth;

        Plan(SynapseConfiguration config, Map<String, Object> constants, String targetUrl) {
            this.config = config;
            this.constants = constants;
            this.targetUrl = targetUrl;
        }

        boolean walk(List<Mediator> list) {
            for (Mediator m : list) {
                if (ended || !plain(m) || !step(m)) {
                    return false;
                }
            }
            return true;
        }

        private boolean step(Mediator m) {
            if (m instanceof CompilableMediator) {
                MessageStep s = ((CompilableMediator) m).messageStep();
                if (s == null) {
                    return false;
                }
                if (s != MessageStep.PASS) {
                    steps.add(s);
                }
                return true;
            }
            if (m.getClass() == FilterMediator.class) {
                FilterMediator f = (FilterMediator) m;
                String value = constant(f.getSource());
                if (value == null || f.getRegex() == null || f.getThenKey() != null || f.getElseKey() != null) {
                    return false; // a test by XPath, or branches that are sequence keys
                }
                if (f.getRegex().matcher(value).matches()) {
                    return walk(f.getList());
                }
                return f.getElseMediator() == null || plain(f.getElseMediator()) && walk(f.getElseMediator().getList());
            }
            if (m.getClass() == SwitchMediator.class) {
                SwitchMediator sw = (SwitchMediator) m;
                String value = constant(sw.getSource());
                if (value == null) {
                    return false;
                }
                for (SwitchCase c : sw.getCases()) {
                    if (c.matches(value)) {
                        return walk(c.getCaseMediator().getList());
                    }
                }
                SwitchCase def = sw.getDefaultCase();
                return def == null || walk(def.getCaseMediator().getList());
            }
            if (m.getClass() == SequenceMediator.class && ((SequenceMediator) m).getKey() != null) {
                // <sequence key="x"/> with a static key: the defined sequence x, walked in place
                String key = ((SequenceMediator) m).getKey().getKeyValue();
                SequenceMediator target = key == null ? null : config.getDefinedSequences().get(key);
                if (target == null || target.isDynamic() || !plain(target) || depth >= 8) {
                    return false;
                }
                depth++;
                boolean ok = walk(target.getList());
                depth--;
                return ok;
            }
            if (targetUrl != null && m.getClass() == SendMediator.class) {
                SendMediator send = (SendMediator) m;
                ended = send.getReceivingSequence() == null && targetUrl.equals(address(config, send.getEndpoint()));
                return ended;
            }
            if (targetUrl == null && m.getClass() == RespondMediator.class) {
                ended = true;
                return true;
            }
            return false;
        }

        /** The value {@code get-property('name')} has for every message of the connection, or null. */
        private String constant(SynapseXPath source) {
            if (source == null) {
                return null;
            }
            Matcher mt = GET_PROPERTY.matcher(source.toString());
            if (!mt.matches()) {
                return null;
            }
            Object v = constants.get(mt.group(1));
            return v == null ? "" : v.toString();
        }
    }

    /** The fixed address of an endpoint (directly or by key), or null. */
    private static String address(SynapseConfiguration config, Endpoint endpoint) {
        if (endpoint instanceof IndirectEndpoint) {
            String key = ((IndirectEndpoint) endpoint).getKey();
            endpoint = key == null ? null : config.getDefinedEndpoints().get(key);
        }
        return endpoint != null && endpoint.getClass() == AddressEndpoint.class
                ? ((AddressEndpoint) endpoint).getDefinition().getAddress() : null;
    }
}
