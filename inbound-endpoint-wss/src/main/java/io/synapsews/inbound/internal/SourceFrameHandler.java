package io.synapsews.inbound.internal;

import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/** The client side after the handshake: whole messages go to mediation, control frames are answered here. */
final class SourceFrameHandler extends ChannelInboundHandlerAdapter {

    private static final Log log = LogFactory.getLog(SourceFrameHandler.class);

    private final InboundSourceConnection connection;

    SourceFrameHandler(InboundSourceConnection connection) {
        this.connection = connection;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof TextWebSocketFrame || msg instanceof BinaryWebSocketFrame) {
            boolean binary = msg instanceof BinaryWebSocketFrame;
            byte[] bytes;
            try {
                bytes = ByteBufUtil.getBytes(((io.netty.handler.codec.http.websocketx.WebSocketFrame) msg).content());
            } finally {
                ReferenceCountUtil.release(msg);
            }
            if (connection.state() == InboundSourceConnection.State.OPEN) {
                connection.gate().queued(bytes.length);
                connection.inboundExecutor().execute(() -> {
                    try {
                        SourceDispatcher.mediateMessage(connection, binary, bytes);
                    } finally {
                        connection.gate().done(bytes.length);
                    }
                });
            }
        } else if (msg instanceof PingWebSocketFrame) {
            ctx.writeAndFlush(new PongWebSocketFrame(((PingWebSocketFrame) msg).content()));
        } else if (msg instanceof CloseWebSocketFrame) {
            CloseWebSocketFrame close = (CloseWebSocketFrame) msg;
            try {
                connection.closeReceived(close.statusCode(), close.reasonText());
            } finally {
                close.release();
            }
        } else {
            // pongs, and anything else the aggregator let through
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        connection.writabilityChanged();
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        connection.closed();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof TooLongFrameException) {
            log.warn(connection.logTag() + " message over " + connection.endpoint().config().maxMessageSize()
                    + " bytes, closing with 1009");
            connection.close(1009, "message too big");
        } else if (cause instanceof CorruptedWebSocketFrameException) {
            // the decoder has already sent the close frame with the matching status
            log.warn(connection.logTag() + " protocol violation: " + cause.getMessage());
            ctx.close();
        } else {
            log.warn(connection.logTag() + " connection failed: " + cause);
            ctx.close();
        }
    }
}
