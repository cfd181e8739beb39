package io.synapsews.gateway;

import java.util.concurrent.atomic.AtomicInteger;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;

/** An administrator's pipeline handler ({@code ws.pipeline.handler.class}): counts what passes. */
public final class FrameCountingHandler extends ChannelInboundHandlerAdapter {

    static final AtomicInteger UPGRADES = new AtomicInteger();
    static final AtomicInteger TEXT_FRAMES = new AtomicInteger();

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest) {
            UPGRADES.incrementAndGet();
        } else if (msg instanceof TextWebSocketFrame) {
            TEXT_FRAMES.incrementAndGet();
        }
        ctx.fireChannelRead(msg);
    }
}
