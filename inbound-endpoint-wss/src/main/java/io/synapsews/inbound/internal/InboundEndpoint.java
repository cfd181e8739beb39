package io.synapsews.inbound.internal;

import java.io.File;
import java.net.BindException;
import java.security.KeyStore;
import java.security.UnrecoverableKeyException;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.synapsews.inbound.SubprotocolHandler;
import io.synapsews.transport.config.ServerHome;
import org.apache.axis2.description.TransportOutDescription;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/** A deployed inbound endpoint: its listener and its open client connections. */
final class InboundEndpoint {

    private static final Log log = LogFactory.getLog(InboundEndpoint.class);

    private final InboundRuntime runtime;
    private final Set<InboundSourceConnection> connections = ConcurrentHashMap.newKeySet();
    private final AtomicInteger channels = new AtomicInteger();
    private volatile InboundEndpointConfig config;
    private EventLoopGroup boss;
    private EventLoopGroup workers;
    private Channel serverChannel;

    InboundEndpoint(InboundEndpointConfig config, InboundRuntime runtime) {
        this.config = config;
        this.runtime = runtime;
    }

    InboundEndpointConfig config() {
        return config;
    }

    InboundRuntime runtime() {
        return runtime;
    }

    TransportOutDescription responseTransport() {
        return runtime.responseTransport();
    }

    private Supplier<ChannelHandler> pipelineHandler;

    /** A new instance of the configured pipeline handler for a connection, or null. */
    ChannelHandler newPipelineHandler() {
        return pipelineHandler == null ? null : pipelineHandler.get();
    }

    private List<SubprotocolHandler> subprotocolHandlers = new ArrayList<>();

    /** The first subprotocol the client offered that a handler speaks, with that handler; null for none. */
    Map.Entry<String, SubprotocolHandler> handledSubprotocol(List<String> offered) {
        for (String s : offered) {
            for (SubprotocolHandler h : subprotocolHandlers) {
                if (h.identifiers().contains(s)) {
                    return new AbstractMap.SimpleImmutableEntry<>(s, h);
                }
            }
        }
        return null;
    }

    /** Loads {@code ws.subprotocol.handler.class} now: a class that is not there is refused at deploy time. */
    private List<SubprotocolHandler> subprotocolHandlers() throws InboundConfigException {
        List<SubprotocolHandler> out = new ArrayList<>();
        String names = config.subprotocolHandlerClasses();
        if (names == null) {
            return out;
        }
        for (String name : names.split(";")) {
            if (name.trim().isEmpty()) {
                continue;
            }
            Object handler = instantiate(InboundEndpointConfig.SUBPROTOCOL_HANDLERS, name.trim());
            if (!(handler instanceof SubprotocolHandler)) {
                throw new InboundConfigException(config.file() + ": parameter '" + InboundEndpointConfig.SUBPROTOCOL_HANDLERS
                        + "': " + name.trim() + " is not an " + SubprotocolHandler.class.getName());
            }
            out.add((SubprotocolHandler) handler);
        }
        return out;
    }

    /** A new instance of a class named in {@code parameter}, by its public no-argument constructor. */
    private Object instantiate(String parameter, String name) throws InboundConfigException {
        try {
            ClassLoader tccl = Thread.currentThread().getContextClassLoader();
            Class<?> type;
            try {
                type = Class.forName(name, true, tccl != null ? tccl : InboundEndpoint.class.getClassLoader());
            } catch (ClassNotFoundException notThere) {
                type = Class.forName(name, true, InboundEndpoint.class.getClassLoader());
            }
            return type.getConstructor().newInstance();
        } catch (ClassNotFoundException e) {
            throw new InboundConfigException(config.file() + ": parameter '" + parameter + "': no class " + name, e);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            throw new InboundConfigException(config.file() + ": parameter '" + parameter + "': " + name
                    + " needs a public constructor without arguments: " + e, e);
        }
    }

    /** Loads {@code ws.pipeline.handler.class} now, so that a class that is not there is refused at deploy time. */
    private Supplier<ChannelHandler> pipelineHandler() throws InboundConfigException {
        String name = config.pipelineHandlerClass();
        if (name == null || name.trim().isEmpty()) {
            return null;
        }
        Object first = instantiate(InboundEndpointConfig.PIPELINE_HANDLER, name.trim()); // fails now, not per connection
        if (!(first instanceof ChannelHandler)) {
            throw new InboundConfigException(config.file() + ": parameter '" + InboundEndpointConfig.PIPELINE_HANDLER
                    + "': " + name + " is not a Netty ChannelHandler");
        }
        Class<?> type = first.getClass();
        return () -> {
            try {
                return (ChannelHandler) type.getConstructor().newInstance();
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(name + " could not be made: " + e, e);
            }
        };
    }

    /** Takes a changed configuration that keeps the same listener; open connections stay. */
    void reconfigure(InboundEndpointConfig newConfig) {
        this.config = newConfig;
    }

