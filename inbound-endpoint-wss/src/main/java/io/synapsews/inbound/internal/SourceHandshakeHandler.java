package io.synapsews.inbound.internal;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import io.netty.util.concurrent.ScheduledFuture;
import io.synapsews.inbound.SubprotocolHandler;
import io.synapsews.transport.mediation.Mediation;
import io.synapsews.transport.netty.LivenessHandler;
import io.synapsews.transport.netty.Utf8Validation;
import io.synapsews.transport.spi.CloseCodes;
import io.synapsews.transport.spi.ConnectionListeners;
import io.synapsews.transport.spi.HandshakeException;
import io.synapsews.transport.spi.SafeText;
import io.synapsews.transport.spi.TargetLink;
import io.synapsews.transport.spi.WebSocketProperties;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * Validates the upgrade request, has it mediated, waits for the backend legs the sequence opened,
 * and only then answers the client: 101 with the backend's subprotocol, or an HTTP error.
 */
final class SourceHandshakeHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private static final Log log = LogFactory.getLog(SourceHandshakeHandler.class);

    private final InboundEndpoint endpoint;
    private InboundSourceConnection connection;
    private ScheduledFuture<?> timeout;
    /** The client has been answered (101 or an error) or is being closed; event loop only. */
    private boolean answered;

    SourceHandshakeHandler(InboundEndpoint endpoint) {
        this.endpoint = endpoint;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        int open = endpoint.channelOpened();
        ctx.channel().closeFuture().addListener(f -> endpoint.channelClosed());
        int limit = endpoint.config().handshakeTimeoutMillis();
        if (limit > 0) {
            // armed until the answer is on the wire: a client that dribbles its request (one header byte a
            // second) gets 408, a handshake whose mediation or backend does not finish in time 504
            timeout = ctx.executor().schedule(() -> timedOut(ctx, limit), limit, TimeUnit.MILLISECONDS);
        }
        if (endpoint.config().maxConnections() > 0 && open > endpoint.config().maxConnections()) {
            log.warn("[" + ctx.channel().id().asShortText() + " " + endpoint.config().name() + "] " + open
                    + " connections is over ws.max.connections=" + endpoint.config().maxConnections() + ": 503 on its handshake");
        }
        ctx.fireChannelActive();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        if (connection != null || answered) {
            return; // a second request while the first is mediated: ignore, reading is paused anyway
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
        Map.Entry<String, SubprotocolHandler> handled = endpoint.handledSubprotocol(subprotocols);
        if (handled != null) {
            // ws.subprotocol.handler.class: the gateway speaks this one itself; the backend is not offered it
            conn.speak(handled.getKey(), handled.getValue().contentType(handled.getKey()));
            conn.hideSubprotocol(handled.getKey());
        }
        connection = conn;
        endpoint.added(conn);
        ch.config().setAutoRead(false);
        HandshakeRejection refused = guard(conn, req);
        if (refused != null) {
            // refused before any mediation: no sequence runs, no backend is opened
            conn.reject(refused);
            answer(ctx, conn, request, null, null);
            return;
        }
        ConnectionListeners.handshaking(conn); // e.g. the gateway gives it its cluster-wide id
        // the handshake pool, not the connection's serial executor: no message can arrive before the 101
        endpoint.runtime().handshakePool().execute(() -> {
            if (conn.isAbandoned() || !ch.isActive()) {
                return; // answered (504) or gone while it queued: nothing to mediate
            }
            SourceDispatcher.mediateHandshake(conn);
            outcome(conn).whenComplete((subprotocol, failure) ->
                    ch.eventLoop().execute(() -> answer(ctx, conn, request, subprotocol, failure)));
        });
    }

    /**
     * The endpoint's own guards: the client's address (allow and deny lists) and, for browser pages, its
     * origin (cross-site WebSocket hijacking). Records the client address on the connection.
     */
    private HandshakeRejection guard(InboundSourceConnection conn, FullHttpRequest req) {
        InboundEndpointConfig config = endpoint.config();
        SocketAddress remote = conn.channel().remoteAddress();
        String peer = remote instanceof InetSocketAddress
                ? ((InetSocketAddress) remote).getAddress().getHostAddress() : String.valueOf(remote);
        String client = ClientAddress.resolve(peer, req.headers(), config.trustedProxies());
        conn.attributes().put(WebSocketProperties.CLIENT_IP, client);
        if (config.clientIpDeny().contains(client) || (!config.clientIpAllow().isEmpty() && !config.clientIpAllow().contains(client))) {
            log.warn(conn.logTag() + " client address " + client + " is not allowed (" + InboundEndpointConfig.CLIENT_IP_ALLOW
                    + " / " + InboundEndpointConfig.CLIENT_IP_DENY + "): 403");
            return new HandshakeRejection(403, null, "this address may not connect", "address_not_allowed");
        }
        String origin = req.headers().get(HttpHeaderNames.ORIGIN);
        if (!config.allowedOrigins().allows(origin)) {
            log.warn(conn.logTag() + " origin " + SafeText.forLog(origin) + " is not in " + InboundEndpointConfig.ALLOWED_ORIGINS + ": 403");
            return new HandshakeRejection(403, null, "this origin may not connect", "origin_not_allowed");
        }
        return null;
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

    /**
     * Answers the client, once; on the event loop. Whatever goes wrong while answering (a header value a
     * mediator built from client text, a pipeline change) closes the connection and counts as a
     * rejection: a handshake is never left open with reading off.
     */
    private void answer(ChannelHandlerContext ctx, InboundSourceConnection conn, FullHttpRequest request,
                        String subprotocol, Throwable failure) {
        if (answered) {
            // the handshake timeout answered first
            for (TargetLink t : conn.targets()) {
                t.close(CloseCodes.GOING_AWAY, "handshake timed out");
            }
            return;
        }
        try {
            answerNow(ctx, conn, request, subprotocol, failure);
        } catch (RuntimeException e) {
            answered = true;
            cancelTimeout();
            log.error(conn.logTag() + " answering the handshake for " + SafeText.path(conn.path()) + " failed, closing: " + e, e);
            for (TargetLink t : conn.targets()) {
                t.close(CloseCodes.GOING_AWAY, "handshake failed");
            }
            ConnectionListeners.rejected(conn, 500, "internal_error");
            ctx.channel().close();
        }
    }

    /** The handshake timeout fired before the answer was written. */
    private void timedOut(ChannelHandlerContext ctx, int limit) {
        if (answered || !ctx.channel().isActive()) {
            return;
        }
        InboundSourceConnection conn = connection;
        if (conn == null) {
            log.warn("[" + ctx.channel().id().asShortText() + " " + endpoint.config().name() + "] no complete upgrade request from "
                    + ctx.channel().remoteAddress() + " within " + limit + " ms, answering 408");
            reply(ctx, HttpResponseStatus.REQUEST_TIMEOUT, "the upgrade request took too long");
            return;
        }
        log.warn(conn.logTag() + " handshake for " + SafeText.path(conn.path()) + " not completed within "
                + limit + " ms (ws.handshake.timeout.ms), answering 504");
        for (TargetLink t : conn.targets()) {
            t.close(CloseCodes.GOING_AWAY, "handshake timed out");
        }
        answered = true;
        conn.handshakeAbandoned();
        send(ctx, response(HttpResponseStatus.GATEWAY_TIMEOUT, "the handshake took too long"));
        ConnectionListeners.rejected(conn, 504, "handshake_timeout");
    }

    private void answerNow(ChannelHandlerContext ctx, InboundSourceConnection conn, FullHttpRequest request,
                           String subprotocol, Throwable failure) {
        Channel ch = ctx.channel();
        if (!ch.isActive() || !conn.state().isStarting()) {
            for (TargetLink t : conn.targets()) {
                t.close(CloseCodes.GOING_AWAY, "client gone");
            }
            return;
        }
        HandshakeRejection rejection = conn.rejection();
        if (rejection == null && failure != null) {
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
            int status = cause instanceof HandshakeException ? ((HandshakeException) cause).status() : 502;
            rejection = new HandshakeRejection(status, cause.getMessage());
        }
        if (rejection != null) {
            for (TargetLink t : conn.targets()) {
                t.close(CloseCodes.GOING_AWAY, "handshake failed");
            }
            String body = rejection.body;
            if (rejection.status == 500 || rejection.status == 502 || rejection.status == 504) {
                // backend URLs, addresses, TLS causes and mediation errors go to the log only, under an id
                // the client can quote
                String id = Mediation.fastUuid();
                log.warn(conn.logTag() + " handshake for " + SafeText.path(conn.path()) + " failed with " + rejection.status
                        + " (correlation id " + id + "): " + SafeText.forLog(rejection.body, 2000));
                body = genericBody(rejection.status) + " (correlation id " + id + ")";
            }
            FullHttpResponse r = response(HttpResponseStatus.valueOf(rejection.status), body);
            for (Map.Entry<String, String> h : rejection.headers.entrySet()) {
                r.headers().set(h.getKey(), SafeText.forHeaderValue(h.getValue()));
            }
            answered = true;
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
        String chosen = conn.spokenSubprotocol() != null ? conn.spokenSubprotocol() : subprotocol;
        WebSocketServerHandshaker handshaker = new WebSocketServerHandshakerFactory(location, chosen, decoderConfig)
                .newHandshaker(request);
        // the handshaker installs the frame decoder only; text must be valid UTF-8 (RFC 6455 8.1): close 1007
        ctx.pipeline().addAfter(ctx.name(), "ws-utf8", new Utf8Validation(false));
        ctx.pipeline().addAfter("ws-utf8", "ws-aggregator", new WebSocketFrameAggregator(config.maxMessageSize()));
        ctx.pipeline().addAfter("ws-aggregator", "ws-frames", new SourceFrameHandler(conn));
        if (config.liveness().needed()) {
            // before the aggregator, so that every frame (pongs and fragments too) counts as a sign of life
            ctx.pipeline().addAfter(ctx.name(), "ws-liveness", new LivenessHandler(liveness(conn), config.liveness()));
        }
        answered = true;
        HttpHeaders extra = new DefaultHttpHeaders();
        conn.takeResponseHeaders().forEach(extra::set);
        handshaker.handshake(ch, request, extra, ch.newPromise()).addListener(f -> {
            cancelTimeout();
            if (f.isSuccess()) {
                conn.opened();
                if (config.maxLifetimeMillis() > 0) {
                    conn.closeAt(System.currentTimeMillis() + config.maxLifetimeMillis(), CloseCodes.GOING_AWAY, "maximum connection lifetime");
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
            @Override public boolean isOpen() { return conn.state().isOpen(); }
            @Override public String logTag() { return conn.logTag(); }
            @Override public void noPong() { conn.close(CloseCodes.GOING_AWAY, "no pong"); }
            @Override public void idle() { conn.close(CloseCodes.GOING_AWAY, "idle timeout"); }
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
        List<String> keys = req.headers().getAll(HttpHeaderNames.SEC_WEBSOCKET_KEY);
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
            return Base64.getDecoder().decode(key).length == 16;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private String reply(ChannelHandlerContext ctx, HttpResponseStatus status, String body) {
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

    private String send(ChannelHandlerContext ctx, FullHttpResponse r) {
        answered = true;
        cancelTimeout();
        ctx.channel().config().setAutoRead(false);
        ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
        return r.status().toString();
    }

    /** What a client is told of a failure on our side; the details are in the log under the correlation id. */
    private static String genericBody(int status) {
        switch (status) {
            case 502: return "the backend is not available";
            case 504: return "the backend did not answer in time";
            default: return "the handshake could not be completed";
        }
    }

    private void cancelTimeout() {
        if (timeout != null) {
            timeout.cancel(false);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancelTimeout();
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
