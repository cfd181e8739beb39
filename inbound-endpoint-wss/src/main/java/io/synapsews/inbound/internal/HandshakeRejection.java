package io.synapsews.inbound.internal;

import java.util.Collections;
import java.util.Map;

/** The HTTP answer to a client handshake that is not accepted. */
final class HandshakeRejection {

    final int status;
    final String body;
    final Map<String, String> headers;
    /** The label analytics count the rejection under. */
    final String reason;

    HandshakeRejection(int status, String body) {
        this(status, Collections.emptyMap(), body, null);
    }

    HandshakeRejection(int status, Map<String, String> headers, String body, String reason) {
        this.status = status;
        this.body = body == null ? "" : body;
        this.headers = headers == null ? Collections.emptyMap() : headers;
        this.reason = reason != null ? reason : defaultReason(status);
    }

    static String defaultReason(int status) {
        switch (status) {
            case 401: return "unauthorized";
            case 403: return "forbidden";
            case 404: return "not_found";
            case 429: return "throttled";
            case 502: return "backend_unavailable";
            case 504: return "backend_timeout";
            default: return "status_" + status;
        }
    }
}