    void start() throws InboundConfigException {
        SslContext ssl = config.isSecure() ? serverTls() : null;
        pipelineHandler = pipelineHandler();
        subprotocolHandlers = subprotocolHandlers();
        boss = new NioEventLoopGroup(config.bossThreads(), new DefaultThreadFactory("ws-boss-" + config.name(), true));
        workers = new NioEventLoopGroup(config.workerThreads(), new DefaultThreadFactory("ws-worker-" + config.name(), true));
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(boss, workers)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new SourceInitializer(this, ssl));
        try {
            serverChannel = bootstrap.bind(config.port()).syncUninterruptibly().channel();
        } catch (Exception e) {
            shutdownGroups();
            String why = e instanceof BindException ? "is already in use" : "cannot be opened: " + e.getMessage();
            throw new InboundConfigException(config.file() + ": parameter '" + InboundEndpointConfig.PORT + "' port "
                    + config.port() + " " + why, e);
        }
        log.info("inbound endpoint '" + config.name() + "' listening on " + config.protocol() + "://"
                + serverChannel.localAddress() + " (sequence " + config.sequence() + ")");
    }

    /** A TCP connection was accepted; returns how many are open now (handshaking ones included). */
    int channelOpened() {
        return channels.incrementAndGet();
    }

    void channelClosed() {
        channels.decrementAndGet();
    }

    int channelCount() {
        return channels.get();
    }

    void added(InboundSourceConnection c) {
        connections.add(c);
    }

    void removed(InboundSourceConnection c) {
        connections.remove(c);
    }

    /**
     * Delivers a backend message by the endpoint's broadcast level: 0 to {@code from} only, 1 to
     * every client on the same path, 2 to every client on that path but {@code from}.
     */
    void broadcast(InboundSourceConnection from, WebSocketFrame frame) {
        int level = config.broadcastLevel();
        if (level == 0) {
            from.deliver(frame);
            return;
        }
        try {
            for (InboundSourceConnection c : connections) {
                if (c == from) {
                    if (level == 1) {
                        c.deliver(frame.retainedDuplicate()); // held back by backpressure like any own message
                    }
                } else if (c.path().equals(from.path())) {
                    c.deliverBroadcast(frame.retainedDuplicate());
                }
            }
        } finally {
            frame.release();
        }
    }

    /**
     * Stops accepting, sends {@code code} to every client, waits for them to go for at most the
     * drain time, then forces the rest closed and frees the threads.
     */
    void stop(int code, String message) {
        if (serverChannel != null) {
            serverChannel.close().syncUninterruptibly();
        }
        List<InboundSourceConnection> open = new ArrayList<>(connections);
        for (InboundSourceConnection c : open) {
            c.channel().eventLoop().execute(() -> c.close(code, message));
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.drainMillis());
        for (InboundSourceConnection c : open) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || !c.channel().closeFuture().awaitUninterruptibly(TimeUnit.NANOSECONDS.toMillis(left))) {
                c.channel().close();
            }
        }
        // the backend legs live on these event loops: let every connection's queued close reach them first
        long settleBy = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        for (InboundSourceConnection c : open) {
            try {
                c.settled().get(Math.max(0, settleBy - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException | ExecutionException e) {
                log.debug("inbound endpoint '" + config.name() + "': " + c.logTag() + " not settled before stop");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        shutdownGroups();
        log.info("inbound endpoint '" + config.name() + "' stopped, " + open.size() + " client(s) closed with " + code);
    }

    private void shutdownGroups() {
        if (boss != null) {
            boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
        if (workers != null) {
            workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    private SslContext serverTls() throws InboundConfigException {
        KeyStore ks = open(InboundEndpointConfig.KEY_STORE_FILE, config.keyStoreFile(),
                InboundEndpointConfig.KEY_STORE_PASS, config.keyStorePass());
        KeyManagerFactory kmf;
        try {
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, config.certPass().toCharArray());
        } catch (Exception e) {
            throw new InboundConfigException(config.file() + ": parameter '" + InboundEndpointConfig.CERT_PASS
                    + "': cannot use the key in " + config.keyStoreFile() + ": " + e.getMessage(), e);
        }
        SslContextBuilder tls = SslContextBuilder.forServer(kmf)
                .protocols(config.sslProtocols())
                .ciphers(config.cipherSuites())
                .clientAuth("require".equals(config.clientAuth()) ? ClientAuth.REQUIRE
                        : "want".equals(config.clientAuth()) ? ClientAuth.OPTIONAL : ClientAuth.NONE);
        if (config.trustStoreFile() != null) {
            tls.trustManager(clientTrust());
        }
        try {
            return tls.build();
        } catch (Exception e) {
            throw new InboundConfigException(config.file() + ": parameters '" + InboundEndpointConfig.SSL_PROTOCOLS
                    + "' and '" + InboundEndpointConfig.CIPHER_SUITES + "': no TLS context with "
                    + config.sslProtocols() + " and " + (config.cipherSuites() == null ? "the JDK's cipher suites"
                    : config.cipherSuites()) + ": " + e.getMessage(), e);
        }
    }

    /** The trust store client certificates are checked against. */
    private TrustManagerFactory clientTrust() throws InboundConfigException {
        KeyStore ts = open(InboundEndpointConfig.TRUST_STORE_FILE, config.trustStoreFile(),
                InboundEndpointConfig.TRUST_STORE_PASS, config.trustStorePass());
        try {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ts);
            return tmf;
        } catch (Exception e) {
            throw new InboundConfigException(config.file() + ": parameter '" + InboundEndpointConfig.TRUST_STORE_FILE
                    + "': cannot use trust store " + config.trustStoreFile() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Opens a JKS or PKCS12 store (told apart by content): a missing or unreadable file is the file
     * parameter's problem, a store that does not open with the password the password parameter's.
     */
    private KeyStore open(String fileParam, String path, String passParam, String password) throws InboundConfigException {
        File file = ServerHome.resolve(runtime.axis2Repository(), path);
        if (!file.isFile() || !file.canRead()) {
            throw new InboundConfigException(config.file() + ": parameter '" + fileParam + "': " + file
                    + (file.exists() ? " cannot be read" : " does not exist"));
        }
        try {
            return KeyStore.getInstance(file, password.toCharArray());
        } catch (Exception e) {
            Throwable why = e.getCause() instanceof UnrecoverableKeyException ? e.getCause() : e;
            throw new InboundConfigException(config.file() + ": parameter '" + passParam + "': cannot open " + file
                    + " (JKS or PKCS12) with this password: " + why.getMessage(), e);
        }
    }
}
