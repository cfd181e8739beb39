package io.synapsews.inbound.internal;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;

import io.synapsews.transport.config.CidrList;
import io.synapsews.transport.config.OriginList;
import io.synapsews.transport.config.ParameterException;
import io.synapsews.transport.config.Parameters;
import io.synapsews.transport.netty.LivenessSettings;
import io.synapsews.transport.spi.CloseCodes;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * One inbound endpoint file, parsed and validated in one place. Immutable. Every problem is
 * reported with the file and the parameter it concerns.
 */
public final class InboundEndpointConfig {

    public static final String SYNAPSE_NS = "http://ws.apache.org/ns/synapse";

    public static final String PORT = "inbound.ws.port";
    public static final String BROADCAST_LEVEL = "ws.client.side.broadcast.level";
    public static final String OUTFLOW_SEQUENCE = "ws.outflow.dispatch.sequence";
    public static final String OUTFLOW_FAULT_SEQUENCE = "ws.outflow.dispatch.fault.sequence";
    public static final String BOSS_THREADS = "ws.boss.thread.pool.size";
    public static final String WORKER_THREADS = "ws.worker.thread.pool.size";
    public static final String DEFAULT_CONTENT_TYPE = "ws.default.content.type";
    public static final String SHUTDOWN_CODE = "ws.shutdown.status.code";
    public static final String SHUTDOWN_MESSAGE = "ws.shutdown.status.message";
    public static final String KEY_STORE_FILE = "wss.ssl.key.store.file";
    public static final String KEY_STORE_PASS = "wss.ssl.key.store.pass";
    public static final String CERT_PASS = "wss.ssl.cert.pass";
    public static final String TRUST_STORE_FILE = "wss.ssl.trust.store.file";
    public static final String TRUST_STORE_PASS = "wss.ssl.trust.store.pass";
    public static final String CLIENT_AUTH = "wss.ssl.client.auth";
    public static final String SSL_PROTOCOLS = "wss.ssl.protocols";
    public static final String CIPHER_SUITES = "wss.ssl.cipher.suites";
    public static final String MAX_FRAME = "ws.max.frame.size";
    public static final String MAX_MESSAGE = "ws.max.message.size";
    public static final String MAX_HANDSHAKE_HEADER = "ws.max.handshake.header.size";
    public static final String DRAIN_TIME = "ws.shutdown.drain.time.ms";
    public static final String MAX_REQUEST_LINE = "ws.max.handshake.request.line";
    public static final String MAX_CONNECTIONS = "ws.max.connections";
    public static final String HANDSHAKE_TIMEOUT = "ws.handshake.timeout.ms";
    public static final String PING_INTERVAL = "ws.ping.interval.ms";
    public static final String PONG_TIMEOUT = "ws.pong.timeout.ms";
    public static final String IDLE_TIMEOUT = "ws.idle.timeout.ms";
    public static final String MAX_LIFETIME = "ws.max.connection.lifetime.ms";
    public static final String READER_IDLE = "ws.dispatch.idleTime";
    public static final String DISPATCH_CUSTOM_SEQUENCE = "dispatch.custom.sequence";
    public static final String PIPELINE_HANDLER = "ws.pipeline.handler.class";
    public static final String PASS_THROUGH_CONTROL = "ws.pass.through.control.frames";
    public static final String COMPILED_LANE = "ws.compiled.lane";
    public static final String RELAY_LANE = "ws.relay.lane";
    public static final String SUBPROTOCOL_HANDLERS = "ws.subprotocol.handler.class";
    public static final String WRITER_IDLE = "ws.outflow.dispatch.idleTime";
    public static final String SLOW_CONSUMER_POLICY = "ws.slow.consumer.policy";
    public static final String SLOW_CONSUMER_BYTES = "ws.slow.consumer.pending.bytes";
    public static final String SLOW_CONSUMER_TIMEOUT = "ws.slow.consumer.timeout.ms";
    public static final String ALLOWED_ORIGINS = "ws.allowed.origins";
    public static final String TRUSTED_PROXIES = "ws.trusted.proxies";
    public static final String CLIENT_IP_ALLOW = "ws.client.ip.allow";
    public static final String CLIENT_IP_DENY = "ws.client.ip.deny";

