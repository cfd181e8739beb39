package io.synapsews.inbound.internal;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.ssl.SslContext;

/** The client connection pipeline until the handshake: TLS, HTTP, the administrator's handler, the handshake. */
final class SourceInitializer extends ChannelInitializer<Channel> {

    private static final int MAX_HANDSHAKE_BODY = 8192;

    private final InboundEndpoint endpoint;
    private final SslContext ssl;

    SourceInitializer(InboundEndpoint endpoint, SslContext ssl) {
        this.endpoint = endpoint;
        this.ssl = ssl;
    }

    @Override
    protected void initChannel(Channel ch) {
        ChannelPipeline p = ch.pipeline();
        if (ssl != null) {
            p.addLast("tls", ssl.newHandler(ch.alloc()));
        }
        p.addLast("http-codec", new HttpServerCodec(endpoint.config().maxRequestLine(),
                endpoint.config().maxHandshakeHeaderSize(), 8192));
        p.addLast("http-aggregator", new HttpObjectAggregator(MAX_HANDSHAKE_BODY));
        ChannelHandler custom = endpoint.newPipelineHandler();
        if (custom != null) {
            // ws.pipeline.handler.class: ahead of our handling, it sees the upgrade request and then every frame
            p.addLast("custom", custom);
        }
        p.addLast("handshake", new SourceHandshakeHandler(endpoint));
    }
}
