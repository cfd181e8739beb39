package io.synapsews.mediators.internal;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.synapsews.transport.spi.SafeText;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * A small HTTP/1.1 server for the gateway's own endpoints: a fixed table of paths, each answered
 * by a function of the whole request (a path ending in {@code /*} answers every path under it; the
 * longest such prefix wins over a shorter one, an exact path over both). Requests are small (64 KiB at
 * most) and answered on the event loop. Over TLS when given an {@link SslContext}.
 */
public final class HttpEndpointServer implements AutoCloseable {

    private static final Log log = LogFactory.getLog(HttpEndpointServer.class);
    private static final int MAX_REQUEST = 64 * 1024;

    /**
     * The request header that carries the client's address to a route. Set by this server on every
     * request, after removing any the client sent, so a route can trust it.
     */
    public static final String PEER_HEADER = "X-Synapsews-Peer";

    /**
     * A request must be complete within this many seconds of its connection opening or of the previous
     * answer: an idle connection and one that trickles its request (a byte at a time) are closed alike.
     */
    static final int IDLE_SECONDS = 30;

    /** At most this many connections at once; more are closed as they arrive. */
    static final int MAX_CONNECTIONS = 256;

    private final AtomicInteger open = new AtomicInteger();

    private final String name;
    private final EventLoopGroup group;
    private final Channel channel;

    public HttpEndpointServer(String name, String host, int port, Map<String, Function<FullHttpRequest, HttpReply>> routes)
            throws InterruptedException {
        this(name, host, port, routes, IDLE_SECONDS, null);
    }

    /** Over TLS with {@code ssl} (a server context), or plain HTTP when it is null. */
    public HttpEndpointServer(String name, String host, int port, Map<String, Function<FullHttpRequest, HttpReply>> routes,
                              SslContext ssl) throws InterruptedException {
        this(name, host, port, routes, IDLE_SECONDS, ssl);
    }

    HttpEndpointServer(String name, String host, int port, Map<String, Function<FullHttpRequest, HttpReply>> routes,
                       int requestSeconds) throws InterruptedException {
        this(name, host, port, routes, requestSeconds, null);
    }

    private HttpEndpointServer(String name, String host, int port, Map<String, Function<FullHttpRequest, HttpReply>> routes,
                               int requestSeconds, SslContext ssl) throws InterruptedException {
        this.name = name;
        this.group = new NioEventLoopGroup(1, new DefaultThreadFactory("synapsews-" + name, true));
        try {
            this.channel = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            int now = open.incrementAndGet();
                            ch.closeFuture().addListener(f -> open.decrementAndGet());
                            if (now > MAX_CONNECTIONS) {
                                log.warn(name + ": " + now + " connections, over " + MAX_CONNECTIONS + ": closing " + ch.remoteAddress());
                                ch.close();
                                return;
                            }
                            if (ssl != null) {
                                ch.pipeline().addLast(ssl.newHandler(ch.alloc()));
                            }
                            ch.pipeline().addLast(new HttpServerCodec(4096, 8192, 8192), new HttpObjectAggregator(MAX_REQUEST),
                                    new Router(routes, requestSeconds));
                        }
                    })
                    .bind(host, port).sync().channel();
        } catch (RuntimeException | InterruptedException e) {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            throw e;
        }
        log.info(name + " listening on " + host + ":" + port() + " " + routes.keySet());
    }

    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    @Override
    public void close() {
        channel.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
    }

    private final class Router extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final Map<String, Function<FullHttpRequest, HttpReply>> routes;

        private final int requestSeconds;
        /** Closes the connection unless the next request is complete in time; event loop only. */
        private ScheduledFuture<?> deadline;

        Router(Map<String, Function<FullHttpRequest, HttpReply>> routes, int requestSeconds) {
            this.routes = routes;
            this.requestSeconds = requestSeconds;
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            awaitRequest(ctx);
        }

        @Override
        public void handlerRemoved(ChannelHandlerContext ctx) {
            if (deadline != null) {
                deadline.cancel(false);
            }
        }

        private void awaitRequest(ChannelHandlerContext ctx) {
            deadline = ctx.executor().schedule(() -> {
                if (log.isDebugEnabled()) {
                    log.debug(name + ": no complete request from " + ctx.channel().remoteAddress() + " within "
                            + requestSeconds + " s, closing");
                }
                ctx.close();
            }, requestSeconds, TimeUnit.SECONDS);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            deadline.cancel(false);
            req.headers().remove(PEER_HEADER);
            SocketAddress remote = ctx.channel().remoteAddress();
            req.headers().set(PEER_HEADER, remote instanceof InetSocketAddress
                    ? ((InetSocketAddress) remote).getAddress().getHostAddress() : String.valueOf(remote));
            HttpReply reply;
            if (!req.decoderResult().isSuccess()) {
                reply = HttpReply.text(400, "malformed HTTP request\n");
            } else {
                Function<FullHttpRequest, HttpReply> route = route(new QueryStringDecoder(req.uri()).path());
                if (route == null) {
                    reply = HttpReply.text(404, "no such endpoint; try " + routes.keySet() + "\n");
                } else {
                    try {
                        reply = route.apply(req);
                    } catch (RuntimeException e) {
                        log.error(name + ": " + req.method() + " " + SafeText.forLog(req.uri()) + " failed", e);
                        reply = HttpReply.text(500, "internal error\n");
                    }
                }
            }
            boolean keepAlive = HttpUtil.isKeepAlive(req) && req.decoderResult().isSuccess();
            if (reply.later != null) {
                String what = req.method() + " " + SafeText.forLog(req.uri());
                ctx.channel().config().setAutoRead(false); // answers stay in order: no next request until this one's
                reply.later.whenComplete((r, e) -> ctx.executor().execute(() -> {
                    ctx.channel().config().setAutoRead(true);
                    if (e != null || r == null) {
                        log.error(name + ": " + what + " failed", e);
                    }
                    write(ctx, e != null || r == null ? HttpReply.text(500, "internal error\n") : r, keepAlive);
                }));
                return;
            }
            write(ctx, reply, keepAlive);
        }

        private void write(ChannelHandlerContext ctx, HttpReply reply, boolean keepAlive) {
            FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(reply.status),
                    Unpooled.wrappedBuffer(reply.body));
            r.headers().set(HttpHeaderNames.CONTENT_TYPE, reply.contentType);
            r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, reply.body.length);
            r.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
            reply.headers.forEach((k, v) -> r.headers().set(k, v));
            HttpUtil.setKeepAlive(r, keepAlive);
            if (keepAlive) {
                ctx.writeAndFlush(r);
                awaitRequest(ctx);
            } else {
                ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
            }
        }

        /** The exact route of {@code path}, else that of its longest {@code /*} prefix, else null. */
        private Function<FullHttpRequest, HttpReply> route(String path) {
            Function<FullHttpRequest, HttpReply> exact = routes.get(path);
            if (exact != null) {
                return exact;
            }
            String best = null;
            for (String key : routes.keySet()) {
                if (key.endsWith("/*") && path.startsWith(key.substring(0, key.length() - 1))
                        && (best == null || key.length() > best.length())) {
                    best = key;
                }
            }
            return best == null ? null : routes.get(best);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            log.debug(name + ": connection " + ctx.channel() + " failed", cause);
            ctx.close();
        }
    }
}