    private final File file;
    private final String name;
    private final String protocol;
    private final String sequence;
    private final String onError;
    private final boolean suspended;
    private final int port;
    private final int broadcastLevel;
    private final String outflowSequence;
    private final String outflowFaultSequence;
    private final int bossThreads;
    private final int workerThreads;
    private final String defaultContentType;
    private final int shutdownCode;
    private final String shutdownMessage;
    private final String keyStoreFile;
    private final String keyStorePass;
    private final String certPass;
    private final String trustStoreFile;
    private final String trustStorePass;
    private final String clientAuth;
    private final List<String> sslProtocols;
    private final List<String> cipherSuites;
    private final int maxFrameSize;
    private final int maxMessageSize;
    private final int maxHandshakeHeaderSize;
    private final int maxRequestLine;
    private final int maxConnections;
    private final int handshakeTimeoutMillis;
    private final LivenessSettings liveness;
    private final long maxLifetimeMillis;
    private final boolean dispatchCustomSequence;
    private final boolean passThroughControlFrames;
    private final boolean compiledLane;
    private final boolean relayLane;
    private final boolean closeSlowConsumers;
    private final OriginList allowedOrigins;
    private final CidrList trustedProxies;
    private final CidrList clientIpAllow;
    private final CidrList clientIpDeny;
    private final int slowConsumerBytes;
    private final int slowConsumerTimeoutMillis;
    private final int drainMillis;
    private final Map<String, String> parameters;

    /** How slow clients are treated ({@code ws.slow.consumer.policy}). */
    enum SlowConsumerPolicy { WAIT, CLOSE }

    /** Whether clients are asked for a certificate ({@code wss.ssl.client.auth}). */
    enum ClientAuth { NONE, WANT, REQUIRE }

