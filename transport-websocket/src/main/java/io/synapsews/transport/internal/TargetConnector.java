package io.synapsews.transport.internal;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakerFactory;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import io.netty.handler.proxy.HttpProxyHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.resolver.NoopAddressResolverGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.synapsews.transport.spi.HandshakeException;
import io.synapsews.transport.spi.SourceLeg;

/** Opens backend WebSocket connections on the sender's shared event loop. */
final class TargetConnector {

    private final TransportSenderConfig config;
    private final SslContext sslContext;
    private final OutflowDispatcher dispatcher;
    private final EventLoopGroup group;

    TargetConnector(TransportSenderConfig config, SslContext sslContext, OutflowDispatcher dispatcher) {
        this.config = config;
        this.sslContext = sslContext;
        this.dispatcher = dispatcher;
        this.group = new NioEventLoopGroup(config.eventLoopThreads,
                new DefaultThreadFactory("ws-target-" + config.name, true));
    }

    /**
     * Starts connecting to {@code url} for {@code source}. Failures arrive through the returned
     * connection's handshake future, never as exceptions, except for a URL that is not a
     * WebSocket URL at all.
     */
    TargetConnection connect(String url, SourceLeg source, List<String> subprotocols,
                             HttpHeaders headers, String contentType) {
        URI uri = parse(url);
        boolean secure = "wss".equalsIgnoreCase(uri.getScheme());
        String host = uri.getHost();
        int port = uri.getPort() > 0 ? uri.getPort() : secure ? 443 : 80;
        TargetConnection connection = new TargetConnection(url, source, dispatcher, contentType);
        WebSocketClientHandshaker handshaker = WebSocketClientHandshakerFactory.newHandshaker(uri,
                WebSocketVersion.V13, subprotocols.isEmpty() ? null : String.join(",", subprotocols), false,
                headers == null ? new DefaultHttpHeaders() : headers, config.maxFrameLength, true, false, -1);
        TransportSenderConfig.ProxyProfile proxy = config.proxyFor(host);
        Bootstrap bootstrap = new Bootstrap()
                // on the client connection's loop: relayed frames never change threads
                .group(source.eventLoop() != null ? source.eventLoop() : group)
                .channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, config.connectTimeoutMillis)
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        // before any event of the channel: the handshake may finish before connect() returns
                        connection.bind(ch);
                        ChannelPipeline p = ch.pipeline();
                        if (proxy != null) {
                            // ws.proxyProfiles: CONNECT through the proxy, then TLS and the upgrade inside the tunnel
                            InetSocketAddress at = new InetSocketAddress(proxy.host, proxy.port);
                            HttpProxyHandler tunnel = proxy.user == null ? new HttpProxyHandler(at)
                                    : new HttpProxyHandler(at, proxy.user, proxy.password == null ? "" : proxy.password);
                            tunnel.setConnectTimeoutMillis(config.connectTimeoutMillis);
                            p.addLast("proxy", tunnel);
                        }
                        if (secure) {
                            p.addLast("tls", tls(ch, host, port));
                        }
                        p.addLast("http-codec", new HttpClientCodec(config.maxInitLength, config.maxHeaderSize, config.maxChunkSize));
                        p.addLast("http-aggregator", new HttpObjectAggregator(config.maxAggregateLength));
                        p.addLast("target", new TargetHandler(connection, handshaker, config));
                    }
                });
        ChannelFuture connect;
        if (proxy != null) {
            // the proxy resolves the backend's name
            connect = bootstrap.resolver(NoopAddressResolverGroup.INSTANCE)
                    .connect(InetSocketAddress.createUnresolved(host, port));
        } else {
            connect = bootstrap.connect(host, port);
        }
        connection.bind(connect.channel());
        connect.addListener(f -> {
            if (!f.isSuccess()) {
                Throwable cause = f.cause();
                int status = cause instanceof ConnectTimeoutException ? 504 : 502;
                connection.handshakeFailed(new HandshakeException(status, "cannot connect to backend " + url + ": " + cause, cause));
            }
        });
        return connection;
    }

    private SslHandler tls(Channel ch, String host, int port) {
        SslHandler handler = sslContext.newHandler(ch.alloc(), host, port);
        SSLEngine engine = handler.engine();
        if (config.hostnameVerification) {
            SSLParameters params = engine.getSSLParameters();
            params.setEndpointIdentificationAlgorithm("HTTPS");
            engine.setSSLParameters(params);
        }
        handler.setHandshakeTimeout(config.handshakeTimeoutMillis, TimeUnit.MILLISECONDS);
        return handler;
    }

    private static URI parse(String url) {
        try {
            URI uri = new URI(url);
            String scheme = uri.getScheme();
            if (uri.getHost() == null || !("ws".equalsIgnoreCase(scheme) || "wss".equalsIgnoreCase(scheme))) {
                throw new HandshakeException(502, "not a WebSocket URL: " + url);
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new HandshakeException(502, "malformed backend URL: " + url, e);
        }
    }

    void shutdown() {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    }
}
