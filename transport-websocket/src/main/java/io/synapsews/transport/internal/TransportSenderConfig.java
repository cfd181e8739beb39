package io.synapsews.transport.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

import javax.xml.namespace.QName;

import io.synapsews.transport.config.ParameterException;
import io.synapsews.transport.config.Parameters;
import io.synapsews.transport.netty.LivenessSettings;
import io.synapsews.transport.spi.WebSocketProperties;
import org.apache.axiom.om.OMElement;
import org.apache.axis2.AxisFault;
import org.apache.axis2.description.Parameter;
import org.apache.axis2.description.TransportOutDescription;

/**
 * The transport sender's settings, read once from its {@code transportSender} block in
 * {@code axis2.xml} and validated there; immutable afterwards.
 */
public final class TransportSenderConfig {

    public static final String TRUST_STORE = "ws.trust.store";
    public static final String TRUST_STORE_LOCATION = "ws.trust.store.location";
    public static final String TRUST_STORE_PASSWORD = "ws.trust.store.Password";
    public static final String HOSTNAME_VERIFICATION = "ws.client.enable.hostname.verification";
    public static final String MAX_FRAME_LENGTH = "wsMaxFrameLength";
    public static final String MAX_MESSAGE_LENGTH = "wsMaxMessageLength";
    public static final String MAX_INIT_LENGTH = "wsMaxHttpCodecInitLength";
    public static final String MAX_HEADER_SIZE = "wsMaxHttpCodecHeaderSize";
    public static final String MAX_CHUNK_SIZE = "wsMaxHttpCodecChunkSize";
    public static final String MAX_AGGREGATE_LENGTH = "wsMaxHttpAggregateContentLength";
    public static final String EVENT_LOOP_SIZE = "wsSharedEventLoopPoolSize";
    public static final String CUSTOM_HEADER = "ws.custom.header";
    public static final String HEADERS_PRESERVE = "ws.headers.preserve";
    public static final String CONNECT_TIMEOUT = "ws.target.connect.timeout.ms";
    public static final String HANDSHAKE_TIMEOUT = "ws.target.handshake.timeout.ms";
    public static final String PING_INTERVAL = "ws.target.ping.interval.ms";
    public static final String PONG_TIMEOUT = "ws.target.pong.timeout.ms";
    public static final String PROXY_PROFILES = "ws.proxyProfiles";

    final String name;
    final String outflowSequence;
    final String outflowFaultSequence;
    final String trustStoreLocation;
    final String trustStorePassword;
    final boolean hostnameVerification;
    final int maxFrameLength;
    final int maxMessageLength;
    final int maxInitLength;
    final int maxHeaderSize;
    final int maxChunkSize;
    final int maxAggregateLength;
    final int eventLoopThreads;
    final String customHeaderPrefix;
    final List<String> preservedHeaders;
    final int connectTimeoutMillis;
    final int handshakeTimeoutMillis;
    /** Pings to the backend: {@code ws.target.ping.interval.ms} (0, off) and {@code ws.target.pong.timeout.ms} (10 s). */
    final LivenessSettings liveness;
    final List<ProxyProfile> proxyProfiles;

    /** One {@code profile} of {@code ws.proxyProfiles}: backend hosts reached through an HTTP CONNECT proxy. */
    static final class ProxyProfile {
        final List<String> targetHosts;
        final String host;
        final int port;
        final String user;
        final String password;

        ProxyProfile(List<String> targetHosts, String host, int port, String user, String password) {
            this.targetHosts = targetHosts;
            this.host = host;
            this.port = port;
            this.user = user;
            this.password = password;
        }

        /** {@code *} is every host, {@code *.example.com} every host under it, anything else one host. */
        boolean covers(String backendHost) {
            for (String t : targetHosts) {
                if ("*".equals(t) || t.equalsIgnoreCase(backendHost)
                        || t.startsWith("*.") && backendHost.toLowerCase(Locale.ROOT).endsWith(t.substring(1).toLowerCase(Locale.ROOT))) {
                    return true;
                }
            }
            return false;
        }
    }

    /** The proxy profile whose target hosts cover {@code backendHost}, or null to connect directly. */
    ProxyProfile proxyFor(String backendHost) {
        for (ProxyProfile p : proxyProfiles) {
            if (p.covers(backendHost)) {
                return p;
            }
        }
        return null;
    }