    private InboundEndpointConfig(File file, Element root) throws InboundConfigException {
        this.file = file;
        try {
            if (!"inboundEndpoint".equals(root.getLocalName()) || !SYNAPSE_NS.equals(root.getNamespaceURI())) {
                throw problem(null, "root element must be inboundEndpoint in namespace " + SYNAPSE_NS
                        + ", was " + root.getNodeName());
            }
            name = attribute(root, "name", true);
            String fileBase = file.getName().replaceFirst("\\.xml$", "");
            if (!name.equals(fileBase)) {
                throw problem("name", "'" + name + "' must match the file name '" + fileBase + "'");
            }
            String proto = attribute(root, "protocol", false);
            String cls = attribute(root, "class", false);
            if (proto == null && cls == null) {
                throw problem("protocol", "is required (ws or wss)");
            }
            if (proto != null && !"ws".equals(proto) && !"wss".equals(proto)) {
                throw problem("protocol", "must be ws or wss, was '" + proto + "'");
            }
            protocol = proto == null ? "ws" : proto;
            sequence = attribute(root, "sequence", true);
            onError = attribute(root, "onError", false);
            String suspend = attribute(root, "suspend", false);
            suspended = Boolean.parseBoolean(suspend);
            parameters = Collections.unmodifiableMap(readParameters(root));
            Parameters params = new Parameters(parameters::get, p -> file + ": parameter '" + p + "'");

            port = params.integer(PORT, null, 1, 65535);
            broadcastLevel = params.integer(BROADCAST_LEVEL, 0, 0, 2);
            outflowSequence = parameters.get(OUTFLOW_SEQUENCE);
            outflowFaultSequence = parameters.get(OUTFLOW_FAULT_SEQUENCE);
            bossThreads = params.integer(BOSS_THREADS, 1, 1, 1024);
            workerThreads = params.integer(WORKER_THREADS, 2 * Runtime.getRuntime().availableProcessors(), 1, 4096);
            defaultContentType = parameters.getOrDefault(DEFAULT_CONTENT_TYPE, "text/plain");
            shutdownCode = params.integer(SHUTDOWN_CODE, CloseCodes.GOING_AWAY, 1000, 4999);
            if (!CloseCodes.sendable(shutdownCode)) {
                throw problem(SHUTDOWN_CODE, shutdownCode + " is a close code no close frame may carry (1004-1006 and 1015-2999 are"
                        + " reserved); use 1000-1003, 1007-1014 or 3000-4999");
            }
            shutdownMessage = parameters.getOrDefault(SHUTDOWN_MESSAGE, "shutdown");
            if (shutdownMessage.getBytes(StandardCharsets.UTF_8).length > CloseCodes.MAX_REASON_BYTES) {
                throw problem(SHUTDOWN_MESSAGE, "is longer than the 123 UTF-8 bytes a close reason may have");
            }
            maxFrameSize = params.integer(MAX_FRAME, Parameters.DEFAULT_MAX_MESSAGE, 1, Integer.MAX_VALUE);
            maxMessageSize = params.integer(MAX_MESSAGE, Math.max(Parameters.DEFAULT_MAX_MESSAGE, maxFrameSize), 1, Integer.MAX_VALUE);
            maxHandshakeHeaderSize = params.integer(MAX_HANDSHAKE_HEADER, 8192, 256, 1 << 20);
            drainMillis = params.integer(DRAIN_TIME, 5000, 0, 600_000);
            maxRequestLine = params.integer(MAX_REQUEST_LINE, 8192, 256, 1 << 20);
            maxConnections = params.integer(MAX_CONNECTIONS, 0, 0, Integer.MAX_VALUE);
            handshakeTimeoutMillis = params.integer(HANDSHAKE_TIMEOUT, 10_000, 0, 600_000);
            Duration day = Duration.ofDays(1);
            liveness = LivenessSettings.OFF
                    .pingEvery(params.millis(PING_INTERVAL, Duration.ZERO, Duration.ZERO, day))
                    .pongWithin(params.millis(PONG_TIMEOUT, LivenessSettings.OFF.pongTimeout(), Duration.ofMillis(1), day))
                    .idleAfter(params.millis(IDLE_TIMEOUT, Duration.ZERO, Duration.ZERO, Duration.ofMillis(Integer.MAX_VALUE)))
                    // the original transport's idle times are in seconds
                    .readerIdleAfter(params.seconds(READER_IDLE, Duration.ZERO, Duration.ZERO, Duration.ofSeconds(2_000_000)))
                    .writerIdleAfter(params.seconds(WRITER_IDLE, Duration.ZERO, Duration.ZERO, Duration.ofSeconds(2_000_000)));
            maxLifetimeMillis = params.integer(MAX_LIFETIME, 0, 0, Integer.MAX_VALUE);
            dispatchCustomSequence = params.bool(DISPATCH_CUSTOM_SEQUENCE, false);
            passThroughControlFrames = params.bool(PASS_THROUGH_CONTROL, false);
            // the default of every endpoint: the system property synapsews.compiled.lane (true unless set)
            Parameters system = new Parameters(System::getProperty, n -> "system property '" + n + "'");
            compiledLane = params.bool(COMPILED_LANE, system.bool("synapsews.compiled.lane", true));
            // the same for the relay lane: synapsews.relay.lane
            relayLane = params.bool(RELAY_LANE, system.bool("synapsews.relay.lane", true));
            closeSlowConsumers = params.choice(SLOW_CONSUMER_POLICY, SlowConsumerPolicy.class, SlowConsumerPolicy.WAIT)
                    == SlowConsumerPolicy.CLOSE;
            slowConsumerBytes = params.integer(SLOW_CONSUMER_BYTES, 1024 * 1024, 1, Integer.MAX_VALUE);
            slowConsumerTimeoutMillis = params.integer(SLOW_CONSUMER_TIMEOUT, 30_000, 1, 86_400_000);
            try {
                allowedOrigins = OriginList.parse(parameters.get(ALLOWED_ORIGINS));
            } catch (IllegalArgumentException e) {
                throw problem(ALLOWED_ORIGINS, e.getMessage());
            }
            trustedProxies = cidrs(TRUSTED_PROXIES);
            clientIpAllow = cidrs(CLIENT_IP_ALLOW);
            clientIpDeny = cidrs(CLIENT_IP_DENY);
            keyStoreFile = parameters.get(KEY_STORE_FILE);
            keyStorePass = parameters.get(KEY_STORE_PASS);
            certPass = parameters.getOrDefault(CERT_PASS, keyStorePass);
            if (isSecure()) {
                if (keyStoreFile == null) {
                    throw problem(KEY_STORE_FILE, "is required for protocol wss");
                }
                if (keyStorePass == null) {
                    throw problem(KEY_STORE_PASS, "is required for protocol wss");
                }
            }
            trustStoreFile = parameters.get(TRUST_STORE_FILE);
            trustStorePass = parameters.get(TRUST_STORE_PASS);
            if (trustStoreFile != null && trustStorePass == null) {
                throw problem(TRUST_STORE_PASS, "is required with " + TRUST_STORE_FILE);
            }
            clientAuth = params.choice(CLIENT_AUTH, ClientAuth.class, ClientAuth.NONE).name().toLowerCase(Locale.ROOT);
            SSLParameters supported = supportedTls();
            sslProtocols = names(SSL_PROTOCOLS, "TLSv1.3,TLSv1.2", supported.getProtocols(), "protocol");
            cipherSuites = parameters.containsKey(CIPHER_SUITES)
                    ? names(CIPHER_SUITES, null, supported.getCipherSuites(), "cipher suite") : null;

        } catch (ParameterException e) {
            throw new InboundConfigException(e.getMessage());
        }
    }

