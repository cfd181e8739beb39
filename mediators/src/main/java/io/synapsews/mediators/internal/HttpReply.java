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
    /** The answer to write when it is ready (an answer another node gives); null for this one itself. */
    final java.util.concurrent.CompletionStage<HttpReply> later;

    private HttpReply(int status, String contentType, String body) {
        this(status, contentType, body.getBytes(StandardCharsets.UTF_8));
    }

    private HttpReply(int status, String contentType, byte[] body) {
        this.status = status;
        this.contentType = contentType;
        this.body = body;
        this.later = null;
    }

    private HttpReply(java.util.concurrent.CompletionStage<HttpReply> later) {
        this.status = 0;
        this.contentType = null;
        this.body = new byte[0];
        this.later = later;
    }

    /**
     * An answer written when {@code later} completes, so that the server's thread does not wait for it; the
     * route must have copied what it needs of the request (its buffer is released when the route returns).
     */
    public static HttpReply later(java.util.concurrent.CompletionStage<HttpReply> later) {
        return new HttpReply(later);
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

    public byte[] body() {
        return body.clone();
    }

    public int status() {
        return status;
    }

    public HttpReply header(String name, String value) {
        headers.put(name, value);
        return this;
    }
}
