package io.synapsews.inbound.internal;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The client's upgrade request, checked before any mediation: each malformed or refused upgrade gets its
 * own status (and the headers RFC 6455 and RFC 9110 ask for), the connection is closed after the answer,
 * and a client that never completes its request gets 408 when the handshake timeout passes. Driven on an
 * {@code EmbeddedChannel}: its clock, not a wait, runs the timeout.
 */
class SourceHandshakeHandlerTest {

    private static final String KEY = "dGhlIHNhbXBsZSBub25jZQ==";

    @TempDir
    Path dir;

    private EmbeddedChannel ch;
    private InboundEndpoint endpoint;

    @AfterEach
    void release() {
        if (ch != null) {
            ch.finishAndReleaseAll();
        }
    }

    private void start(String params) throws Exception {
        File f = dir.resolve("Ep.xml").toFile();
        Files.write(f.toPath(), ("<inboundEndpoint xmlns=\"http://ws.apache.org/ns/synapse\" name=\"Ep\" protocol=\"ws\""
                + " sequence=\"s\"><parameters><parameter name=\"inbound.ws.port\">9</parameter>" + params
                + "</parameters></inboundEndpoint>").getBytes(StandardCharsets.UTF_8));
        // no runtime: every request here is answered before anything would be mediated
        endpoint = new InboundEndpoint(InboundEndpointConfig.parse(f), null);
        if (ch != null) {
            ch.finishAndReleaseAll();
        }
        // registered (and so active) only once the handler is in and the clock stopped: channelActive arms the timeout
        ch = new EmbeddedChannel(false, false);
        ch.freezeTime();
        ch.pipeline().addLast(new SourceHandshakeHandler(endpoint));
        ch.register();
    }

    private static FullHttpRequest upgrade(HttpVersion version, HttpMethod method) {
        FullHttpRequest r = new DefaultFullHttpRequest(version, method, "/chat", Unpooled.EMPTY_BUFFER);
        r.headers().set("Host", "gw").set("Upgrade", "websocket").set("Connection", "Upgrade")
                .set("Sec-WebSocket-Version", "13").set("Sec-WebSocket-Key", KEY);
        return r;
    }

    private FullHttpResponse answer(FullHttpRequest request) {
        ch.writeInbound(request);
        FullHttpResponse r = ch.readOutbound();
        assertTrue(r != null, "no answer");
        return r;
    }

    private String status(FullHttpRequest request) {
        FullHttpResponse r = answer(request);
        try {
            // a 426 naming the protocol says Connection: Upgrade (RFC 9110 15.5.22); every other refusal says it closes
            assertEquals(r.headers().contains("Upgrade") ? "upgrade" : "close", r.headers().get("Connection"));
            ch.runPendingTasks();
            assertFalse(ch.isOpen(), "the connection outlived its refusal");
            return r.status().code() + " " + r.content().toString(StandardCharsets.UTF_8).trim();
        } finally {
            r.release();
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "Upgrade          |                 | 426 this endpoint only speaks WebSocket",
        "Upgrade          | h2c             | 426 this endpoint only speaks WebSocket",
        "Connection       |                 | 400 missing Connection: Upgrade",
        "Connection       | keep-alive      | 400 missing Connection: Upgrade",
        "Sec-WebSocket-Version |            | 426 unsupported WebSocket version",
        "Sec-WebSocket-Version | 8          | 426 unsupported WebSocket version",
        "Sec-WebSocket-Key |                | 400 missing Sec-WebSocket-Key",
        "Sec-WebSocket-Key | c2hvcnQ=       | 400 Sec-WebSocket-Key is not 16 bytes in base64",
        "Sec-WebSocket-Key | not base64 at all! | 400 Sec-WebSocket-Key is not 16 bytes in base64",
    })
    void eachBadUpgradeHeaderHasItsOwnAnswer(String header, String value, String expected) throws Exception {
        start("");
        FullHttpRequest r = upgrade(HttpVersion.HTTP_1_1, HttpMethod.GET);
        if (value == null) {
            r.headers().remove(header);
        } else {
            r.headers().set(header, value);
        }
        assertEquals(expected, status(r));
    }