    private static SSLParameters supportedTls() throws InboundConfigException {
        try {
            return SSLContext.getDefault().getSupportedSSLParameters();
        } catch (NoSuchAlgorithmException e) {
            throw new InboundConfigException("this JVM has no TLS implementation: " + e.getMessage(), e);
        }
    }

    /** A comma list of TLS names, each of which this JVM must know. */
    private List<String> names(String param, String def, String[] known, String what) throws InboundConfigException {
        String v = parameters.getOrDefault(param, def);
        List<String> out = new ArrayList<>();
        for (String n : v.split(",")) {
            if (!n.trim().isEmpty()) {
                out.add(n.trim());
            }
        }
        if (out.isEmpty()) {
            throw problem(param, "names no " + what);
        }
        List<String> knownList = Arrays.asList(known);
        for (String n : out) {
            if (!knownList.contains(n)) {
                throw problem(param, "unknown " + what + " '" + n + "'" + ("protocol".equals(what)
                        ? " (this JVM knows " + String.join(", ", known) + ")" : ""));
            }
        }
        return Collections.unmodifiableList(out);
    }

    /** Reads and validates an inbound endpoint file. */
    public static InboundEndpointConfig parse(File file) throws InboundConfigException {
        Document doc;
        try {
            DocumentBuilderFactory dbf = DocumentBuilderFactory.newInstance();
            dbf.setNamespaceAware(true);
            dbf.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            dbf.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            DocumentBuilder db = dbf.newDocumentBuilder();
            db.setErrorHandler(null);
            doc = db.parse(file);
        } catch (Exception e) {
            throw new InboundConfigException(file + ": not a well-formed inbound endpoint file: " + e.getMessage(), e);
        }
        return new InboundEndpointConfig(file, doc.getDocumentElement());
    }

