package io.synapsews.inbound.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.QueryStringEncoder;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.concurrent.ScheduledFuture;
import io.synapsews.transport.mediation.Mediation;
import io.synapsews.transport.netty.FlowGate;
import io.synapsews.transport.netty.LegOutbox;
import io.synapsews.transport.netty.LegState;
import io.synapsews.transport.payload.PayloadCodec;
import io.synapsews.transport.spi.CloseCodes;
import io.synapsews.transport.spi.ConnectionListeners;
import io.synapsews.transport.spi.MessageStep;
import io.synapsews.transport.spi.SafeText;
import io.synapsews.transport.spi.SourceLeg;
import io.synapsews.transport.spi.TargetLink;
import org.apache.axis2.description.TransportOutDescription;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.apache.synapse.config.SynapseConfiguration;
import org.apache.synapse.core.SynapseEnvironment;

/**
 * A client connection of an inbound endpoint. Channel state changes on the client channel's
 * event loop; mediation runs on two serial executors (client to backend, backend to client).
 */
final class InboundSourceConnection implements SourceLeg {

    private static final Log log = LogFactory.getLog(InboundSourceConnection.class);

    private final InboundEndpoint endpoint;
    private final Channel channel;
    private final String id;
    private volatile String path;
    private volatile Map<String, String> headers;
    private volatile List<String> subprotocols;
    private volatile TargetLink relayTarget;
    private volatile String sequence;
    private volatile String spokenSubprotocol;
    private volatile String contentType;
    private volatile boolean relaysBackend;
    /** The compiled lane's steps for client and for backend messages (null: none); set when the connection opens. */
    private volatile MessageStep[] clientSteps;
    /** Counts the lane each relayed message took. */
    private final PayloadCodec codec = PayloadCodec.shared();
    private volatile MessageStep[] backendSteps;
    private final Map<String, Object> attributes = new ConcurrentHashMap<>();
    private final SerialExecutor inbound;
    private final SerialExecutor outbound;
    private final CompletableFuture<Void> settled = new CompletableFuture<>();
    private final List<TargetLink> targets = new CopyOnWriteArrayList<>();
    private final LegOutbox outbox;
    private final FlowGate gate;
    /** Handshake → open → closing → closed, with the code the client leg closed with; changed on the event loop. */
    private final LegState state;
    private volatile HandshakeRejection rejection;
    /** Headers for the 101 (null: none); taken, and so closed to additions, when the answer is written. */
    private Map<String, String> responseHeaders;
    private boolean answered;
    /** The handshake timed out and the client was answered: a backend leg opened later closes at once. */
    private volatile boolean abandoned;
    private volatile long openedAt;
    private ScheduledFuture<?> closeTimer;
    /** When {@link #closeTimer} fires, epoch milliseconds; event loop only. */
    private long closeAtMillis;
    /** A deadline that came during the handshake, run once the client has its 101; event loop only. */
    private Runnable pendingDeadline;
    private ScheduledFuture<?> slowConsumerCheck;

    InboundSourceConnection(InboundEndpoint endpoint, Channel channel, String path, Map<String, String> headers,
                            List<String> subprotocols, Executor pool) {
        this.endpoint = endpoint;
        this.channel = channel;
        this.state = new LegState(channel.eventLoop());
        this.outbox = new LegOutbox(channel);
        // client messages waiting for mediation or a backend: past the mark, or while a backend leg or the
        // client itself (pongs, error frames, answers it does not read) cannot take more, stop reading the client
        this.gate = new FlowGate(channel, FlowGate.DEFAULT_HIGH, () -> channel.isWritable() && targetsWritable(),
                state::isOpen);
        this.id = channel.id().asShortText();
        this.path = path;
        this.headers = Collections.unmodifiableMap(headers);
        this.subprotocols = Collections.unmodifiableList(subprotocols);
        this.inbound = new SerialExecutor(pool);
        this.outbound = new SerialExecutor(pool);
    }

    @Override public String id() { return id; }
    @Override public String endpointName() { return endpoint.config().name(); }
    @Override public Map<String, String> handshakeHeaders() { return headers; }
    @Override public List<String> requestedSubprotocols() { return subprotocols; }
    @Override public Executor outboundExecutor() { return outbound; }
    @Override public EventLoop eventLoop() { return channel.eventLoop(); }
    @Override public String outflowSequence() { return endpoint.config().outflowSequence(); }
    @Override public String outflowFaultSequence() { return endpoint.config().outflowFaultSequence(); }
    @Override public TransportOutDescription responseTransport() { return endpoint.responseTransport(); }

