package io.synapsews.inbound.internal;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.concurrent.ScheduledFuture;
import io.netty.handler.codec.http.websocketx.Utf8FrameValidator;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import io.synapsews.transport.common.ConnectionListeners;
import io.synapsews.transport.common.HandshakeException;
import io.synapsews.transport.common.LivenessHandler;
import io.synapsews.transport.common.TargetLink;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

/**
 * Validates the upgrade request, has it mediated, waits for the backend legs the sequence opened,
 * and only then answers the client: 101 with the backend's subprotocol, or an HTTP error.
 */
final class SourceHandshakeHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private static final Log log = LogFactory.getLog(SourceHandshakeHandler.class);

    private final InboundEndpoint endpoint;
    private InboundSourceConnection connection;
    private ScheduledFuture<?> timeout;

    SourceHandshakeHandler(InboundEndpoint endpoint) {
        this.endpoint = endpoint;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        int open = endpoint.channelOpened();
        ctx.channel().closeFuture().addListener(f -> endpoint.channelClosed());
        int limit = endpoint.config().handshakeTimeoutMillis();
        if (limit > 0) {
            // a client that dribbles its request (one header byte a second) is cut off
            timeout = ctx.executor().schedule(() -> {
                if (connection == null && ctx.channel().isActive()) {
                    log.warn("[" + ctx.channel().id().asShortText() + " " + endpoint.config().name() + "] no complete upgrade request from "
                            + ctx.channel().remoteAddress() + " within " + limit + " ms, answering 408");
                    reply(ctx, HttpResponseStatus.REQUEST_TIMEOUT, "the upgrade request took too long");
                }
            }, limit, TimeUnit.MILLISECONDS);
        }
        if (endpoint.config().maxConnections() > 0 && open > endpoint.config().maxConnections()) {
            log.warn("[" + ctx.channel().id().asShortText() + " " + endpoint.config().name() + "] " + open
                    + " connections is over ws.max.connections=" + endpoint.config().maxConnections() + ": 503 on its handshake");
        }
        ctx.fireChannelActive();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        if (connection != null) {
            return; // a second request while the first is mediated: ignore, reading is paused anyway
        }
        if (timeout != null) {
            timeout.cancel(false);
        }
        int max = endpoint.config().maxConnections();
        if (max > 0 && endpoint.channelCount() > max) {
            FullHttpResponse r = response(HttpResponseStatus.SERVICE_UNAVAILABLE, "too many connections on this endpoint");
            r.headers().set(HttpHeaderNames.RETRY_AFTER, "5");
            send(ctx, r);
            return;
        }
        String problem = validate(ctx, req);
        if (problem != null) {
            return;
        }
        Map<String, String> headers = new LinkedHashMap<>();
        for (Map.Entry<String, String> h : req.headers()) {
            headers.merge(h.getKey(), h.getValue(), (a, b) -> a + ", " + b);
        }
        List<String> subprotocols = new ArrayList<>();
        String offered = req.headers().get(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL);
        if (offered != null) {
            for (String s : offered.split(",")) {
                if (!s.trim().isEmpty()) {
                    subprotocols.add(s.trim());
                }
            }
        }
        // the handshaker needs the request later; keep the headers only, not the buffer
        FullHttpRequest request = new DefaultFullHttpRequest(req.protocolVersion(), req.method(), req.uri(),
                Unpooled.EMPTY_BUFFER, req.headers().copy(), req.trailingHeaders().copy());
        Channel ch = ctx.channel();
        InboundSourceConnection conn = new InboundSourceConnection(endpoint, ch, req.uri(), headers, subprotocols,
                endpoint.runtime().mediationPool());
        java.util.Map.Entry<String, io.synapsews.inbound.SubprotocolHandler> handled = endpoint.handledSubprotocol(subprotocols);
        if (handled != null) {
            // ws.subprotocol.handler.class: the gateway speaks this one itself; the backend is not offered it
            conn.speak(handled.getKey(), handled.getValue().contentType(handled.getKey()));
            conn.hideSubprotocol(handled.getKey());
        }
        connection = conn;
        endpoint.added(conn);
        ch.config().setAutoRead(false);
        conn.inboundExecutor().execute(() -> {
            SourceDispatcher.mediateHandshake(conn);
            outcome(conn).whenComplete((subprotocol, failure) ->
                    ch.eventLoop().execute(() -> answer(ctx, conn, request, subprotocol, failure)));
        });
    }

    private static CompletableFuture<String> outcome(InboundSourceConnection conn) {
        if (conn.rejection() != null) {
            return CompletableFuture.completedFuture(null);
        }
        List<TargetLink> targets = conn.targets();
        if (targets.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<?>[] all = new CompletableFuture<?>[targets.size()];
        for (int i = 0; i < all.length; i++) {
            all[i] = targets.get(i).handshake();
        }
        return CompletableFuture.allOf(all).thenApply(v -> targets.get(0).handshake().join());
    }

    private void answer(ChannelHandlerContext ctx, InboundSourceConnection conn, FullHttpRequest request,
                        String subprotocol, Throwable failure) {
        Channel ch = ctx.channel();
        if (!ch.isActive() || conn.state() != InboundSourceConnection.State.HANDSHAKING) {
            for (TargetLink t : conn.targets()) {
                t.close(1001, "client gone");
            }
            return;
        }
        HandshakeRejection rejection = conn.rejection();
        if (rejection == null && failure != null) {
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
            int status = cause instanceof HandshakeException ? ((HandshakeException) cause).status() : 502;
            log.warn(conn.logTag() + " handshake for " + conn.path() + " failed with " + status + ": " + cause.getMessage());
            rejection = new HandshakeRejection(status, cause.getMessage());
        }
        if (rejection != null) {
            for (TargetLink t : conn.targets()) {
                t.close(1001, "handshake failed");
            }
            FullHttpResponse r = response(HttpResponseStatus.valueOf(rejection.status), rejection.body);
            for (Map.Entry<String, String> h : rejection.headers.entrySet()) {
                r.headers().set(h.getKey(), h.getValue());
            }
            send(ctx, r);
            ConnectionListeners.rejected(conn, rejection.status, rejection.reason);
            return;
        }
        InboundEndpointConfig config = endpoint.config();
        WebSocketDecoderConfig decoderConfig = WebSocketDecoderConfig.newBuilder()
                .maxFramePayloadLength(config.maxFrameSize())
                .expectMaskedFrames(true)
                .allowMaskMismatch(false)
                .allowExtensions(false)
                .closeOnProtocolViolation(false) // SourceFrameHandler sends the close
                .withUTF8Validator(true)
                .build();
        String location = (config.isSecure() ? "wss://" : "ws://") + request.headers().get(HttpHeaderNames.HOST) + request.uri();
        String answered = conn.spokenSubprotocol() != null ? conn.spokenSubprotocol() : subprotocol;
        WebSocketServerHandshaker handshaker = new WebSocketServerHandshakerFactory(location, answered, decoderConfig)
                .newHandshaker(request);
        // the handshaker installs the frame decoder only; text must be valid UTF-8 (RFC 6455 8.1): close 1007
        ctx.pipeline().addAfter(ctx.name(), "ws-utf8", new Utf8FrameValidator(false));
        ctx.pipeline().addAfter("ws-utf8", "ws-aggregator", new WebSocketFrameAggregator(config.maxMessageSize()));
        ctx.pipeline().addAfter("ws-aggregator", "ws-frames", new SourceFrameHandler(conn));
        if (LivenessHandler.needed(config.pingIntervalMillis(), config.idleTimeoutMillis(), config.readerIdleMillis(),
                config.writerIdleMillis())) {
            // before the aggregator, so that every frame (pongs and fragments too) counts as a sign of life
            ctx.pipeline().addAfter(ctx.name(), "ws-liveness", new LivenessHandler(liveness(conn),
                    config.pingIntervalMillis(), config.pongTimeoutMillis(), config.idleTimeoutMillis(),
                    config.readerIdleMillis(), config.writerIdleMillis()));
        }
        handshaker.handshake(ch, request).addListener(f -> {
            if (f.isSuccess()) {
                conn.opened();
                if (config.maxLifetimeMillis() > 0) {
                    conn.closeAt(System.currentTimeMillis() + config.maxLifetimeMillis(), 1001, "maximum connection lifetime");
                }
            } else {
                ch.close();
            }
        });
        ctx.pipeline().remove(this);
        ch.config().setAutoRead(true);
    }

    /** What the client leg's liveness checks close: the client, with 1001, and its backend legs with it. */
    private static LivenessHandler.Owner liveness(InboundSourceConnection conn) {
        return new LivenessHandler.Owner() {
            @Override public boolean isOpen() { return conn.state() == InboundSourceConnection.State.OPEN; }
            @Override public String logTag() { return conn.logTag(); }
            @Override public void noPong() { conn.close(1001, "no pong"); }
            @Override public void idle() { conn.close(1001, "idle timeout"); }
        };
    }

    /** Returns null when the request is a valid WebSocket upgrade, else answers it and returns why. */
    private String validate(ChannelHandlerContext ctx, FullHttpRequest req) {
        if (!req.decoderResult().isSuccess()) {
            Throwable cause = req.decoderResult().cause();
            if (cause instanceof TooLongHttpLineException) {
                return reply(ctx, HttpResponseStatus.REQUEST_URI_TOO_LONG, "request line over "
                        + endpoint.config().maxRequestLine() + " bytes");
            }
            if (cause instanceof TooLongHttpHeaderException) {
                return reply(ctx, HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "handshake headers over "
                        + endpoint.config().maxHandshakeHeaderSize() + " bytes");
            }
            return reply(ctx, HttpResponseStatus.BAD_REQUEST, "malformed HTTP request");
        }
        if (!HttpVersion.HTTP_1_1.equals(req.protocolVersion())) {
            return reply(ctx, HttpResponseStatus.BAD_REQUEST, "a WebSocket handshake needs HTTP/1.1");
        }
        if (!HttpMethod.GET.equals(req.method())) {
            FullHttpResponse r = response(HttpResponseStatus.METHOD_NOT_ALLOWED, "a WebSocket handshake must use GET");
            r.headers().set(HttpHeaderNames.ALLOW, "GET");
            return send(ctx, r);
        }
        if (!req.headers().containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)) {
            FullHttpResponse r = response(HttpResponseStatus.UPGRADE_REQUIRED, "this endpoint only speaks WebSocket");
            r.headers().set(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET);
            r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
            return send(ctx, r);
        }
        if (!req.headers().containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true)) {
            return reply(ctx, HttpResponseStatus.BAD_REQUEST, "missing Connection: Upgrade");
        }
        if (!"13".equals(req.headers().get(HttpHeaderNames.SEC_WEBSOCKET_VERSION))) {
            FullHttpResponse r = response(HttpResponseStatus.UPGRADE_REQUIRED, "unsupported WebSocket version");
            r.headers().set(HttpHeaderNames.SEC_WEBSOCKET_VERSION, "13");
            return send(ctx, r);
        }
        java.util.List<String> keys = req.headers().getAll(HttpHeaderNames.SEC_WEBSOCKET_KEY);
        if (keys.isEmpty() || keys.get(0).trim().isEmpty()) {
            return reply(ctx, HttpResponseStatus.BAD_REQUEST, "missing Sec-WebSocket-Key");
        }
        if (keys.size() > 1) {
            return reply(ctx, HttpResponseStatus.BAD_REQUEST, "more than one Sec-WebSocket-Key");
        }
        if (!validKey(keys.get(0).trim())) {
            return reply(ctx, HttpResponseStatus.BAD_REQUEST, "Sec-WebSocket-Key is not 16 bytes in base64");
        }
        if (req.headers().getAll(HttpHeaderNames.HOST).size() > 1) {
            return reply(ctx, HttpResponseStatus.BAD_REQUEST, "more than one Host header");
        }
        return null;
    }

    /** RFC 6455 4.2.1: the key is a base64-encoded 16-byte value. */
    private static boolean validKey(String key) {
        try {
            return java.util.Base64.getDecoder().decode(key).length == 16;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static String reply(ChannelHandlerContext ctx, HttpResponseStatus status, String body) {
        return send(ctx, response(status, body));
    }

    private static FullHttpResponse response(HttpResponseStatus status, String body) {
        byte[] bytes = ((body == null || body.isEmpty() ? status.reasonPhrase() : body) + "\n").getBytes(StandardCharsets.UTF_8);
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(bytes));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=UTF-8");
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
        r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        return r;
    }

    private static String send(ChannelHandlerContext ctx, FullHttpResponse r) {
        ctx.channel().config().setAutoRead(false);
        ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
        return r.status().toString();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (timeout != null) {
            timeout.cancel(false);
        }
        if (connection != null) {
            connection.closed();
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("handshake connection " + ctx.channel() + " failed", cause);
        ctx.close();
    }
}
