package io.synapsews.transport.internal;

import io.synapsews.transport.spi.WebSocketProperties;
import org.apache.axiom.om.OMElement;
import org.apache.axis2.AxisFault;
import org.apache.axis2.description.Parameter;
import org.apache.axis2.description.TransportOutDescription;

import javax.xml.namespace.QName;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

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

    public static final int DEFAULT_MAX_MESSAGE = 16 * 1024 * 1024;

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
    final int pingIntervalMillis;
    final int pongTimeoutMillis;
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
                        || t.startsWith("*.") && backendHost.toLowerCase(java.util.Locale.ROOT).endsWith(t.substring(1).toLowerCase(java.util.Locale.ROOT))) {
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
        outflowSequence = text(out, WebSocketProperties.OUTFLOW_DISPATCH_SEQUENCE, null);
        outflowFaultSequence = text(out, WebSocketProperties.OUTFLOW_DISPATCH_FAULT_SEQUENCE, null);
        Parameter trust = out.getParameter(TRUST_STORE);
        if (trust != null && trust.getParameterElement() != null) {
            OMElement el = trust.getParameterElement();
            trustStoreLocation = child(el, TRUST_STORE_LOCATION);
            trustStorePassword = child(el, TRUST_STORE_PASSWORD);
            if (trustStoreLocation == null) {
                throw fault(TRUST_STORE, "has no " + TRUST_STORE_LOCATION);
            }
        } else {
            trustStoreLocation = null;
            trustStorePassword = null;
        }
        hostnameVerification = bool(out, HOSTNAME_VERIFICATION, true);
        maxFrameLength = positive(out, MAX_FRAME_LENGTH, DEFAULT_MAX_MESSAGE);
        maxMessageLength = positive(out, MAX_MESSAGE_LENGTH, Math.max(DEFAULT_MAX_MESSAGE, maxFrameLength));
        maxInitLength = positive(out, MAX_INIT_LENGTH, 4096);
        maxHeaderSize = positive(out, MAX_HEADER_SIZE, 8192);
        maxChunkSize = positive(out, MAX_CHUNK_SIZE, 8192);
        maxAggregateLength = positive(out, MAX_AGGREGATE_LENGTH, 8192);
        eventLoopThreads = positive(out, EVENT_LOOP_SIZE, 2 * Runtime.getRuntime().availableProcessors());
        customHeaderPrefix = text(out, CUSTOM_HEADER, WebSocketProperties.CUSTOM_HEADER_PREFIX);
        String preserve = text(out, HEADERS_PRESERVE, null);
        preservedHeaders = preserve == null ? Collections.emptyList() : split(preserve);
        connectTimeoutMillis = positive(out, CONNECT_TIMEOUT, 10_000);
        handshakeTimeoutMillis = positive(out, HANDSHAKE_TIMEOUT, 10_000);
        pingIntervalMillis = nonNegative(out, PING_INTERVAL, 0);
        pongTimeoutMillis = positive(out, PONG_TIMEOUT, 10_000);
        proxyProfiles = proxyProfiles(out);
    }

    private static List<ProxyProfile> proxyProfiles(TransportOutDescription out) throws AxisFault {
        Parameter p = out.getParameter(PROXY_PROFILES);
        if (p == null || p.getParameterElement() == null) {
            return Collections.emptyList();
        }
        List<ProxyProfile> profiles = new ArrayList<>();
        java.util.Iterator<?> it = p.getParameterElement().getChildrenWithLocalName("profile");
        while (it.hasNext()) {
            OMElement profile = (OMElement) it.next();
            String targets = child(profile, "targetHosts");
            String host = child(profile, "proxyHost");
            String port = child(profile, "proxyPort");
            if (targets == null || host == null || port == null) {
                throw fault(PROXY_PROFILES, "has a profile without targetHosts, proxyHost or proxyPort");
            }
            int portNumber;
            try {
                portNumber = Integer.parseInt(port);
            } catch (NumberFormatException e) {
                throw fault(PROXY_PROFILES, "has a proxyPort that is not a number: '" + port + "'");
            }
            profiles.add(new ProxyProfile(split(targets), host, portNumber, child(profile, "proxyUserName"),
                    child(profile, "proxyPassword")));
        }
        if (profiles.isEmpty()) {
            throw fault(PROXY_PROFILES, "has no profile element");
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

    private static String text(TransportOutDescription out, String name, String def) {
        Parameter p = out.getParameter(name);
        if (p == null || p.getValue() == null) {
            return def;
        }
        String v = p.getValue().toString().trim();
        return v.isEmpty() ? def : v;
    }

    private static boolean bool(TransportOutDescription out, String name, boolean def) throws AxisFault {
        String v = text(out, name, null);
        if (v == null) {
            return def;
        }
        if (!"true".equalsIgnoreCase(v) && !"false".equalsIgnoreCase(v)) {
            throw fault(name, "must be true or false, was '" + v + "'");
        }
        return Boolean.parseBoolean(v);
    }

    private static int positive(TransportOutDescription out, String name, int def) throws AxisFault {
        return atLeast(out, name, def, 1, "strictly positive");
    }

    private static int nonNegative(TransportOutDescription out, String name, int def) throws AxisFault {
        return atLeast(out, name, def, 0, "0 or more");
    }

    private static int atLeast(TransportOutDescription out, String name, int def, int min, String what) throws AxisFault {
        String v = text(out, name, null);
        if (v == null) {
            return def;
        }
        try {
            int n = Integer.parseInt(v);
            if (n < min) {
                throw fault(name, "must be " + what + ", was " + n);
            }
            return n;
        } catch (NumberFormatException e) {
            throw fault(name, "must be a whole number, was '" + v + "'");
        }
    }

    private static AxisFault fault(String parameter, String problem) {
        return new AxisFault("axis2.xml: transportSender parameter '" + parameter + "' " + problem);
    }

    @Override
    public String toString() {
        return "TransportSenderConfig{name=" + name + ", outflowSequence=" + outflowSequence
                + ", outflowFaultSequence=" + outflowFaultSequence + ", trustStore=" + trustStoreLocation
                + ", hostnameVerification=" + hostnameVerification + ", maxFrameLength=" + maxFrameLength
                + ", maxMessageLength=" + maxMessageLength + ", eventLoopThreads=" + eventLoopThreads
                + ", customHeaderPrefix=" + customHeaderPrefix + ", preservedHeaders=" + preservedHeaders
                + ", connectTimeoutMillis=" + connectTimeoutMillis + ", handshakeTimeoutMillis="
                + handshakeTimeoutMillis + ", pingIntervalMillis=" + pingIntervalMillis + ", pongTimeoutMillis="
                + pongTimeoutMillis + "}";
    }
}
