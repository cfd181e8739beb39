package io.synapsews.transport.internal;

import java.io.File;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import javax.net.ssl.TrustManagerFactory;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.synapsews.transport.config.ServerHome;
import io.synapsews.transport.config.ValidityCheckingTrustManager;
import io.synapsews.transport.payload.PayloadCodec;
import io.synapsews.transport.spi.CloseCodes;
import io.synapsews.transport.spi.HandshakeException;
import io.synapsews.transport.spi.SafeText;
import io.synapsews.transport.spi.SourceLeg;
import io.synapsews.transport.spi.TargetLink;
import io.synapsews.transport.spi.WebSocketProperties;
import org.apache.axis2.AxisFault;
import org.apache.axis2.context.AbstractContext;
import org.apache.axis2.context.ConfigurationContext;
import org.apache.axis2.context.MessageContext;
import org.apache.axis2.description.TransportOutDescription;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * The work behind {@code WebsocketTransportSender}: one backend connection per client connection
 * and backend URL, opened by the handshake message and fed by every later message.
 */
public final class TargetSender {

    /** The runtime\'s payload codec (counts what it built, left untouched and relayed). */
    private final PayloadCodec codec = PayloadCodec.shared();

    private static final Log log = LogFactory.getLog(TargetSender.class);

    private final TransportSenderConfig config;
    private final TargetConnector connector;

    public TargetSender(ConfigurationContext cfgCtx, TransportOutDescription out) throws AxisFault {
        this.config = TransportSenderConfig.from(out);
        SslContext ssl = clientTls(cfgCtx, config);
        this.connector = new TargetConnector(config, ssl, new OutflowDispatcher(cfgCtx, config));
    }

    private static final java.util.regex.Pattern URI_VAR = java.util.regex.Pattern.compile("\\{uri\\.var\\.([A-Za-z0-9_.-]+)}");
    /** What a substituted value may contain: a path segment's characters, percent-encoded as it came. */
    private static final java.util.regex.Pattern SEGMENT = java.util.regex.Pattern.compile("[A-Za-z0-9._~%!$&'()*+,;=:@-]+");