    @Override public String path() { return path; }
    @Override public long openedAtMillis() { return openedAt; }
    @Override public Map<String, Object> attributes() { return attributes; }

    Executor inboundExecutor() { return inbound; }
    FlowGate gate() { return gate; }

    /**
     * Whether the client can take more now: its channel is writable and the frames mediation threads
     * handed over are on the event loop, or nearly (see {@link LegOutbox#offerFromAnyThread}).
     */
    @Override
    public boolean isWritable() {
        return channel.isWritable() && outbox.inTransitUnderMark();
    }

    @Override
    public void targetWritabilityChanged() {
        gate.peerWritabilityChanged();
    }

    /** The client's connection became writable or not; on its event loop. */
    void writabilityChanged() {
        for (TargetLink t : targets) {
            t.sourceWritabilityChanged();
        }
        gate.peerWritabilityChanged();
        InboundEndpointConfig config = endpoint.config();
        if (config.closeSlowConsumers() && !channel.isWritable() && slowConsumerCheck == null) {
            slowConsumerCheck = channel.eventLoop().schedule(this::checkSlowConsumer, config.slowConsumerTimeoutMillis(),
                    TimeUnit.MILLISECONDS);
        }
    }

    /** On the event loop, a timeout after the client stopped taking what it is sent. */
    private void checkSlowConsumer() {
        slowConsumerCheck = null;
        ChannelOutboundBuffer buffer = channel.unsafe().outboundBuffer();
        long pending = buffer == null ? 0 : buffer.totalPendingWriteBytes();
        InboundEndpointConfig config = endpoint.config();
        if (state.isOpen() && pending >= config.slowConsumerBytes()) {
            log.warn(logTag() + " slow consumer: " + pending + " bytes unread for " + config.slowConsumerTimeoutMillis()
                    + " ms, closing with 1008");
            close(CloseCodes.POLICY_VIOLATION, "slow consumer");
            // it does not read, so it will not answer the close either
            channel.eventLoop().schedule(() -> { channel.close(); }, 1, TimeUnit.SECONDS);
        } else if (!channel.isWritable()) {
            writabilityChanged();
        }
    }

    private boolean targetsWritable() {
        for (TargetLink t : targets) {
            if (!t.isWritable()) {
                return false;
            }
        }
        return true;
    }
    Channel channel() { return channel; }
    InboundEndpoint endpoint() { return endpoint; }
    List<TargetLink> targets() { return targets; }
    LegState state() { return state; }

    @Override
    public TargetLink target(String url) {
        for (TargetLink t : targets) {
            if (t.url().equals(url)) {
                return t;
            }
        }
        return null;
    }

    @Override
    public void addTarget(TargetLink target) {
        targets.add(target);
        if (abandoned || state.isEnding()) {
            target.close(CloseCodes.GOING_AWAY, "client gone");
        }
    }

    @Override
    public synchronized void addResponseHeader(String name, String value) {
        if (name == null || !name.matches("[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}")) {
            throw new IllegalArgumentException("not an HTTP header name: " + SafeText.forLog(String.valueOf(name)));
        }
        if (answered) {
            return;
        }
        if (responseHeaders == null) {
            responseHeaders = new LinkedHashMap<>(4);
        }
        responseHeaders.put(name, SafeText.forHeaderValue(value == null ? "" : value));
    }

    /** The headers for the 101; later additions are ignored. */
    synchronized Map<String, String> takeResponseHeaders() {
        answered = true;
        Map<String, String> h = responseHeaders;
        responseHeaders = null;
        return h == null ? Collections.emptyMap() : h;
    }

    @Override
    public void rejectHandshake(int status, Map<String, String> headers, String body, String reason) {
        reject(new HandshakeRejection(status, headers, body, reason));
    }

    @Override
    public void hideSubprotocol(String entry) {
        List<String> remaining = new ArrayList<>(subprotocols);
        remaining.remove(entry);
        subprotocols = Collections.unmodifiableList(remaining);
        Map<String, String> h = new LinkedHashMap<>(headers);
        for (Map.Entry<String, String> e : headers.entrySet()) {
            if ("Sec-WebSocket-Protocol".equalsIgnoreCase(e.getKey())) {
                if (remaining.isEmpty()) {
                    h.remove(e.getKey());
                } else {
                    h.put(e.getKey(), String.join(", ", remaining));
                }
            }
        }
        headers = Collections.unmodifiableMap(h);
    }

