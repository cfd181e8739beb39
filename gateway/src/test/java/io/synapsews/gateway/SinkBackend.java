package io.synapsews.gateway;

import java.net.InetSocketAddress;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.util.ReferenceCountUtil;

/**
 * A backend that takes what it is sent and answers nothing, and that a test can make stop reading
 * ({@link #reading(boolean)}): the peer that lets a test see whether the gateway holds a client back.
 */
final class SinkBackend implements AutoCloseable {

    final AtomicLong receivedBytes = new AtomicLong();
    private final EventLoopGroup group = new NioEventLoopGroup(1);
    private final Set<Channel> channels = ConcurrentHashMap.newKeySet();
    private final Channel server;
    private volatile boolean reading = true;

    SinkBackend() throws InterruptedException {
        // a small receive buffer: the gateway's writes back up at once when it stops reading
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.SO_RCVBUF, 64 * 1024)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        channels.add(ch);
                        ch.config().setAutoRead(reading);
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(65536),
                                new WebSocketServerProtocolHandler("/", null, false, 64 * 1024 * 1024),
                                new ChannelInboundHandlerAdapter() {
                                    @Override
                                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                        if (msg instanceof WebSocketFrame) {
                                            receivedBytes.addAndGet(((WebSocketFrame) msg).content().readableBytes());
                                        }
                                        ReferenceCountUtil.release(msg);
                                    }
                                });
                    }
                }).bind("127.0.0.1", 0).sync().channel();
    }

    String url() {
        return "ws://127.0.0.1:" + ((InetSocketAddress) server.localAddress()).getPort() + "/";
    }

    /** Starts or stops reading on every connection, present and future. */
    void reading(boolean on) {
        reading = on;
        for (Channel ch : channels) {
            ch.config().setAutoRead(on);
        }
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