    /**
     * An address with {@code {uri.var.x}} placeholders (the management API's topic mappings) gets the
     * value of the message property {@code uri.var.x} (axis2 scope) in each: one path segment, as the
     * client sent it. A missing or unsafe value refuses the send.
     */
    static String expand(String url, MessageContext msgCtx) throws AxisFault {
        if (url.indexOf('{') < 0) {
            return url;
        }
        java.util.regex.Matcher m = URI_VAR.matcher(url);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            Object v = msgCtx.getProperty("uri.var." + m.group(1));
            if (v == null || !SEGMENT.matcher(v.toString()).matches()) {
                throw new AxisFault("backend address " + url + ": " + (v == null ? "no value" : "an unsafe value")
                        + " for {uri.var." + m.group(1) + "}");
            }
            m.appendReplacement(out, java.util.regex.Matcher.quoteReplacement(v.toString()));
        }
        m.appendTail(out);
        return out.toString();
    }

    public void send(MessageContext msgCtx, String url) throws AxisFault {
        Object sourceProp = msgCtx.getProperty(WebSocketProperties.SOURCE_CONNECTION);
        if (!(sourceProp instanceof SourceLeg)) {
            throw new AxisFault("transport sender '" + config.name + "': message to " + url
                    + " did not arrive through a WebSocket inbound endpoint");
        }
        SourceLeg source = (SourceLeg) sourceProp;
        url = expand(url, msgCtx);
        boolean handshake = isTrue(msgCtx.getProperty(WebSocketProperties.SOURCE_HANDSHAKE_PRESENT));
        TargetLink link = source.target(url);
        if (link == null) {
            TargetConnection opened;
            try {
                opened = connector.connect(url, source, subprotocols(msgCtx, source), headers(msgCtx, source),
                        acceptContentType(msgCtx));
            } catch (HandshakeException e) {
                // the client must not be accepted: record the failure where the handshake looks
                source.addTarget(new FailedTarget(url, e));
                throw new AxisFault(e.getMessage(), e);
            }
            source.addTarget(opened);
            if (!handshake) {
                // opened after the client was accepted: let it flow as soon as it is up
                opened.handshake().whenComplete((subprotocol, failure) -> {
                    if (failure == null) {
                        opened.activate();
                    } else {
                        source.closeFromTarget(opened, CloseCodes.BAD_GATEWAY, "backend unavailable");
                    }
                });
            }
            link = opened;
        }
        if (isTrue(msgCtx.getProperty(WebSocketProperties.CONNECTION_TERMINATE))) {
            Object reason = msgCtx.getProperty(WebSocketProperties.REASON_TEXT);
            link.close(closeCode(msgCtx, source), reason == null ? null : reason.toString());
            return;
        }
        if (!handshake) {
            link.send(codec.toFrame(msgCtx));
        }
    }

    public void stop() {
        connector.shutdown();
    }

    private List<String> subprotocols(MessageContext msgCtx, SourceLeg source) {
        Object chosen = msgCtx.getProperty(WebSocketProperties.SUBPROTOCOL);
        if (chosen instanceof String && !((String) chosen).trim().isEmpty()) {
            List<String> list = new ArrayList<>();
            for (String s : Arrays.asList(((String) chosen).split(","))) {
                list.add(s.trim());
            }
            return list;
        }
        return source.requestedSubprotocols();
    }

    private HttpHeaders headers(MessageContext msgCtx, SourceLeg source) {
        HttpHeaders headers = new DefaultHttpHeaders();
        for (String name : config.preservedHeaders) {
            for (Map.Entry<String, String> h : source.handshakeHeaders().entrySet()) {
                if (h.getKey().equalsIgnoreCase(name)) {
                    headers.add(h.getKey(), h.getValue());
                }
            }
        }
        for (String name : propertyNames(msgCtx)) {
            Object value = name.startsWith(config.customHeaderPrefix) ? msgCtx.getProperty(name) : null;
            if (value != null) {
                headers.set(name.substring(config.customHeaderPrefix.length()), value.toString());
            }
        }
        return headers;
    }

    /**
     * Every property name visible through {@link MessageContext#getProperty}: after Synapse's
     * {@code <send>}, properties set in axis2 scope may sit in a parent context, not in the
     * message's own map.
     */
    private static Set<String> propertyNames(MessageContext msgCtx) {
        Set<String> names = new LinkedHashSet<>(msgCtx.getOptions().getProperties().keySet());
        for (AbstractContext c = msgCtx; c != null; c = c.getParent()) {
            for (Iterator<String> it = c.getPropertyNames(); it.hasNext(); ) {
                names.add(it.next());
            }
        }
        return names;
    }

    private static String acceptContentType(MessageContext msgCtx) {
        Object v = msgCtx.getProperty(WebSocketProperties.ACCEPT_CONTENT_TYPE);
        if (v == null) {
            v = msgCtx.getProperty(WebSocketProperties.ACCEPT_CONTENT_TYPE_LEGACY);
        }
        return v == null ? null : v.toString();
    }

    private static int closeCode(MessageContext msgCtx, SourceLeg source) {
        Object v = msgCtx.getProperty(WebSocketProperties.CLOSE_CODE);
        int code = CloseCodes.fromProperty(v, CloseCodes.NORMAL);
        if (code < 0) {
            log.error("[" + source.id() + " " + source.endpointName() + "] the sequence set " + WebSocketProperties.CLOSE_CODE
                    + " to '" + SafeText.forLog(String.valueOf(v)) + "', which is not a close code a frame may carry: closing the"
                    + " backend with 1011");
            return CloseCodes.INTERNAL_ERROR;
        }
        return code;
    }

    private static boolean isTrue(Object v) {
        return v != null && ("true".equalsIgnoreCase(v.toString()));
    }

    private static SslContext clientTls(ConfigurationContext cfgCtx, TransportSenderConfig config) throws AxisFault {
        try {
            SslContextBuilder builder = SslContextBuilder.forClient().protocols("TLSv1.3", "TLSv1.2");
            KeyStore trust = null; // null: the JDK's default trust
            if (config.trustStoreLocation != null) {
                File file = ServerHome.resolve(cfgCtx.getAxisConfiguration().getRepository(), config.trustStoreLocation);
                char[] password = config.trustStorePassword == null ? null : config.trustStorePassword.toCharArray();
                if (!file.isFile() || !file.canRead()) {
                    throw new AxisFault("axis2.xml: transportSender '" + config.name + "' parameter "
                            + TransportSenderConfig.TRUST_STORE_LOCATION + ": " + file + (file.exists() ? " cannot be read" : " does not exist"));
                }
                try {
                    trust = KeyStore.getInstance(file, password);
                } catch (Exception e) {
                    throw new AxisFault("axis2.xml: transportSender '" + config.name + "' parameter "
                            + TransportSenderConfig.TRUST_STORE_PASSWORD + ": cannot open trust store " + file
                            + " (JKS or PKCS12) with this password: " + e.getMessage(), e);
                }
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            builder.trustManager(ValidityCheckingTrustManager.of(tmf));
            return builder.build();
        } catch (AxisFault e) {
            throw e;
        } catch (Exception e) {
            throw new AxisFault("transportSender '" + config.name + "': cannot set up TLS: " + e.getMessage(), e);
        }
    }

}