    @Test
    void theAnswersCarryTheHeadersTheyPromise() throws Exception {
        start("");
        FullHttpRequest noUpgrade = upgrade(HttpVersion.HTTP_1_1, HttpMethod.GET);
        noUpgrade.headers().remove("Upgrade");
        FullHttpResponse r = answer(noUpgrade);
        assertEquals("websocket", r.headers().get("Upgrade"), "426 names the protocol to upgrade to");
        r.release();

        start("");
        FullHttpRequest oldVersion = upgrade(HttpVersion.HTTP_1_1, HttpMethod.GET);
        oldVersion.headers().set("Sec-WebSocket-Version", "8");
        r = answer(oldVersion);
        assertEquals("13", r.headers().get("Sec-WebSocket-Version"), "426 names the version we speak");
        r.release();

        start("");
        r = answer(upgrade(HttpVersion.HTTP_1_1, HttpMethod.POST));
        assertEquals(405, r.status().code());
        assertEquals("GET", r.headers().get("Allow"));
        r.release();
    }

    @Test
    void twoKeysTwoHostsAndHttp10AreRefused() throws Exception {
        start("");
        FullHttpRequest twoKeys = upgrade(HttpVersion.HTTP_1_1, HttpMethod.GET);
        twoKeys.headers().add("Sec-WebSocket-Key", KEY);
        assertEquals("400 more than one Sec-WebSocket-Key", status(twoKeys));
        start("");
        FullHttpRequest twoHosts = upgrade(HttpVersion.HTTP_1_1, HttpMethod.GET);
        twoHosts.headers().add("Host", "other");
        assertEquals("400 more than one Host header", status(twoHosts));
        start("");
        assertEquals("400 a WebSocket handshake needs HTTP/1.1", status(upgrade(HttpVersion.HTTP_1_0, HttpMethod.GET)));
    }

    @Test
    void requestsTheDecoderRefusedGetTheirLimitInTheAnswer() throws Exception {
        start("<parameter name=\"ws.max.handshake.request.line\">300</parameter>");
        FullHttpRequest longLine = upgrade(HttpVersion.HTTP_1_1, HttpMethod.GET);
        longLine.setDecoderResult(DecoderResult.failure(new TooLongHttpLineException("too long")));
        assertEquals("414 request line over 300 bytes", status(longLine));
        start("");
        FullHttpRequest bigHeaders = upgrade(HttpVersion.HTTP_1_1, HttpMethod.GET);
        bigHeaders.setDecoderResult(DecoderResult.failure(new TooLongHttpHeaderException("too big")));
        assertEquals("431 handshake headers over 8192 bytes", status(bigHeaders));
        start("");
        FullHttpRequest garbage = upgrade(HttpVersion.HTTP_1_1, HttpMethod.GET);
        garbage.setDecoderResult(DecoderResult.failure(new IllegalArgumentException("bad")));
        assertEquals("400 malformed HTTP request", status(garbage));
    }

    @Test
    void overTheConnectionLimitTheAnswerIs503WithRetryAfter() throws Exception {
        start("<parameter name=\"ws.max.connections\">1</parameter>");
        endpoint.channelOpened(); // another client holds the one place
        FullHttpResponse r = answer(upgrade(HttpVersion.HTTP_1_1, HttpMethod.GET));
        assertEquals(503, r.status().code());
        assertEquals("5", r.headers().get("Retry-After"));
        r.release();
    }

    @Test
    void aClientThatNeverCompletesItsRequestGets408AtTheHandshakeTimeout() throws Exception {
        start("<parameter name=\"ws.handshake.timeout.ms\">2000</parameter>");
        ch.advanceTimeBy(1999, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertNull(ch.readOutbound(), "answered before the timeout");
        ch.advanceTimeBy(1, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        FullHttpResponse r = ch.readOutbound();
        try {
            assertEquals(408, r.status().code());
        } finally {
            ReferenceCountUtil.release(r);
        }
        ch.runPendingTasks();
        assertFalse(ch.isOpen(), "closed after its 408");
    }

    @Test
    void closingTheConnectionGivesItsPlaceBack() throws Exception {
        start("");
        assertEquals(1, endpoint.channelCount(), "the embedded channel is active from the start");
        ch.close();
        assertEquals(0, endpoint.channelCount());
    }
}
