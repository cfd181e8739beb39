package io.synapsews.bench;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakerFactory;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * The benchmark load generator: {@code echo} keeps W messages of S bytes in flight on each of C
 * connections for T seconds and reports throughput, latency percentiles and the target processes'
 * CPU time per message; {@code handshakes} opens and closes connections as fast as C concurrent
 * loops can; {@code idle} opens N connections and reports the targets' resident memory per
 * connection. One line starting with {@code RESULT} carries the numbers.
 */
public final class LoadGenerator {

    private final Map<String, String> opts;
    private final URI uri;
    private final EventLoopGroup group;
    private final boolean epoll;
    private volatile boolean running = true;
    private volatile boolean measuring;
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final Histogram latencyMicros = new ConcurrentHistogram(60_000_000L, 3);

    private LoadGenerator(Map<String, String> opts) {
        this.opts = opts;
        this.uri = URI.create(opts.get("url"));
        int threads = Integer.parseInt(opts.getOrDefault("threads", "1"));
        // epoll where the native transport loads (Linux): the generator must not be what limits a run
        this.epoll = !opts.containsKey("nio") && Epoll.isAvailable();
        this.group = epoll ? new EpollEventLoopGroup(threads, new DefaultThreadFactory("loadgen", true))
                : new NioEventLoopGroup(threads, new DefaultThreadFactory("loadgen", true));
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            usage();
            return;
        }
        Map<String, String> opts = new HashMap<>();
        for (int i = 1; i < args.length; i++) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("unexpected " + args[i]);
            }
            String name = args[i].substring(2);
            boolean flag = i + 1 >= args.length || args[i + 1].startsWith("--");
            opts.put(name, flag ? "true" : args[++i]);
        }
        if (!opts.containsKey("url")) {
            usage();
            System.exit(2);
        }
        LoadGenerator g = new LoadGenerator(opts);
        try {
            switch (args[0]) {
                case "echo": g.echo(); break;
                case "handshakes": g.handshakes(); break;
                case "idle": g.idle(); break;
                default: usage(); System.exit(2);
            }
        } finally {
            g.group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    private static void usage() {
        System.out.println("usage: LoadGenerator echo|handshakes|idle --url ws://host:port/path [--connections C]"
                + " [--inflight W] [--size S] [--seconds T] [--warmup S] [--binary] [--rate MSGS_PER_S] [--pids P1,P2]"
                + " [--threads N] [--nio] [--bearer TOKEN] [--label L]");
    }

    private int opt(String name, int def) {
        return Integer.parseInt(opts.getOrDefault(name, String.valueOf(def)));
    }

    // ---- echo ----

    private void echo() throws Exception {
        int connections = opt("connections", 10);
        int inflight = opt("inflight", 1);
        int size = opt("size", 64);
        boolean binary = opts.containsKey("binary");
        ProcessStats targets = new ProcessStats(opts.get("pids"));
        byte[] pad = new byte[size];
        Arrays.fill(pad, (byte) 'x');
        List<Channel> channels = new ArrayList<>();
        List<CompletableFuture<Channel>> opening = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            opening.add(connect(new EchoHandler(inflight, size, binary, pad)));
        }
        for (CompletableFuture<Channel> f : opening) {
            channels.add(f.get(60, TimeUnit.SECONDS));
        }
        for (Channel ch : channels) {
            ch.pipeline().get(EchoHandler.class).start(ch);
        }
        Thread.sleep(opt("warmup", 3) * 1000L);
        long cpu0 = targets.isEmpty() ? 0 : targets.cpuMillis();
        long n0 = received.get();
        latencyMicros.reset();
        measuring = true;
        long t0 = System.nanoTime();
        Thread.sleep(opt("seconds", 10) * 1000L);
        measuring = false;
        long elapsed = System.nanoTime() - t0;
        long n = received.get() - n0;
        long cpu = targets.isEmpty() ? 0 : targets.cpuMillis() - cpu0;
        running = false;
        for (Channel ch : channels) {
            ch.writeAndFlush(new CloseWebSocketFrame(1000, "done"));
        }
        Thread.sleep(300);
        double rate = n / (elapsed / 1e9);
        result("echo", String.format("msgs_per_s=%.0f p50_us=%d p99_us=%d p999_us=%d cpu_us_per_msg=%.2f messages=%d errors=%d",
                rate, latencyMicros.getValueAtPercentile(50), latencyMicros.getValueAtPercentile(99),
                latencyMicros.getValueAtPercentile(99.9), n == 0 ? 0.0 : cpu * 1000.0 / n, n, errors.get()));
    }

    private final class EchoHandler extends SimpleChannelInboundHandler<WebSocketFrame> {
        private final int inflight;
        private final int size;
        private final boolean binary;
        private final byte[] pad;

        EchoHandler(int inflight, int size, boolean binary, byte[] pad) {
            this.inflight = inflight;
            this.size = size;
            this.binary = binary;
            this.pad = pad;
        }

        void start(Channel ch) {
            long rate = Long.parseLong(opts.getOrDefault("rate", "0"));
            if (rate > 0) {
                // open loop: this connection's share of the total rate, whatever the replies do
                long periodNanos = Math.max(1, opts.containsKey("connections")
                        ? Long.parseLong(opts.get("connections")) * 1_000_000_000L / rate : 1_000_000_000L / rate);
                ch.eventLoop().scheduleAtFixedRate(() -> {
                    if (running && ch.isActive()) {
                        send(ch);
                        ch.flush();
                    }
                }, periodNanos, periodNanos, TimeUnit.NANOSECONDS);
                return;
            }
            ch.eventLoop().execute(() -> {
                for (int i = 0; i < inflight; i++) {
                    send(ch);
                }
                ch.flush();
            });
        }

        private void send(Channel ch) {
            long now = System.nanoTime();
            if (binary) {
                ByteBuf b = ch.alloc().buffer(Math.max(size, 8));
                b.writeLong(now);
                b.writeBytes(pad, 0, Math.max(0, size - 8));
                ch.write(new BinaryWebSocketFrame(b));
            } else {
                // JSON, so that the mediated configuration can read "id"; the timestamp is a string
                String head = "{\"msg\":{\"id\":\"t" + now + "\",\"pad\":\"";
                String tail = "\"}}";
                int padLen = Math.max(0, size - head.length() - tail.length());
                ByteBuf b = ch.alloc().buffer(head.length() + padLen + tail.length());
                b.writeCharSequence(head, StandardCharsets.US_ASCII);
                b.writeBytes(pad, 0, padLen);
                b.writeCharSequence(tail, StandardCharsets.US_ASCII);
                ch.write(new TextWebSocketFrame(b));
            }
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
            long sent = -1;
            ByteBuf c = frame.content();
            if (frame instanceof BinaryWebSocketFrame && c.readableBytes() >= 8) {
                sent = c.getLong(c.readerIndex());
            } else if (frame instanceof TextWebSocketFrame) {
                sent = timestamp(c);
            } else {
                return;
            }
            if (sent < 0) {
                errors.incrementAndGet();
            } else {
                received.incrementAndGet();
                if (measuring) {
                    latencyMicros.recordValue(Math.max(0, (System.nanoTime() - sent) / 1000));
                }
            }
            if (running && !opts.containsKey("rate")) {
                send(ctx.channel());
                ctx.flush();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            errors.incrementAndGet();
            ctx.close();
        }
    }

    /** The nanoTime after {@code "t} in a text message, or -1. */
    static long timestamp(ByteBuf c) {
        int start = c.readerIndex();
        int end = c.writerIndex();
        for (int i = start; i < end - 1; i++) {
            if (c.getByte(i) == '"' && c.getByte(i + 1) == 't') {
                long v = 0;
                int j = i + 2;
                boolean digits = false;
                while (j < end) {
                    byte b = c.getByte(j);
                    if (b < '0' || b > '9') {
                        break;
                    }
                    v = v * 10 + (b - '0');
                    digits = true;
                    j++;
                }
                if (digits) {
                    return v;
                }
            }
        }
        return -1;
    }

    // ---- handshakes ----

    private void handshakes() throws Exception {
        int loops = opt("connections", 50);
        ProcessStats targets = new ProcessStats(opts.get("pids"));
        AtomicLong done = new AtomicLong();
        for (int i = 0; i < loops; i++) {
            handshakeLoop(done);
        }
        Thread.sleep(opt("warmup", 3) * 1000L);
        long cpu0 = targets.isEmpty() ? 0 : targets.cpuMillis();
        long n0 = done.get();
        long t0 = System.nanoTime();
        Thread.sleep(opt("seconds", 10) * 1000L);
        long n = done.get() - n0;
        long elapsed = System.nanoTime() - t0;
        long cpu = targets.isEmpty() ? 0 : targets.cpuMillis() - cpu0;
        running = false;
        Thread.sleep(500);
        result("handshakes", String.format("handshakes_per_s=%.0f cpu_us_per_handshake=%.1f handshakes=%d errors=%d",
                n / (elapsed / 1e9), n == 0 ? 0.0 : cpu * 1000.0 / n, n, errors.get()));
    }

    private void handshakeLoop(AtomicLong done) {
        if (!running) {
            return;
        }
        connect(new SimpleChannelInboundHandler<WebSocketFrame>() {
            @Override
            protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame msg) {
            }
        }).whenComplete((ch, failure) -> {
            if (failure != null) {
                errors.incrementAndGet();
                group.schedule(() -> handshakeLoop(done), 10, TimeUnit.MILLISECONDS);
                return;
            }
            done.incrementAndGet();
            ch.closeFuture().addListener(f -> handshakeLoop(done));
            ch.writeAndFlush(new CloseWebSocketFrame(1000, "")).addListener(f ->
                    ch.eventLoop().schedule(() -> { ch.close(); }, 2, TimeUnit.SECONDS));
        });
    }

    // ---- idle ----

    private void idle() throws Exception {
        int n = opt("connections", 1000);
        ProcessStats targets = new ProcessStats(opts.get("pids"));
        long heapBefore = targets.liveHeapKib();
        long before = targets.rssKib();
        Semaphore window = new Semaphore(opt("concurrency", 200));
        List<CompletableFuture<Channel>> all = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            window.acquire();
            CompletableFuture<Channel> f = connect(new SimpleChannelInboundHandler<WebSocketFrame>() {
                @Override
                protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame msg) {
                }
            });
            f.whenComplete((c, e) -> window.release());
            all.add(f);
        }
        int open = 0;
        for (CompletableFuture<Channel> f : all) {
            try {
                f.get(120, TimeUnit.SECONDS);
                open++;
            } catch (Exception e) {
                errors.incrementAndGet();
            }
        }
        Thread.sleep(opt("settle", 5) * 1000L);
        long heapAfter = targets.liveHeapKib();
        long after = targets.rssKib();
        // a JVM's memory per connection: its resident growth plus its live heap growth
        long grown = Math.max(0, after - before) + Math.max(0, heapAfter - heapBefore);
        result("idle", String.format("connections=%d rss_before_kib=%d rss_after_kib=%d heap_before_kib=%d heap_after_kib=%d"
                        + " rss_kib_per_connection=%.1f heap_kib_per_connection=%.1f kib_per_connection=%.1f errors=%d",
                open, before, after, heapBefore, heapAfter, open == 0 ? 0.0 : (after - before) / (double) open,
                open == 0 ? 0.0 : (heapAfter - heapBefore) / (double) open, open == 0 ? 0.0 : grown / (double) open, errors.get()));
        if (opts.containsKey("hold")) {
            Thread.sleep(Long.parseLong(opts.get("hold")) * 1000L);
        }
        for (CompletableFuture<Channel> f : all) {
            Channel ch = f.getNow(null);
            if (ch != null) {
                ch.close();
            }
        }
    }

    // ---- common ----

    private CompletableFuture<Channel> connect(SimpleChannelInboundHandler<WebSocketFrame> handler) {
        CompletableFuture<Channel> opened = new CompletableFuture<>();
        int port = uri.getPort() > 0 ? uri.getPort() : 80;
        DefaultHttpHeaders handshakeHeaders = new DefaultHttpHeaders();
        if (opts.containsKey("bearer")) {
            handshakeHeaders.set("Authorization", "Bearer " + opts.get("bearer"));
        }
        new Bootstrap().group(group).channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 30_000)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(65536),
                                new WebSocketClientProtocolHandler(WebSocketClientHandshakerFactory.newHandshaker(uri,
                                        WebSocketVersion.V13, null, false, handshakeHeaders, 16 * 1024 * 1024)),
                                new WebSocketFrameAggregator(16 * 1024 * 1024),
                                handler,
                                new ChannelInboundHandlerAdapter() {
                                    @Override
                                    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                                        if (evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
                                            opened.complete(ctx.channel());
                                        } else if (evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_TIMEOUT) {
                                            opened.completeExceptionally(new IllegalStateException("handshake timeout"));
                                        }
                                        ctx.fireUserEventTriggered(evt);
                                    }

                                    @Override
                                    public void channelInactive(ChannelHandlerContext ctx) {
                                        opened.completeExceptionally(new IllegalStateException("closed before the handshake"));
                                        ctx.fireChannelInactive();
                                    }

                                    @Override
                                    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                        opened.completeExceptionally(cause);
                                        ctx.close();
                                    }
                                });
                    }
                })
                .connect(uri.getHost(), port).addListener(f -> {
                    if (!f.isSuccess()) {
                        opened.completeExceptionally(f.cause());
                    }
                });
        return opened;
    }

    private void result(String mode, String numbers) {
        System.out.println("RESULT mode=" + mode + " label=" + opts.getOrDefault("label", "-") + " transport=" + (epoll ? "epoll" : "nio") + " " + numbers);
    }
}