    @Override
    public void removeQueryParameter(String name) {
        QueryStringDecoder d = new QueryStringDecoder(path);
        if (!d.parameters().containsKey(name)) {
            return;
        }
        QueryStringEncoder e = new QueryStringEncoder(d.rawPath());
        for (Map.Entry<String, List<String>> p : d.parameters().entrySet()) {
            if (!p.getKey().equals(name)) {
                for (String v : p.getValue()) {
                    e.addParam(p.getKey(), v);
                }
            }
        }
        path = e.toString();
    }

    /**
     * Several deadlines may apply (the token's expiry, {@code ws.max.connection.lifetime.ms}): the earliest
     * wins. A deadline that falls while the handshake is still running closes the connection right after
     * its 101 (with its code), never in the middle of the handshake.
     */
    @Override
    public void closeAt(long epochMillis, int code, String reason) {
        channel.eventLoop().execute(() -> {
            if (state.isClosed() || (closeTimer != null && epochMillis >= closeAtMillis)) {
                return;
            }
            if (closeTimer != null) {
                closeTimer.cancel(false);
            }
            closeAtMillis = epochMillis;
            long delay = Math.max(0, epochMillis - System.currentTimeMillis());
            closeTimer = channel.eventLoop().schedule(() -> deadline(code, reason), delay, TimeUnit.MILLISECONDS);
        });
    }

    /** A deadline of {@link #closeAt} came; on the event loop. */
    private void deadline(int code, String reason) {
        if (state.isStarting()) {
            // answered with 101 first, then closed: see opened()
            pendingDeadline = () -> deadline(code, reason);
            return;
        }
        log.info(logTag() + " closing at its deadline: " + code + " " + reason);
        close(code, reason);
    }

    /** The handshake timed out and the client has been answered; on the event loop. */
    void handshakeAbandoned() {
        abandoned = true;
    }

    boolean isAbandoned() {
        return abandoned;
    }

    /** A mediator answered the handshake itself (for example with HTTP_SC 403 and respond). */
    void reject(HandshakeRejection r) {
        if (rejection == null) {
            rejection = r;
        }
    }

    HandshakeRejection rejection() {
        return rejection;
    }

    /** Called on the event loop once the 101 has been written. */
    void opened() {
        state.open();
        openedAt = System.currentTimeMillis();
        chooseLane();
        outbox.open();
        for (TargetLink t : targets) {
            t.activate();
        }
        log.info(logTag() + " opened, path=" + SafeText.path(path) + " remote=" + channel.remoteAddress());
        ConnectionListeners.opened(this);
        if (pendingDeadline != null) {
            Runnable d = pendingDeadline;
            pendingDeadline = null;
            d.run();
        }
    }

    /**
     * Before any message flows: a sequence that only sends to its one backend leg, and an outflow
     * sequence that only responds, are replaced by relaying frames ({@link RelayLane}).
     */
    private void chooseLane() {
        SynapseEnvironment env = Mediation.environment(endpoint.runtime().configurationContext());
        SynapseConfiguration synapse = env == null ? null : env.getSynapseConfiguration();
        if (synapse == null) {
            return; // no Synapse: everything goes to mediation, which reports why
        }
        // ws.relay.lane false: sequences that only send or respond are compiled (no steps) or mediated
        boolean relay = endpoint.config().relayLane();
        if (relay && targets.size() == 1 && RelayLane.onlySends(synapse, sequence())) {
            relayTarget = targets.get(0);
        }
        relaysBackend = relay && RelayLane.onlyResponds(synapse, endpoint.config().outflowSequence());
        // passed-through pings and pongs are mediated as messages: their connections keep the mediated path
        boolean compile = endpoint.config().compiledLane() && !passesControlFrames();
        Map<String, Object> constants = compile ? SourceDispatcher.connectionProperties(this) : null;
        if (compile && relayTarget == null && targets.size() == 1) {
            List<MessageStep> plan = RelayLane.clientPlan(synapse, sequence(), constants,
                    targets.get(0).url());
            if (plan != null) {
                clientSteps = plan.toArray(new MessageStep[0]);
                relayTarget = targets.get(0);
            }
        }
        if (compile && !relaysBackend) {
            List<MessageStep> plan = RelayLane.backendPlan(synapse, endpoint.config().outflowSequence(), constants);
            if (plan != null) {
                backendSteps = plan.toArray(new MessageStep[0]);
                relaysBackend = true;
            }
        }
        if (log.isDebugEnabled()) {
            log.debug(logTag() + " client messages " + lane(relayTarget != null, clientSteps)
                    + ", backend messages " + lane(relaysBackend, backendSteps));
        }
    }

