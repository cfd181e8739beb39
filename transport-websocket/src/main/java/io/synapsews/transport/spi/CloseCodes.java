package io.synapsews.transport.spi;

import java.nio.charset.StandardCharsets;

import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;

/**
 * The close codes a close frame may carry (RFC 6455 7.4), and the one place a close frame we send is
 * made: whatever a sequence, a configuration or a peer asked for, the frame on the wire carries a code
 * that may be sent and a reason of at most 123 UTF-8 bytes. The codes are Netty's
 * {@link WebSocketCloseStatus} values, by the names this project uses.
 */
public final class CloseCodes {

    public static final int NORMAL = WebSocketCloseStatus.NORMAL_CLOSURE.code();
    public static final int GOING_AWAY = WebSocketCloseStatus.ENDPOINT_UNAVAILABLE.code();
    public static final int PROTOCOL_ERROR = WebSocketCloseStatus.PROTOCOL_ERROR.code();
    /** Recorded (never sent) for a close frame without a code. */
    public static final int NO_STATUS = WebSocketCloseStatus.EMPTY.code();
    /** Recorded (never sent) for a connection that ended without a close frame. */
    public static final int ABNORMAL = WebSocketCloseStatus.ABNORMAL_CLOSURE.code();
    public static final int INVALID_PAYLOAD = WebSocketCloseStatus.INVALID_PAYLOAD_DATA.code();
    public static final int POLICY_VIOLATION = WebSocketCloseStatus.POLICY_VIOLATION.code();
    public static final int TOO_BIG = WebSocketCloseStatus.MESSAGE_TOO_BIG.code();
    public static final int INTERNAL_ERROR = WebSocketCloseStatus.INTERNAL_SERVER_ERROR.code();
    public static final int BAD_GATEWAY = WebSocketCloseStatus.BAD_GATEWAY.code();

    /** A close frame's payload is at most 125 bytes, two of them the code. */
    public static final int MAX_REASON_BYTES = 123;

    private CloseCodes() {
    }

    /**
     * Whether an endpoint may send this code: 1000-1003 and 1007-1014 (1004 is reserved, 1005 and 1006
     * must never be sent, 1015 is TLS's), and 3000-4999 for libraries and applications.
     */
    public static boolean sendable(int code) {
        return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
    }

    /**
     * The close frame for {@code code} and {@code reason}: an empty one for a code of 0 or less (no
     * status), 1011 for a code that may not be sent, the reason cut to {@link #MAX_REASON_BYTES} bytes
     * on a character boundary.
     */
    public static CloseWebSocketFrame frame(int code, String reason) {
        if (code <= 0) {
            return new CloseWebSocketFrame();
        }
        return new CloseWebSocketFrame(sendable(code) ? code : INTERNAL_ERROR, reason(reason));
    }

    /** {@code reason} cut to at most {@link #MAX_REASON_BYTES} UTF-8 bytes, never inside a character. */
    public static String reason(String reason) {
        if (reason == null || reason.isEmpty()) {
            return "";
        }
        if (reason.length() * 3 <= MAX_REASON_BYTES || reason.getBytes(StandardCharsets.UTF_8).length <= MAX_REASON_BYTES) {
            return reason;
        }
        int bytes = 0;
        int i = 0;
        while (i < reason.length()) {
            int cp = reason.codePointAt(i);
            int n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            if (bytes + n > MAX_REASON_BYTES) {
                break;
            }
            bytes += n;
            i += Character.charCount(cp);
        }
        return reason.substring(0, i);
    }

    /**
     * The close code a sequence set (a message property): {@code def} when unset, -1 when it is not a
     * number or not a code that may be sent (the caller logs it and closes with 1011).
     */
    public static int fromProperty(Object value, int def) {
        if (value == null) {
            return def;
        }
        try {
            int code = Integer.parseInt(value.toString().trim());
            return sendable(code) ? code : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