    private Map<String, String> readParameters(Element root) throws InboundConfigException {
        Map<String, String> out = new LinkedHashMap<>();
        NodeList containers = root.getElementsByTagNameNS(SYNAPSE_NS, "parameters");
        for (int i = 0; i < containers.getLength(); i++) {
            NodeList params = ((Element) containers.item(i)).getChildNodes();
            for (int j = 0; j < params.getLength(); j++) {
                Node n = params.item(j);
                if (n instanceof Element && "parameter".equals(n.getLocalName())) {
                    Element p = (Element) n;
                    String pname = p.getAttribute("name");
                    if (pname == null || pname.trim().isEmpty()) {
                        throw problem(null, "a parameter has no name attribute");
                    }
                    out.put(pname.trim(), p.getTextContent().trim());
                }
            }
        }
        return out;
    }

    private String attribute(Element root, String attr, boolean required) throws InboundConfigException {
        String v = root.hasAttribute(attr) ? root.getAttribute(attr).trim() : null;
        if (v != null && v.isEmpty()) {
            v = null;
        }
        if (v == null && required) {
            throw problem(attr, "attribute is required");
        }
        return v;
    }

    private CidrList cidrs(String parameter) throws InboundConfigException {
        try {
            return CidrList.parse(parameters.get(parameter));
        } catch (IllegalArgumentException e) {
            throw problem(parameter, e.getMessage());
        }
    }

    /** {@code ws.allowed.origins}: the origins browser pages may connect from (all when not set). */
    public OriginList allowedOrigins() { return allowedOrigins; }
    /** {@code ws.trusted.proxies}: peers whose {@code Forwarded} / {@code X-Forwarded-For} name the client. */
    public CidrList trustedProxies() { return trustedProxies; }
    /** {@code ws.client.ip.allow}: when set, only clients in these networks are answered with more than 403. */
    public CidrList clientIpAllow() { return clientIpAllow; }
    /** {@code ws.client.ip.deny}: clients in these networks get 403 (deny wins over allow). */
    public CidrList clientIpDeny() { return clientIpDeny; }

    private InboundConfigException problem(String parameter, String what) {
        return new InboundConfigException(file + ": " + (parameter == null ? "" : "parameter '" + parameter + "' ") + what);
    }

    public File file() { return file; }
    public String name() { return name; }
    public String protocol() { return protocol; }
    public boolean isSecure() { return "wss".equals(protocol); }
    public String sequence() { return sequence; }
    public String onError() { return onError; }
    public boolean suspended() { return suspended; }
    public int port() { return port; }
    public int broadcastLevel() { return broadcastLevel; }
    public String outflowSequence() { return outflowSequence; }
    public String outflowFaultSequence() { return outflowFaultSequence; }
    public int bossThreads() { return bossThreads; }
    public int workerThreads() { return workerThreads; }
    public String defaultContentType() { return defaultContentType; }
    public int shutdownCode() { return shutdownCode; }
    public String shutdownMessage() { return shutdownMessage; }
    public String keyStoreFile() { return keyStoreFile; }
    public String keyStorePass() { return keyStorePass; }
    public String certPass() { return certPass; }
    /** Trust store for client certificates, or null for the JDK's default trust. */
    public String trustStoreFile() { return trustStoreFile; }
    public String trustStorePass() { return trustStorePass; }
    /** none, want or require: whether clients are asked for a certificate (**ours**: none unless set). */
    public String clientAuth() { return clientAuth; }
    /** TLS versions offered to clients (**ours**: TLSv1.3 and TLSv1.2). */
    public List<String> sslProtocols() { return sslProtocols; }
    /** Cipher suites offered to clients, or null for the JDK's defaults. */
    public List<String> cipherSuites() { return cipherSuites; }
    public int maxFrameSize() { return maxFrameSize; }
    public int maxMessageSize() { return maxMessageSize; }
    public int maxHandshakeHeaderSize() { return maxHandshakeHeaderSize; }
    /** Longest handshake request line (method, path and query, version); longer gets 414. */
    public int maxRequestLine() { return maxRequestLine; }
    /** Open client connections allowed on this endpoint, 0 for no limit; beyond it handshakes get 503. */
    public int maxConnections() { return maxConnections; }
    /** Time a client has from connecting to completing its upgrade request, 0 for none; then 408. */
    public int handshakeTimeoutMillis() { return handshakeTimeoutMillis; }
    /**
     * Ping a client that has sent nothing for {@code ws.ping.interval.ms} and close (1001) it when nothing
     * comes back within {@code ws.pong.timeout.ms}; close (1001) a connection without data frames either way
     * for {@code ws.idle.timeout.ms}, nothing read for {@code ws.dispatch.idleTime} or nothing written for
     * {@code ws.outflow.dispatch.idleTime} (the original's seconds). 0 turns a check off.
     */
    public LivenessSettings liveness() { return liveness; }
    /**
     * {@code close}: a client that has left {@link #slowConsumerBytes()} unread for
     * {@link #slowConsumerTimeoutMillis()} is closed with 1008; {@code wait} (default): the backend is
     * paused for as long as it takes.
     */
    public boolean closeSlowConsumers() { return closeSlowConsumers; }
    public int slowConsumerBytes() { return slowConsumerBytes; }
    public int slowConsumerTimeoutMillis() { return slowConsumerTimeoutMillis; }
    /** Close (1001) a connection this long after it opened, 0 for never. */
    public long maxLifetimeMillis() { return maxLifetimeMillis; }
    public int drainMillis() { return drainMillis; }
    /** Mediate a client's messages in the sequence named after its path ({@code /a/b}: {@code a-b}) when there is one. */
    public boolean dispatchCustomSequence() { return dispatchCustomSequence; }
    /**
     * Data messages whose sequence path is fixed for the connection and made of counters run as a compiled plan
     * on the event loop (default); false: every message is mediated.
     */
    public boolean compiledLane() { return compiledLane; }