    private TransportSenderConfig(TransportOutDescription out) throws AxisFault {
        name = out.getName();
        Parameters params = new Parameters(p -> {
            Parameter parameter = out.getParameter(p);
            return parameter == null || parameter.getValue() == null ? null : parameter.getValue().toString();
        }, p -> "axis2.xml: transportSender " + out.getName() + " parameter '" + p + "'");
        try {
            outflowSequence = params.text(WebSocketProperties.OUTFLOW_DISPATCH_SEQUENCE, null);
            outflowFaultSequence = params.text(WebSocketProperties.OUTFLOW_DISPATCH_FAULT_SEQUENCE, null);
            Parameter trust = out.getParameter(TRUST_STORE);
            if (trust != null && trust.getParameterElement() != null) {
                OMElement el = trust.getParameterElement();
                trustStoreLocation = child(el, TRUST_STORE_LOCATION);
                trustStorePassword = child(el, TRUST_STORE_PASSWORD);
                if (trustStoreLocation == null) {
                    throw params.problem(TRUST_STORE, "has no " + TRUST_STORE_LOCATION);
                }
            } else {
                trustStoreLocation = null;
                trustStorePassword = null;
            }
            hostnameVerification = params.bool(HOSTNAME_VERIFICATION, true);
            maxFrameLength = positive(params, MAX_FRAME_LENGTH, Parameters.DEFAULT_MAX_MESSAGE);
            maxMessageLength = positive(params, MAX_MESSAGE_LENGTH, Math.max(Parameters.DEFAULT_MAX_MESSAGE, maxFrameLength));
            maxInitLength = positive(params, MAX_INIT_LENGTH, 4096);
            maxHeaderSize = positive(params, MAX_HEADER_SIZE, 8192);
            maxChunkSize = positive(params, MAX_CHUNK_SIZE, 8192);
            maxAggregateLength = positive(params, MAX_AGGREGATE_LENGTH, 8192);
            eventLoopThreads = positive(params, EVENT_LOOP_SIZE, 2 * Runtime.getRuntime().availableProcessors());
            customHeaderPrefix = params.text(CUSTOM_HEADER, WebSocketProperties.CUSTOM_HEADER_PREFIX);
            preservedHeaders = params.list(HEADERS_PRESERVE, Collections.emptyList());
            connectTimeoutMillis = positive(params, CONNECT_TIMEOUT, 10_000);
            handshakeTimeoutMillis = positive(params, HANDSHAKE_TIMEOUT, 10_000);
            liveness = LivenessSettings.OFF
                    .pingEvery(params.millis(PING_INTERVAL, Duration.ZERO, Duration.ZERO, MAX_MILLIS))
                    .pongWithin(params.millis(PONG_TIMEOUT, LivenessSettings.OFF.pongTimeout(), Duration.ofMillis(1), MAX_MILLIS));
            proxyProfiles = proxyProfiles(out, params);
        } catch (ParameterException e) {
            throw new AxisFault(e.getMessage());
        }
    }

    private static final Duration MAX_MILLIS = Duration.ofMillis(Integer.MAX_VALUE);

    private static int positive(Parameters params, String name, int def) throws ParameterException {
        return params.integer(name, def, 1, Integer.MAX_VALUE);
    }

    private static List<ProxyProfile> proxyProfiles(TransportOutDescription out, Parameters params) throws ParameterException {
        Parameter p = out.getParameter(PROXY_PROFILES);
        if (p == null || p.getParameterElement() == null) {
            return Collections.emptyList();
        }
        List<ProxyProfile> profiles = new ArrayList<>();
        Iterator<?> it = p.getParameterElement().getChildrenWithLocalName("profile");
        while (it.hasNext()) {
            OMElement profile = (OMElement) it.next();
            String targets = child(profile, "targetHosts");
            String host = child(profile, "proxyHost");
            String port = child(profile, "proxyPort");
            if (targets == null || host == null || port == null) {
                throw params.problem(PROXY_PROFILES, "has a profile without targetHosts, proxyHost or proxyPort");
            }
            int portNumber;
            try {
                portNumber = Integer.parseInt(port);
            } catch (NumberFormatException e) {
                throw params.problem(PROXY_PROFILES, "has a proxyPort that is not a number: '" + port + "'");
            }
            profiles.add(new ProxyProfile(split(targets), host, portNumber, child(profile, "proxyUserName"),
                    child(profile, "proxyPassword")));
        }
        if (profiles.isEmpty()) {
            throw params.problem(PROXY_PROFILES, "has no profile element");
        }
        return Collections.unmodifiableList(profiles);
    }

    public static TransportSenderConfig from(TransportOutDescription out) throws AxisFault {
        return new TransportSenderConfig(out);
    }

    private static List<String> split(String csv) {
        List<String> out = new ArrayList<>();
        for (String s : Arrays.asList(csv.split(","))) {
            if (!s.trim().isEmpty()) {
                out.add(s.trim());
            }
        }
        return Collections.unmodifiableList(out);
    }

    private static String child(OMElement parent, String name) {
        OMElement c = parent.getFirstChildWithName(new QName(name));
        return c == null ? null : c.getText().trim();
    }

    @Override
    public String toString() {
        return "TransportSenderConfig{name=" + name + ", outflowSequence=" + outflowSequence
                + ", outflowFaultSequence=" + outflowFaultSequence + ", trustStore=" + trustStoreLocation
                + ", hostnameVerification=" + hostnameVerification + ", maxFrameLength=" + maxFrameLength
                + ", maxMessageLength=" + maxMessageLength + ", eventLoopThreads=" + eventLoopThreads
                + ", customHeaderPrefix=" + customHeaderPrefix + ", preservedHeaders=" + preservedHeaders
                + ", connectTimeoutMillis=" + connectTimeoutMillis + ", handshakeTimeoutMillis="
                + handshakeTimeoutMillis + ", liveness=" + liveness + "}";
    }
}
