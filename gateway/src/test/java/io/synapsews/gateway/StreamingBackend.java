package io.synapsews.gateway;

import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicLong;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.util.ReferenceCountUtil;

/**
 * A backend that streams {@code count} binary messages of {@code size} bytes to whoever connects,
 * as fast as its connection lets it (it writes only while the channel is writable, so it holds no
 * backlog of its own).
 */
final class StreamingBackend implements AutoCloseable {

    final AtomicLong sentBytes = new AtomicLong();
    private final EventLoopGroup group = new NioEventLoopGroup(1);
    private final Channel server;
    private final byte[] chunk;
    private final int count;

    StreamingBackend(int size, int count) throws InterruptedException {
        this.chunk = new byte[size];
        this.count = count;
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(65536),
                                new WebSocketServerProtocolHandler("/", null, false, 65536),
                                new Streamer());
                    }
                }).bind("127.0.0.1", 0).sync().channel();
    }

    String url() {
        return "ws://127.0.0.1:" + ((InetSocketAddress) server.localAddress()).getPort() + "/";
    }

    private final class Streamer extends ChannelInboundHandlerAdapter {
        private int sent;
        private boolean started;

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof WebSocketServerProtocolHandler.HandshakeComplete) {
                started = true;
                pump(ctx);
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (started) {
                pump(ctx);
            }
            ctx.fireChannelWritabilityChanged();
        }

        private void pump(ChannelHandlerContext ctx) {
            while (sent < count && ctx.channel().isWritable()) {
                sent++;
                sentBytes.addAndGet(chunk.length);
                ctx.write(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(chunk)));
            }
            ctx.flush();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully().syncUninterruptibly();
    }
}
