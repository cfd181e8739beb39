package io.synapsews.gateway;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import io.synapsews.testing.Await;
import org.apache.log4j.spi.LoggingEvent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Malformed and abusive upgrade requests, sent byte for byte over a raw socket, get the HTTP status
 * the RFCs give them, and no stack trace reaches the log; an endpoint's connection limit answers 503,
 * and a client that dribbles its request is cut off with 408.
 */
class BadHandshakeTest {

    private static final String KEY = "dGhlIHNhbXBsZSBub25jZQ==";

    @TempDir
    static Path tmp;

    static EchoBackend backend;
    static Gateway gateway;
    static int port;
    static LogCapture log;

    @BeforeAll
    static void start() throws Exception {
        log = LogCapture.install();
        backend = new EchoBackend(0);
        TestHome home = TestHome.relayingTo(tmp.resolve("home").toFile(), backend.url());
        port = home.addInboundEndpoint("StrictEndpoint", "echoSeq",
                "<parameter name=\"ws.max.handshake.request.line\">1024</parameter>"
                        + "<parameter name=\"ws.max.handshake.header.size\">2048</parameter>"
                        + "<parameter name=\"ws.max.connections\">3</parameter>"
                        + "<parameter name=\"ws.handshake.timeout.ms\">1500</parameter>");
        gateway = Gateway.start(home.dir);
    }

    @AfterAll
    static void stop() throws Exception {
        TestHome.closeAll(gateway, backend);
    }

    private static String upgrade(String requestLine, String... extra) {
        StringBuilder b = new StringBuilder(requestLine).append("\r\nHost: localhost\r\n");
        for (String h : extra) {
            b.append(h).append("\r\n");
        }
        return b.append("\r\n").toString();
    }

    private static final String[] GOOD = {"Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Key: " + KEY,
            "Sec-WebSocket-Version: 13"};

    /**
     * Sends the bytes and returns the status line of the answer, once the gateway has closed the connection
     * (a refused upgrade is answered with {@code Connection: close}; one held open fails here at the read
     * timeout): whatever the gateway logs while handling the request is logged by then.
     */
    private static String refusal(byte[] request) throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(request);
            s.getOutputStream().flush();
            String status = firstLine(s.getInputStream());
            s.getInputStream().readAllBytes();
            return status;
        }
    }

    private static String refusal(String request) throws Exception {
        return refusal(request.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Sends the bytes and returns the status line of the answer. */
    private static String status(byte[] request) throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(request);
            s.getOutputStream().flush();
            return firstLine(s.getInputStream());
        }
    }

    private static String status(String request) throws Exception {
        return status(request.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static String firstLine(InputStream in) throws Exception {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != -1 && c != '\n') {
            line.write(c);
        }
        return line.toString(StandardCharsets.ISO_8859_1).trim();
    }

    @Test
    void aValidUpgradeIsAnswered101() throws Exception {
        assertEquals("HTTP/1.1 101 Switching Protocols", status(upgrade("GET /ok HTTP/1.1", GOOD)));
    }

    @Test
    void malformedUpgradesGetTheirStatusAndNoStackTrace() throws Exception {
        int before = log.events.size();
        assertEquals("HTTP/1.1 414 Request-URI Too Long", refusal(upgrade("GET /" + "a".repeat(2000) + " HTTP/1.1", GOOD)));
        String[] huge = new String[GOOD.length + 1];
        System.arraycopy(GOOD, 0, huge, 0, GOOD.length);
        huge[GOOD.length] = "X-Padding: " + "p".repeat(3000);
        assertEquals("HTTP/1.1 431 Request Header Fields Too Large", refusal(upgrade("GET / HTTP/1.1", huge)));
        assertTrue(refusal(upgrade("POST / HTTP/1.1", GOOD)).startsWith("HTTP/1.1 405"));
        assertTrue(refusal(upgrade("GET / HTTP/1.1", "Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Version: 13"))
                .startsWith("HTTP/1.1 400"), "missing key");
        assertTrue(refusal(upgrade("GET / HTTP/1.1", "Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Key: abc",
                "Sec-WebSocket-Version: 13")).startsWith("HTTP/1.1 400"), "a key that is not 16 bytes");
        assertTrue(refusal(upgrade("GET / HTTP/1.1", "Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Key: " + KEY,
                "Sec-WebSocket-Key: " + KEY, "Sec-WebSocket-Version: 13")).startsWith("HTTP/1.1 400"), "two keys");
        assertTrue(refusal(upgrade("GET / HTTP/1.1", "Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Key: " + KEY,
                "Sec-WebSocket-Version: 8")).startsWith("HTTP/1.1 426"), "an old protocol version");
        assertTrue(refusal(upgrade("GET / HTTP/1.0", GOOD)).startsWith("HTTP/1.1 400"), "HTTP/1.0");
        assertTrue(refusal(upgrade("GET / HTTP/1.1")).startsWith("HTTP/1.1 426"), "a plain GET");
        byte[] garbage = new byte[512];
        new Random(7).nextBytes(garbage);
        garbage[0] = 0x16; // looks like a TLS record to a plain endpoint
        assertTrue(refusal(garbage).startsWith("HTTP/1.1 400"), "binary garbage");
        // each connection was closed by the gateway before status() returned: no sleep needed before the check
        for (LoggingEvent e : log.eventsSince(before)) {
            assertTrue(e.getThrowableInformation() == null, "a stack trace was logged: " + e.getRenderedMessage());
        }
    }

    @Test
    void aClientThatDribblesItsRequestIsCutOffWith408() throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            byte[] request = upgrade("GET / HTTP/1.1", GOOD).getBytes(StandardCharsets.ISO_8859_1);
            long start = System.nanoTime();
            String answer = null;
            for (byte b : request) {
                try {
                    out.write(b);
                    out.flush();
                } catch (IOException closed) {
                    break;
                }
                if (s.getInputStream().available() > 0) {
                    break;
                }
                Thread.sleep(200);
                if (System.nanoTime() - start > 5_000_000_000L) {
                    break;
                }
            }
            answer = firstLine(s.getInputStream());
            assertTrue(answer.startsWith("HTTP/1.1 408"), answer);
            s.getInputStream().readAllBytes(); // the rest of the answer, then the end: a timeout here fails the test
        }
    }

    @Test
    void overTheConnectionLimitHandshakesGet503() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        List<WsClient> open = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            open.add(WsClient.connect(http, "ws://localhost:" + port + "/limit"));
        }
        String answer = status(upgrade("GET /limit HTTP/1.1", GOOD));
        assertTrue(answer.startsWith("HTTP/1.1 503"), answer);
        open.get(0).ws.sendClose(1000, "").join();
        open.get(0).closeWithin(10);
        // the server side of the closed connection goes away asynchronously
        Await.until(Duration.ofSeconds(5), () -> status(upgrade("GET /limit HTTP/1.1", GOOD)),
                a -> a.equals("HTTP/1.1 101 Switching Protocols"), "a handshake answered 101 once a connection closed");
        for (WsClient c : open.subList(1, 3)) {
            c.ws.sendClose(1000, "").join();
        }
    }
}
