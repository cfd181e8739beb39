package io.synapsews.mediators.internal;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** An HTTP answer of the gateway's own small HTTP endpoints (token, JWKS, metrics, health). */
public final class HttpReply {

    final int status;
    final String contentType;
    final byte[] body;
    final Map<String, String> headers = new LinkedHashMap<>();

    private HttpReply(int status, String contentType, String body) {
        this(status, contentType, body.getBytes(StandardCharsets.UTF_8));
    }

    private HttpReply(int status, String contentType, byte[] body) {
        this.status = status;
        this.contentType = contentType;
        this.body = body;
    }

    /** An answer of any content type (the console's pages, scripts and images). */
    public static HttpReply bytes(int status, String contentType, byte[] body) {
        return new HttpReply(status, contentType, body);
    }

    public static HttpReply json(int status, String json) {
        return new HttpReply(status, "application/json", json);
    }

    public static HttpReply text(int status, String text) {
        return new HttpReply(status, "text/plain; charset=UTF-8", text);
    }

    public int status() {
        return status;
    }

    public HttpReply header(String name, String value) {
        headers.put(name, value);
        return this;
    }
}
