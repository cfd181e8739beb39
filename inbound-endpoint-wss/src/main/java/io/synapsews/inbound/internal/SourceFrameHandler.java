package io.synapsews.inbound.internal;

import java.io.IOException;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import io.synapsews.transport.payload.PayloadCodec;
import io.synapsews.transport.spi.CloseCodes;
import io.synapsews.transport.spi.ConnectionListeners;
import io.synapsews.transport.spi.TargetLink;
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
            TargetLink relay = connection.relayTarget();
            if (relay != null && connection.state().isOpen()) {
                // the sequence only sends: the frame goes to the backend leg as it came
                WebSocketFrame frame = (WebSocketFrame) msg;
                int bytes = frame.content().readableBytes();
                ConnectionListeners.message(connection, true, bytes, 0);
                if (!connection.clientStepsAllow(bytes)) {
                    frame.release(); // a compiled step stopped it (throttled), as the sequence would have
                    connection.gate().handedOn();
                    return;
                }
                relay.send(frame);
                connection.gate().handedOn(); // the backend leg full: stop reading, as the mediated path does
                return;
            }
            boolean binary = msg instanceof BinaryWebSocketFrame;
            byte[] bytes = PayloadCodec.drain((WebSocketFrame) msg);
            if (connection.state().isOpen()) {
                connection.gate().submit(connection.inboundExecutor(), bytes.length,
                        () -> SourceDispatcher.mediateMessage(connection, binary, bytes));
            }
        } else if ((msg instanceof PingWebSocketFrame || msg instanceof PongWebSocketFrame)
                && connection.passesControlFrames() && connection.state().isOpen()) {
            // ws.pass.through.control.frames: to the backend, as it came (relay) or through the sequence
            WebSocketFrame frame = (WebSocketFrame) msg;
            TargetLink relay = connection.relayTarget();
            if (relay != null) {
                relay.send(frame);
                connection.gate().handedOn();
            } else {
                boolean ping = msg instanceof PingWebSocketFrame;
                byte[] bytes = PayloadCodec.drain(frame);
                connection.gate().submit(connection.inboundExecutor(), bytes.length,
                        () -> SourceDispatcher.mediateControl(connection, ping, bytes));
            }
        } else if (msg instanceof PingWebSocketFrame) {
            ctx.writeAndFlush(new PongWebSocketFrame(((PingWebSocketFrame) msg).content()));
            // a ping flood from a client that reads nothing: its pongs would pile up; stop reading it instead
            connection.gate().handedOn();
        } else if (msg instanceof CloseWebSocketFrame) {
            CloseWebSocketFrame close = (CloseWebSocketFrame) msg;
            try {
                if (close.statusCode() > 4999) {
                    // the decoder lets these through; RFC 6455 7.4 defines codes up to 4999 only
                    protocolViolation("close code " + close.statusCode() + " is not defined", CloseCodes.PROTOCOL_ERROR);
                } else {
                    connection.closeReceived(close.statusCode(), close.reasonText());
                }
            } finally {
                close.release();
            }
        } else {
            // pongs, and anything else the aggregator let through
            ReferenceCountUtil.release(msg);
        }
    }

    private void protocolViolation(String what, int code) {
        log.warn(connection.logTag() + " protocol violation, closing with " + code + ": " + what);
        connection.fail(code, reason(what));
    }

    /** The violation as a close reason: at most 123 bytes (a close frame's payload is at most 125). */
    private static String reason(String what) {
        return CloseCodes.reason(what == null ? "protocol error" : what);
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
            connection.close(CloseCodes.TOO_BIG, "message too big");
        } else if (cause instanceof CorruptedWebSocketFrameException) {
            // the decoder and the UTF-8 validator leave the close to us (closeOnProtocolViolation off), so
            // that every violation gets its close frame: Netty's own sends none for a broken close frame
            WebSocketCloseStatus status = ((CorruptedWebSocketFrameException) cause).closeStatus();
            protocolViolation(cause.getMessage(), status == null ? CloseCodes.PROTOCOL_ERROR : status.code());
        } else if (cause instanceof IOException) {
            // a reset by the client: its close (code 1006) is logged when the channel goes
            if (log.isDebugEnabled()) {
                log.debug(connection.logTag() + " " + cause);
            }
            ctx.close();
        } else if (cause instanceof PrematureChannelClosureException) {
            // the client went away between the fragments of a message: nothing to relay, nothing failed here
            if (log.isDebugEnabled()) {
                log.debug(connection.logTag() + " connection ended in the middle of a fragmented message");
            }
        } else {
            log.warn(connection.logTag() + " connection failed: " + cause);
            ctx.close();
        }
    }
}