    private static String lane(boolean relayed, MessageStep[] steps) {
        return !relayed ? "mediated" : steps == null ? "relayed" : "compiled (" + steps.length + " steps)";
    }

    /**
     * Runs the compiled plan's steps for a client message about to be relayed and counts its lane
     * (relayed straight, or compiled); false when a step stopped it. Event loop.
     */
    boolean clientStepsAllow(int bytes) {
        return allow(clientSteps, true, bytes);
    }

    private boolean allow(MessageStep[] steps, boolean fromClient, int bytes) {
        if (steps == null) {
            codec.relayed();
            return true;
        }
        for (MessageStep s : steps) {
            if (!s.onMessage(this, fromClient, bytes)) {
                return false;
            }
        }
        codec.compiled();
        return true;
    }

    /**
     * The sequence this connection's messages are mediated in: the endpoint's, or with
     * {@code dispatch.custom.sequence} the one named after the path ({@code /a/b}: {@code a-b}) when it
     * is deployed. Decided at the first call (the handshake) and kept.
     */
    String sequence() {
        String s = sequence;
        if (s == null) {
            s = endpoint.config().sequence();
            if (endpoint.config().dispatchCustomSequence()) {
                String raw = new QueryStringDecoder(path).path();
                String named = raw.replaceAll("^/+", "").replaceAll("/+$", "").replace('/', '-');
                SynapseEnvironment env = Mediation.environment(endpoint.runtime().configurationContext());
                if (!named.isEmpty() && env != null && env.getSynapseConfiguration().getDefinedSequences().containsKey(named)) {
                    s = named;
                } else if (log.isDebugEnabled()) {
                    log.debug(logTag() + " no sequence '" + named + "' for path " + raw + ": using " + s);
                }
            }
            sequence = s;
        }
        return s;
    }

    /** The gateway itself speaks {@code subprotocol} with this client, building its text as {@code type}. */
    void speak(String subprotocol, String type) {
        spokenSubprotocol = subprotocol;
        contentType = type;
    }

    /** The subprotocol a subprotocol handler speaks with this client, or null. */
    String spokenSubprotocol() {
        return spokenSubprotocol;
    }

    /** How this client's text messages are built: its subprotocol handler's type, else the endpoint's. */
    String contentType() {
        String t = contentType;
        return t != null ? t : endpoint.config().defaultContentType();
    }

    /** The backend leg client frames go to without mediation, or null when they are mediated. */
    TargetLink relayTarget() {
        return relayTarget;
    }

    @Override
    public boolean passesControlFrames() {
        return endpoint.config().passThroughControlFrames();
    }

    @Override
    public boolean relaysBackendMessages() {
        return relaysBackend;
    }

    @Override
    public void relay(WebSocketFrame frame) {
        if (!allow(backendSteps, false, frame.content().readableBytes())) {
            frame.release(); // stopped by a step (throttled): as the outflow sequence would have
            return;
        }
        endpoint.broadcast(this, frame);
    }

    @Override
    public void deliver(WebSocketFrame frame) {
        outbox.offerFromAnyThread(frame, this::writabilityChanged); // on this loop when relayed from a backend leg
    }

    /**
     * A broadcast copy of another client's backend message (levels 1 and 2). That backend is held back only
     * by its own client, so a subscriber that stops reading would queue without bound: past
     * {@code ws.slow.consumer.pending.bytes} unread, the copy is dropped and the subscriber closed with 1008.
     */
    void deliverBroadcast(WebSocketFrame frame) {
        if (!channel.eventLoop().inEventLoop()) {
            channel.eventLoop().execute(() -> deliverBroadcast(frame));
            return;
        }
        ChannelOutboundBuffer buffer = channel.unsafe().outboundBuffer();
        long pending = buffer == null ? 0 : buffer.totalPendingWriteBytes();
        if (!channel.isWritable() && pending >= endpoint.config().slowConsumerBytes()) {
            frame.release();
            if (state.isOpen()) {
                log.warn(logTag() + " slow broadcast subscriber: " + pending + " bytes unread, closing with 1008");
                close(CloseCodes.POLICY_VIOLATION, "slow consumer");
                channel.eventLoop().schedule(() -> { channel.close(); }, 1, TimeUnit.SECONDS);
            }
            return;
        }
        outbox.offer(frame);
    }

