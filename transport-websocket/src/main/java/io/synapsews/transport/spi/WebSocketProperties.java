package io.synapsews.transport.spi;
import java.util.Locale;
import java.util.Set;

/**
 * Names of the message context properties and configuration parameters shared by the transport
 * sender and the inbound endpoints. The public names are the ones administrators already use with
 * the original WSO2 transport and must not change.
 */
public final class WebSocketProperties {

    // message properties, as named by the original transport
    public static final String SOURCE_HANDSHAKE_PRESENT = "websocket.source.handshake.present";
    public static final String TARGET_HANDSHAKE_PRESENT = "websocket.target.handshake.present";
    public static final String TEXT_FRAME_PRESENT = "websocket.text.frame.present";
    public static final String BINARY_FRAME_PRESENT = "websocket.binary.frame.present";
    public static final String PING_FRAME_PRESENT = "websocket.ping.frame.present";
    public static final String PONG_FRAME_PRESENT = "websocket.pong.frame.present";
    public static final String SUBSCRIBER_PATH = "websocket.subscriber.path";
    public static final String SUBPROTOCOL = "websocket.subprotocol";
    public static final String SOURCE_CHANNEL_IDENTIFIER = "websocket.source.channel.identifier";
    public static final String CORRELATION_ID = "websocket.correlation.id";
    public static final String INBOUND_ENDPOINT_NAME = "inbound.endpoint.name";
    public static final String CLOSE_CODE = "websocket.close.code";
    public static final String REASON_TEXT = "websocket.reason.text";
    public static final String CONNECTION_TERMINATE = "connection.terminate";
    public static final String CUSTOM_HEADER_PREFIX = "websocket.custom.header.";
    public static final String ACCEPT_CONTENT_TYPE = "websocket.accept.contentType";
    /** The original transport's spelling; honoured as well. */
    public static final String ACCEPT_CONTENT_TYPE_LEGACY = "websocket.accept.contenType";

    // ours: the label a handshake rejected by a sequence is counted under (axis2 scope, with HTTP_SC)
    public static final String REJECTION_REASON = "websocket.rejection.reason";

    // ours: the client's address (the TCP peer, or from Forwarded / X-Forwarded-For of a trusted proxy)
    public static final String CLIENT_IP = "websocket.client.ip";

    // ours: the size in bytes of the message as it arrived (an Integer)
    public static final String PAYLOAD_LENGTH = "websocket.payload.length";

    // internal: the client connection a message belongs to (axis2 scope, so it survives <send>)
    public static final String SOURCE_CONNECTION = "io.synapsews.source.connection";

    // parameters (axis2.xml transportSender and inbound endpoint)
    public static final String OUTFLOW_DISPATCH_SEQUENCE = "ws.outflow.dispatch.sequence";
    public static final String OUTFLOW_DISPATCH_FAULT_SEQUENCE = "ws.outflow.dispatch.fault.sequence";

    // Synapse and Axis2 names we rely on
    public static final String OUT_ONLY = "OUT_ONLY";
    public static final String HTTP_SC = "HTTP_SC";
    public static final String MESSAGE_TYPE = "messageType";
    public static final String CONTENT_TYPE = "ContentType";

    public static final String TEXT_PLAIN = "text/plain";
    public static final String OCTET_STREAM = "application/octet-stream";

    /**
     * Prefixes of the property names the gateway, its mediators and Synapse itself give meaning to.
     * A handshake header whose name starts with one of them is not copied into a message property,
     * so no client can set a flag a policy reads (it stays in {@code TRANSPORT_HEADERS}).
     */
    private static final String[] RESERVED_PREFIXES = {
        "websocket.", "api.", "inbound.", "io.synapsews.", "ws.", "wss.", "synapse.", "transport.", "connection.",
    };

    /** Synapse and Axis2 control properties without an underscore (those with one are all reserved). */
    private static final Set<String> RESERVED_NAMES = Set.of(
            "response", "messagetype", "contenttype", "preserveprocessedheaders", "clientapinonblocking",
            "transportnonblocking", "disableaddressingforoutmessages", "charsetencoding", "target_address");

    /**
     * Whether a client may not set a message property of this name through a handshake header: names
     * with a reserved prefix ({@code websocket.}, {@code api.}, {@code inbound.}, ...), names with an
     * underscore (Synapse's and Axis2's control properties such as {@code OUT_ONLY}, {@code HTTP_SC},
     * {@code ERROR_MESSAGE}; proxies such as nginx drop such headers by default too) and the few control
     * properties without one. Compared without case: header names are case-insensitive.
     */
    public static boolean isReserved(String name) {
        if (name == null || name.isEmpty() || name.indexOf('_') >= 0) {
            return true;
        }
        String lower = name.toLowerCase(Locale.ROOT);
        for (String prefix : RESERVED_PREFIXES) {
            if (lower.startsWith(prefix)) {
                return true;
            }
        }
        return RESERVED_NAMES.contains(lower);
    }

    private WebSocketProperties() {
    }
}
