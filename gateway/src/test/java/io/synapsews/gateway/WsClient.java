package io.synapsews.gateway;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** The JDK's WebSocket client with queues of what arrived: whole messages, pongs, the close. */
final class WsClient implements WebSocket.Listener {

    final BlockingQueue<Object> messages = new LinkedBlockingQueue<>();
    final BlockingQueue<ByteBuffer> pongs = new LinkedBlockingQueue<>();
    final CompletableFuture<String> closed = new CompletableFuture<>();
    final AtomicInteger pings = new AtomicInteger();
    private StringBuilder text = new StringBuilder();
    private ByteArrayOutputStream binary = new ByteArrayOutputStream();
    WebSocket ws;

    static WsClient connect(HttpClient http, String url) {
        return connect(http, url, Map.of());
    }

    /** Connects with extra handshake headers; a header named Sec-WebSocket-Protocol is offered as subprotocols. */
    static WsClient connect(HttpClient http, String url, Map<String, String> headers) {
        WsClient c = new WsClient();
        WebSocket.Builder b = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(30));
        for (Map.Entry<String, String> h : headers.entrySet()) {
            if ("Sec-WebSocket-Protocol".equals(h.getKey())) {
                String[] offered = h.getValue().split(",\\s*");
                b.subprotocols(offered[0], Arrays.copyOfRange(offered, 1, offered.length));
            } else {
                b.header(h.getKey(), h.getValue());
            }
        }
        c.ws = b.buildAsync(URI.create(url), c).orTimeout(40, TimeUnit.SECONDS).join();
        return c;
    }

    /** The status of a handshake with this bearer token: 101 (then closed with 1000), or that of its refusal. */
    static int handshakeStatus(String url, String token) {
        try {
            connect(HttpClient.newHttpClient(), url, bearer(token)).ws.sendClose(1000, "").join();
            return 101;
        } catch (java.util.concurrent.CompletionException e) {
            return ((java.net.http.WebSocketHandshakeException) e.getCause()).getResponse().statusCode();
        }
    }

    /** Bearer authorization for {@link #connect(HttpClient, String, java.util.Map)}. */
    static Map<String, String> bearer(String token) {
        return Map.of("Authorization", "Bearer " + token);
    }

    Object next() throws InterruptedException {
        Object m = messages.poll(20, TimeUnit.SECONDS);
        if (m == null) {
            throw new AssertionError("no message within 20 s");
        }
        return m;
    }

    String closeWithin(long seconds) throws Exception {
        return closed.get(seconds, TimeUnit.SECONDS);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        text.append(data);
        if (last) {
            messages.add(text.toString());
            text = new StringBuilder();
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
        byte[] b = new byte[data.remaining()];
        data.get(b);
        binary.write(b, 0, b.length);
        if (last) {
            messages.add(binary.toByteArray());
            binary = new ByteArrayOutputStream();
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onPing(WebSocket webSocket, ByteBuffer message) {
        pings.incrementAndGet(); // the JDK client answers with a pong by itself
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onPong(WebSocket webSocket, ByteBuffer message) {
        pongs.add(message);
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closed.complete(statusCode + " " + reason);
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        closed.complete("error " + error);
    }
}
