package io.synapsews.gateway;

import java.io.InputStream;
import java.net.Socket;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import io.synapsews.testing.Await;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The gateway's own liveness checks: on client connections pings, pong timeout, idle timeout and
 * lifetime; on backend connections pings and pong timeout (the transport sender's
 * {@code ws.target.ping.interval.ms} and {@code ws.target.pong.timeout.ms}, on for every backend here).
 */
class LivenessTest {

    @TempDir
    static Path tmp;

    static EchoBackend backend;
    static Gateway gateway;
    static HttpClient http = HttpClient.newHttpClient();
    static int pingPort;
    static int idlePort;
    static int lifePort;
    static int readerIdlePort;
    static int writerIdlePort;
    static RawBackend muteBackend;
    static int mutePort;

    @BeforeAll
    static void start() throws Exception {
        backend = new EchoBackend(0);
        TestHome home = TestHome.relayingTo(tmp.resolve("home").toFile(), backend.url());
        home.addSenderParameter("ws", "<parameter name=\"ws.target.ping.interval.ms\">300</parameter>");
        home.addSenderParameter("ws", "<parameter name=\"ws.target.pong.timeout.ms\">500</parameter>");
        // the original's reader and writer idle times (seconds); the writer endpoint answers nothing
        readerIdlePort = home.addInboundEndpoint("ReaderIdle", "echoSeq", "<parameter name=\"ws.dispatch.idleTime\">1</parameter>");
        home.addHandshakeSequence("swallowSeq", backend.url(), "<drop/>");
        writerIdlePort = home.addInboundEndpoint("WriterIdle", "swallowSeq",
                "<parameter name=\"ws.outflow.dispatch.idleTime\">1</parameter>");
        muteBackend = new RawBackend(RawBackend::silent);
        home.addSendSequence("muteSeq", muteBackend.url());
        mutePort = home.addInboundEndpoint("Mute", "muteSeq", "");
        pingPort = home.addInboundEndpoint("Ping", "echoSeq", "<parameter name=\"ws.ping.interval.ms\">300</parameter>"
                + "<parameter name=\"ws.pong.timeout.ms\">500</parameter>");
        idlePort = home.addInboundEndpoint("Idle", "echoSeq", "<parameter name=\"ws.idle.timeout.ms\">1000</parameter>");
        lifePort = home.addInboundEndpoint("Life", "echoSeq", "<parameter name=\"ws.max.connection.lifetime.ms\">1500</parameter>");
        gateway = Gateway.start(home.dir);
    }

    @AfterAll
    static void stop() throws Exception {
        TestHome.closeAll(gateway, backend, muteBackend);
    }

    @Test
    void aClientThatAnswersPingsStaysOpen() throws Exception {
        WsClient c = WsClient.connect(http, "ws://localhost:" + pingPort + "/");
        Await.until(Duration.ofSeconds(10), () -> c.pings.get() >= 3 || c.closed.isDone(), "three pings");
        assertTrue(c.pings.get() >= 3, "pings seen: " + c.pings.get());
        assertFalse(c.closed.isDone(), "closed: " + c.closed.getNow(null));
        c.ws.sendText("still here", true).join();
        assertEquals("still here", c.next());
    }

    @Test
    void aClientThatNeverAnswersIsClosedAndSoIsItsBackend() throws Exception {
        while (backend.nextClose(100, TimeUnit.MILLISECONDS) != null) {
            // closes of earlier tests
        }
        try (Socket s = new Socket("127.0.0.1", pingPort)) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(("GET / HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = s.getInputStream();
            byte[] head = new byte[12];
            assertEquals(12, in.readNBytes(head, 0, 12));
            assertEquals("HTTP/1.1 101", new String(head, StandardCharsets.ISO_8859_1));
            // and now a dead peer: reads nothing it is sent, answers nothing; its socket stays open,
            // so the backend leg can only have been closed by the gateway's pong timeout
            String close = backend.nextClose(10, TimeUnit.SECONDS);
            assertTrue(close != null && close.startsWith("1001"), "backend close: " + close);
        }
    }

    @Test
    void aConnectionWithoutDataIsClosedAfterTheIdleTimeout() throws Exception {
        WsClient c = WsClient.connect(http, "ws://localhost:" + idlePort + "/");
        c.ws.sendText("one", true).join();
        assertEquals("one", c.next());
        assertEquals("1001 idle timeout", c.closeWithin(10));
    }

    @Test
    void aConnectionIsClosedAtItsMaximumLifetime() throws Exception {
        WsClient c = WsClient.connect(http, "ws://localhost:" + lifePort + "/");
        long start = System.nanoTime();
        // busy all along (so no idle check could be what closes it); an echo may be lost to the close
        while (!c.closed.isDone() && System.nanoTime() - start < 10_000_000_000L) {
            try {
                c.ws.sendText("busy", true).join();
            } catch (CompletionException | IllegalStateException closing) {
                break;
            }
            Thread.sleep(100);
        }
        assertEquals("1001 maximum connection lifetime", c.closeWithin(5));
    }

    @Test
    void aBackendThatAnswersNoPingIsClosedAndItsClientGets1001() throws Exception {
        WsClient c = WsClient.connect(http, "ws://localhost:" + mutePort + "/");
        // the backend reads this and answers nothing, pings included
        c.ws.sendText("anyone there?", true).join();
        assertEquals("1001 backend not responding", c.closeWithin(10));
    }

    @Test
    void aClientThatSendsNothingForTheReaderIdleTimeIsClosed() throws Exception {
        WsClient c = WsClient.connect(http, "ws://localhost:" + readerIdlePort + "/");
        assertEquals("1001 idle timeout", c.closeWithin(10));
    }

    @Test
    void aClientThatIsSentNothingForTheWriterIdleTimeIsClosedThoughItKeepsSending() throws Exception {
        WsClient c = WsClient.connect(http, "ws://localhost:" + writerIdlePort + "/");
        long start = System.nanoTime();
        while (!c.closed.isDone() && System.nanoTime() - start < 10_000_000_000L) {
            try {
                c.ws.sendText("into the void", true).join(); // the sequence drops it: nothing comes back
            } catch (CompletionException | IllegalStateException closing) {
                break;
            }
            Thread.sleep(100);
        }
        assertEquals("1001 idle timeout", c.closeWithin(5));
    }
}
