package io.synapsews.gateway;

import java.net.InetSocketAddress;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * A WebSocket echo server: every text and binary message comes back as it was. A text message
 * {@code !close CODE REASON} makes it close the connection with that code. It records the close
 * frames it receives, so a test can see what reached the backend, and it is a strict peer: frames that
 * break RFC 6455 (text that is not UTF-8 included) close the connection and are counted. It speaks the subprotocols
 * {@link #SUBPROTOCOLS}.
 */
public final class EchoBackend implements AutoCloseable {

    private static final int MAX_MESSAGE = 64 * 1024 * 1024;
    /** The subprotocols it accepts, picked in the client's order; clients offering others get none. */
    public static final String SUBPROTOCOLS = "graphql-ws,echo.v1";

    private final EventLoopGroup group = new NioEventLoopGroup(2, new DefaultThreadFactory("echo-backend", true));
    private final BlockingQueue<String> closes = new LinkedBlockingQueue<>();
    private final BlockingQueue<HttpHeaders> handshakes = new LinkedBlockingQueue<>();
    /** In {@link #nextHandshake}'s headers: the URI of the handshake's request line. */
    public static final String REQUEST_URI = "x-echo-backend-request-uri";
    private final AtomicInteger protocolErrors = new AtomicInteger();
    private final AtomicLong messages = new AtomicLong();
    private final AtomicInteger open = new AtomicInteger();
    private final Channel server;
    private final boolean secure;

    public EchoBackend(int port) {
        this(port, null);
    }

    /** {@code java -cp synapse-ws-gateway.jar io.synapsews.gateway.EchoBackend PORT}: a standalone echo backend. */
    public static void main(String[] args) throws InterruptedException {
        EchoBackend b = new EchoBackend(args.length > 0 ? Integer.parseInt(args[0]) : 8080);
        System.out.println("echo backend listening on " + b.url());
        Thread.currentThread().join();
    }

    // bounded, so that a long benchmark run does not grow the backend
    private void recordHandshake(HttpHeaders h) {
        if (handshakes.size() < 10_000) {
            handshakes.add(h);
        }
    }

    private void recordClose(String c) {
        if (closes.size() < 10_000) {
            closes.add(c);
        }
    }

    /** An echo backend speaking wss with this server TLS context (ws when null). */
    public EchoBackend(int port, SslContext tls) {
        this.secure = tls != null;
        WebSocketServerProtocolConfig ws = WebSocketServerProtocolConfig.newBuilder()
                .websocketPath("/")
                .checkStartsWith(true)
                .subprotocols(SUBPROTOCOLS)
                .handleCloseFrames(false)
                .maxFramePayloadLength(MAX_MESSAGE)
                .build();
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        open.incrementAndGet();
                        ch.closeFuture().addListener(f -> open.decrementAndGet());
                        if (tls != null) {
                            ch.pipeline().addLast(tls.newHandler(ch.alloc()));
                        }
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(65536),
                                new WebSocketServerProtocolHandler(ws), new WebSocketFrameAggregator(MAX_MESSAGE),
                                new Echo());
                    }
                })
                .bind("127.0.0.1", port).syncUninterruptibly().channel();
    }

    public int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    public String url() {
        return secure ? "wss://localhost:" + port() + "/" : "ws://127.0.0.1:" + port() + "/";
    }

    /** The next close frame a client sent, as "CODE REASON", waiting up to the given time. */
    public String nextClose(long timeout, TimeUnit unit) throws InterruptedException {
        return closes.poll(timeout, unit);
    }

    /** How many connections it closed because the peer broke the protocol. */
    public int protocolErrors() {
        return protocolErrors.get();
    }

    /** How many TCP connections it has open now. */
    public int openConnections() {
        return open.get();
    }

    /** How many text and binary messages it has echoed. */
    public long messages() {
        return messages.get();
    }

    /** The headers of the next handshake a client completed, waiting up to the given time. */
    public HttpHeaders nextHandshake(long timeout, TimeUnit unit) throws InterruptedException {
        return handshakes.poll(timeout, unit);
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private final class Echo extends SimpleChannelInboundHandler<WebSocketFrame> {
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof WebSocketServerProtocolHandler.HandshakeComplete) {
                WebSocketServerProtocolHandler.HandshakeComplete done = (WebSocketServerProtocolHandler.HandshakeComplete) evt;
                // the request line's URI too, under a name no client sends: tests check the backend path
                recordHandshake(done.requestHeaders().copy().set(REQUEST_URI, done.requestUri()));
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
            if (frame instanceof CloseWebSocketFrame) {
                CloseWebSocketFrame close = (CloseWebSocketFrame) frame;
                recordClose(close.statusCode() + " " + close.reasonText());
                ctx.writeAndFlush(close.retainedDuplicate()).addListener(ChannelFutureListener.CLOSE);
                return;
            }
            if (frame instanceof TextWebSocketFrame && ((TextWebSocketFrame) frame).text().startsWith("!close ")) {
                String[] parts = ((TextWebSocketFrame) frame).text().split(" ", 3);
                ctx.writeAndFlush(new CloseWebSocketFrame(Integer.parseInt(parts[1]), parts.length > 2 ? parts[2] : ""));
                return;
            }
            messages.incrementAndGet();
            ctx.writeAndFlush(frame.retain());
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (cause instanceof CorruptedWebSocketFrameException) {
                protocolErrors.incrementAndGet(); // Netty has sent the close frame with the matching code
            }
            ctx.close();
        }
    }
}