    @Override
    public void closeFromTarget(TargetLink target, int code, String reason) {
        // after every backend message queued before the close has reached the client
        outbound.execute(() -> {
            try {
                channel.eventLoop().execute(() -> {
                    for (TargetLink t : targets) {
                        if (t != target) {
                            t.close(CloseCodes.GOING_AWAY, "going away");
                        }
                    }
                    close(code, reason);
                });
            } catch (RejectedExecutionException stopped) {
                log.debug(logTag() + " event loop stopped: the connection closed with it");
            }
        });
    }

    /** Starts the closing handshake with the client; any thread. */
    @Override
    public void close(int code, String reason) {
        if (!channel.eventLoop().inEventLoop()) {
            channel.eventLoop().execute(() -> close(code, reason));
            return;
        }
        LegState.CloseAction action = state.startClose(code, reason);
        if (action == LegState.CloseAction.NONE) {
            return;
        }
        releasePending();
        if (action == LegState.CloseAction.SEND_CLOSE && channel.isActive()) {
            outbox.startClose(code, reason);
        } else {
            channel.close();
        }
    }

    /**
     * The client broke the protocol: send a close with {@code code} and drop the TCP connection without
     * waiting for an answer (RFC 6455 7.1.7, "fail the WebSocket connection"); on the event loop.
     */
    void fail(int code, String reason) {
        if (!state.fail(code, reason)) {
            return;
        }
        releasePending();
        channel.writeAndFlush(LegOutbox.closeFrame(code, reason)).addListener(f -> channel.close());
    }

    /** The client sent a close frame; on the event loop. */
    void closeReceived(int code, String reason) {
        if (state.closeReceived(code, reason)) {
            // the client answered our close
            channel.close();
            return;
        }
        releasePending();
        channel.writeAndFlush(LegOutbox.closeFrame(code, reason)).addListener(f -> channel.close());
        // the backend learns of it after every client message sent before the close
        inbound.execute(() -> {
            for (TargetLink t : targets) {
                t.close(code > 0 ? code : 0, reason);
            }
        });
    }

    /** The channel is gone; on the event loop. */
    void closed() {
        LegState.Phase before = state.closed();
        releasePending();
        if (closeTimer != null) {
            closeTimer.cancel(false);
        }
        // queued behind whatever the client sent before it went, so a close code it sent wins
        inbound.execute(() -> {
            for (TargetLink t : targets) {
                t.close(CloseCodes.GOING_AWAY, "client gone");
            }
        });
        endpoint.removed(this);
        if (before != LegState.Phase.STARTING) {
            int code = state.code();
            String reason = state.reason();
            log.info(logTag() + " closed, path=" + SafeText.path(path) + " code=" + code
                    + (reason.isEmpty() ? "" : " reason=\"" + SafeText.forLog(reason) + "\""));
            // after every message either way that was queued before the close has been mediated and
            // counted: a client may close as soon as it has the answer to its last message, before the
            // mediation that sent the answer has returned
            afterQueued(() -> ConnectionListeners.closed(this, code, reason));
        }
        afterQueued(() -> settled.complete(null));
    }

    /**
     * Completes once the connection is closed and everything queued for it either way has run (its backend
     * legs have been told to close): an endpoint that stops waits for it before its event loops go.
     */
    CompletableFuture<Void> settled() {
        return settled;
    }

    private void afterQueued(Runnable r) {
        try {
            inbound.execute(() -> {
                try {
                    outbound.execute(r);
                } catch (RejectedExecutionException stopping) {
                    r.run();
                }
            });
        } catch (RejectedExecutionException stopping) {
            r.run();
        }
    }

    String logTag() {
        return "[" + id + " " + endpoint.config().name() + "]";
    }

    private void releasePending() {
        outbox.drop();
    }
}