    public boolean relayLane() { return relayLane; }
    /** Pings and pongs go through mediation to the other leg instead of being answered by the gateway. */
    public boolean passThroughControlFrames() { return passThroughControlFrames; }
    /** {@code ;}-separated {@link io.synapsews.inbound.SubprotocolHandler} classes, or null. */
    public String subprotocolHandlerClasses() { return parameters.get(SUBPROTOCOL_HANDLERS); }
    /** A Netty handler class, one instance per connection ahead of the WebSocket handling, or null. */
    public String pipelineHandlerClass() { return parameters.get(PIPELINE_HANDLER); }
    public Map<String, String> parameters() { return parameters; }

    /** True when a change from {@code other} to this needs the listener restarted. */
    public boolean listenerDiffers(InboundEndpointConfig other) {
        return other == null || port != other.port || !protocol.equals(other.protocol)
                || !Objects.equals(keyStoreFile, other.keyStoreFile) || !Objects.equals(keyStorePass, other.keyStorePass)
                || !Objects.equals(certPass, other.certPass) || !Objects.equals(trustStoreFile, other.trustStoreFile)
                || !Objects.equals(trustStorePass, other.trustStorePass) || !clientAuth.equals(other.clientAuth)
                || !sslProtocols.equals(other.sslProtocols) || !Objects.equals(cipherSuites, other.cipherSuites)
                || !Objects.equals(pipelineHandlerClass(), other.pipelineHandlerClass())
                || !Objects.equals(subprotocolHandlerClasses(), other.subprotocolHandlerClasses())
                || bossThreads != other.bossThreads
                || workerThreads != other.workerThreads;
    }

    @Override
    public String toString() {
        return "InboundEndpointConfig{file=" + file + ", name=" + name + ", protocol=" + protocol + ", port=" + port
                + ", sequence=" + sequence + ", onError=" + onError + ", suspended=" + suspended
                + ", broadcastLevel=" + broadcastLevel + ", outflowSequence=" + outflowSequence
                + ", outflowFaultSequence=" + outflowFaultSequence + ", maxFrameSize=" + maxFrameSize
                + ", maxMessageSize=" + maxMessageSize + "}";
    }
}
