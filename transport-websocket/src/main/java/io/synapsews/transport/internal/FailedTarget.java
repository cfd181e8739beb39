package io.synapsews.transport.internal;

import java.util.concurrent.CompletableFuture;

import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.synapsews.transport.spi.HandshakeException;
import io.synapsews.transport.spi.TargetLink;

/** A backend leg that could not even be attempted (for example a malformed URL). */
final class FailedTarget implements TargetLink {

    private final String url;
    private final CompletableFuture<String> handshake = new CompletableFuture<>();

    FailedTarget(String url, HandshakeException cause) {
        this.url = url;
        handshake.completeExceptionally(cause);
    }

    @Override public String url() { return url; }
    @Override public CompletableFuture<String> handshake() { return handshake; }
    @Override public void send(WebSocketFrame frame) { frame.release(); }
    @Override public void activate() { }
    @Override public void close(int code, String reason) { }
    @Override public boolean isWritable() { return true; }
    @Override public void sourceWritabilityChanged() { }
}
