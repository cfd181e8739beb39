package io.synapsews.gateway;

import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.netty.handler.codec.http.HttpHeaders;
import io.synapsews.testing.Await;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a hostile client can name, inject or hold open at the handshake: properties it names in its
 * headers (none a policy reads can be set that way), text that would end up in a response header, a
 * token in two places, origins and addresses, a backend failure's details, a key source that hangs,
 * and guessing secrets at the token endpoint. The spy endpoint's sequence reports what it saw to the
 * backend as headers.
 */
class HandshakeSecurityTest {

    @TempDir
    static Path tmp;

    static ApiFixture api;

    @BeforeAll
    static void start() throws Exception {
        api = new ApiFixture(tmp);
    }

    @AfterAll
    static void stop() {
        if (api != null) {
            api.close();
        }
    }

    @Test
    void theSpoofThatSwitchedAuthenticationOffGets401() throws Exception {
        // the attack against the demo as shipped: no token, two headers naming the flags wsAuth and the switch read
        HttpResponse<?> r = api.refused(api.demoUrl(), Map.of(
                "websocket.source.handshake.present", "false", "api.ut.keyType", "PRODUCTION"));
        assertEquals(401, r.statusCode());
        // the same with Synapse's own control names and other spellings
        Map<String, String> spoof = Map.of("Websocket.Source.Handshake.Present", "false",
                "API.UT.KEYTYPE", "PRODUCTION", "HTTP_SC", "200", "OUT_ONLY", "false", "ERROR_MESSAGE", "x");
        assertEquals(401, api.refused(api.demoUrl(), spoof).statusCode());
        // and on the spy endpoint (wsAuth, then send), where a backend handshake would carry the marked path
        String marker = marker();
        assertEquals(401, api.refused(api.url(api.spyPort) + "?m=" + marker, spoof).statusCode());
        assertNoSpy(marker);
    }

    @Test
    void headersNamingReservedPropertiesChangeNothingTheSequenceSees() throws Exception {
        String sandboxToken = api.keyManagerToken(DemoHome.SANDBOX_CLIENT, DemoHome.SANDBOX_SECRET);
        Map<String, String> headers = new LinkedHashMap<>(WsClient.bearer(sandboxToken));
        headers.put("api.ut.keyType", "PRODUCTION");
        headers.put("api.ut.application.name", "SomeoneElse");
        headers.put("websocket.subscriber.path", "/admin");
        headers.put("inbound.endpoint.name", "Elsewhere");
        headers.put("websocket.source.handshake.present", "false");
        headers.put("OUT_ONLY", "false");
        headers.put("X-Custom", "kept");
        String marker = marker();
        WsClient c = WsClient.connect(api.http, api.url(api.spyPort) + "?q=" + marker, headers);
        HttpHeaders seen = spy(marker);
        assertEquals("SANDBOX", seen.get("X-Seen-KeyType"));
        assertEquals("DefaultApplication", seen.get("X-Seen-Application"));
        assertEquals("/api?q=" + marker, seen.get("X-Seen-Path"));
        assertEquals("SpyEndpoint", seen.get("X-Seen-Endpoint"));
        assertEquals("true", seen.get("X-Seen-Handshake"));
        assertEquals("true", seen.get("X-Seen-OutOnly"));
        // headers keep their WSO2-compatible exposure otherwise, and every one stays in the transport headers
        assertEquals("kept", seen.get("X-Seen-Custom"));
        assertEquals("PRODUCTION", seen.get("X-Seen-Transport"));
        c.ws.sendText("still works", true).join();
        assertEquals("still works", c.next());
        c.ws.sendClose(1000, "").join();
        c.closeWithin(10);
    }

    private static String marker() {
        return UUID.randomUUID().toString().replace("-", "");
    }

    /**
     * The backend handshake the spy sequence made for the client whose path carries {@code marker}: other
     * tests' handshakes reach the same backend, late ones too, and are skipped.
     */
    private static HttpHeaders spy(String marker) throws InterruptedException {
        return Await.until(Duration.ofSeconds(10), () -> api.production.nextHandshake(100, TimeUnit.MILLISECONDS),
                h -> h != null && String.valueOf(h.get("X-Seen-Path")).contains(marker),
                "a backend handshake for the client marked " + marker);
    }

    /** No backend handshake for the client marked {@code marker} arrives (within half a second of its answer). */
    private static void assertNoSpy(String marker) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
        while (System.nanoTime() < deadline) {
            HttpHeaders h = api.production.nextHandshake(50, TimeUnit.MILLISECONDS);
            assertFalse(h != null && String.valueOf(h.get("X-Seen-Path")).contains(marker), "a backend connection was opened: " + h);
        }
    }

    /** A raw upgrade request with these extra header lines; returns the response head. */
    private static String handshake(int port, String path, String... headerLines) throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(20_000);
            StringBuilder req = new StringBuilder("GET " + path + " HTTP/1.1\r\nHost: localhost:" + port
                    + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    + "Sec-WebSocket-Version: 13\r\n");
            for (String h : headerLines) {
                req.append(h).append("\r\n");
            }
            s.getOutputStream().write(req.append("\r\n").toString().getBytes(StandardCharsets.UTF_8));
            String head = RawWs.readHead(s.getInputStream());
            if (!head.startsWith("HTTP/1.1 101")) {
                // the body, for the assertions about what a refusal says
                byte[] rest = s.getInputStream().readAllBytes();
                head += new String(rest, StandardCharsets.UTF_8);
            }
            return head;
        }
    }

    private static String status(String head) {
        return head.substring(9, 12);
    }

    @Test
    void originsOutsideTheEndpointsListGet403BeforeAnyBackend() throws Exception {
        String token = api.keyManagerToken(DemoHome.PRODUCTION_CLIENT, DemoHome.PRODUCTION_SECRET);
        String auth = "Authorization: Bearer " + token;
        String marker = marker();
        assertEquals("403", status(handshake(api.guardedPort, "/api?m=" + marker, auth, "Origin: https://evil.example.com")));
        assertEquals("403", status(handshake(api.guardedPort, "/api?m=" + marker, auth, "Origin: https://app.example.com.evil.net")));
        assertNoSpy(marker);
        assertEquals("101", status(handshake(api.guardedPort, "/api", auth, "Origin: https://app.example.com")));
        assertEquals("101", status(handshake(api.guardedPort, "/api", auth, "Origin: https://chat.example.org")));
        // not from a browser page: no Origin, not judged by it
        assertEquals("101", status(handshake(api.guardedPort, "/api", auth)));
        // the API's own list in wsAuth
        assertEquals("403", status(handshake(api.originApiPort, "/api", auth, "Origin: https://app.example.com")));
        assertEquals("101", status(handshake(api.originApiPort, "/api", auth, "Origin: https://portal.example.com")));
    }

    @Test
    void theClientAddressComesFromATrustedProxyOnlyAndDeniedNetworksGet403() throws Exception {
        String token = api.keyManagerToken(DemoHome.PRODUCTION_CLIENT, DemoHome.PRODUCTION_SECRET);
        String auth = "Authorization: Bearer " + token;
        // the gateway's peer (127.0.0.1) is a trusted proxy on the guarded endpoint: the forwarded address counts
        String marker = marker();
        assertEquals("101", status(handshake(api.guardedPort, "/api?m=" + marker, auth, "X-Forwarded-For: 10.9.9.9, 198.51.100.1")));
        HttpHeaders seen = spy(marker);
        assertEquals("198.51.100.1", seen.get("X-Seen-ClientIp"));
        assertEquals("403", status(handshake(api.guardedPort, "/api", auth, "Forwarded: for=203.0.113.7;proto=https")));
        // the spy endpoint trusts no proxy: a forged X-Forwarded-For changes nothing
        marker = marker();
        assertEquals("101", status(handshake(api.spyPort, "/api?m=" + marker, auth, "X-Forwarded-For: 203.0.113.7")));
        seen = spy(marker);
        assertEquals("127.0.0.1", seen.get("X-Seen-ClientIp"));
    }

    @Test
    void aQueryTokenIsRemovedEvenWhenTheHeaderCarriedTheToken() throws Exception {
        String token = api.keyManagerToken(DemoHome.PRODUCTION_CLIENT, DemoHome.PRODUCTION_SECRET);
        String one = marker();
        assertEquals("101", status(handshake(api.spyPort, "/api?access_token=secret-in-the-query&q=" + one,
                "Authorization: Bearer " + token)));
        assertEquals("/api?q=" + one, spy(one).get("X-Seen-Path"));
        // an empty header: the query token is used, and removed
        String two = marker();
        assertEquals("101", status(handshake(api.spyPort, "/api?access_token=" + token + "&q=" + two, "Authorization: Bearer ")));
        assertEquals("/api?q=" + two, spy(two).get("X-Seen-Path"));
    }

    @Test
    void tokenTextNeverSplitsTheResponseHead() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        KeyPair pair = g.generateKeyPair();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(
                JWSAlgorithm.RS256).keyID("k\r\nX-Injected: yes\r\n\r\n<html>").build(),
                new JWTClaimsSet.Builder().claim("client_id", DemoHome.PRODUCTION_CLIENT)
                        .expirationTime(new Date(System.currentTimeMillis() + 60_000)).build());
        jwt.sign(new RSASSASigner(pair.getPrivate()));
        for (int port : new int[] {api.home.wsPort, api.jwksPort}) {
            String path = port == api.jwksPort ? "/api" : "/echowebsocket/1.0";
            String head = handshake(port, path, "Authorization: Bearer " + jwt.serialize());
            assertEquals("401", status(head), head);
            assertFalse(head.contains("X-Injected"), head);
            long challenges = head.lines().filter(l -> l.startsWith("WWW-Authenticate:")).count();
            assertEquals(1, challenges, head);
        }
    }

    @Test
    void aBackendFailureTellsTheClientACorrelationIdAndTheLogTheDetails() throws Exception {
        String head = handshake(api.deadBackendPort, "/");
        assertEquals("502", status(head), head);
        String body = head.substring(head.indexOf("\r\n\r\n") + 4);
        assertTrue(body.contains("correlation id "), body);
        assertFalse(body.contains("127.0.0.1") || body.contains("ws://") || body.contains("Exception"), body);
    }

    @Test
    void tokensWithoutExpiryOrWithoutAClientAreRefused() throws Exception {
        // signed with the key manager's key (its key store), checked by the certificate endpoint
        KeyStore ks = KeyStore.getInstance(api.home.keyStore, "wso2carbon".toCharArray());
        PrivateKey key = (PrivateKey) ks.getKey("wso2carbon", "wso2carbon".toCharArray());
        String issuer = "http://localhost:" + api.home.keyManagerPort + "/oauth2/token";
        JWTClaimsSet noExp = new JWTClaimsSet.Builder().issuer(issuer)
                .audience(ApiFixture.AUDIENCE).claim("client_id", DemoHome.PRODUCTION_CLIENT).build();
        JWTClaimsSet subOnly = new JWTClaimsSet.Builder().issuer(issuer)
                .audience(ApiFixture.AUDIENCE).subject(DemoHome.PRODUCTION_CLIENT)
                .expirationTime(new Date(System.currentTimeMillis() + 60_000)).build();
        for (JWTClaimsSet claims : new JWTClaimsSet[] {noExp, subOnly}) {
            SignedJWT jwt = new SignedJWT(
                    new JWSHeader.Builder(JWSAlgorithm.RS256).build(), claims);
            jwt.sign(new RSASSASigner(key));
            String head = handshake(api.certificatePort, "/api", "Authorization: Bearer " + jwt.serialize());
            assertEquals("401", status(head), head);
        }
    }

    @Test
    void aHangingKeySourceAnswers504InTimeAndNeverStallsOpenConnections() throws Exception {
        WsClient open = WsClient.connect(api.http, api.url(api.spyPort),
                WsClient.bearer(api.keyManagerToken(DemoHome.PRODUCTION_CLIENT, DemoHome.PRODUCTION_SECRET)));
        String token = api.externalToken("external-client", ApiFixture.AUDIENCE, 60);
        ExecutorService pool = Executors.newFixedThreadPool(50);
        try {
            List<Future<String>> heads = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                heads.add(pool.submit(() -> handshake(api.hangingJwksPort, "/api", "Authorization: Bearer " + token)));
            }
            // while 50 handshakes wait on the key source, the open connection's messages are mediated as ever
            for (int i = 0; i < 20; i++) {
                open.ws.sendText("still here " + i, true).join();
                assertEquals("still here " + i, open.next());
            }
            // each is answered: 504 when its wait ran past ws.handshake.timeout.ms, 503 when it did not wait at
            // all (more handshakes than may wait on one key source)
            for (Future<String> h : heads) {
                String head = h.get(30, TimeUnit.SECONDS);
                assertTrue(status(head).equals("504") || status(head).equals("503"), head);
            }
        } finally {
            pool.shutdownNow();
        }
        open.ws.sendClose(1000, "").join();
    }

    @Test
    void guessingSecretsAtTheTokenEndpointIsSlowedTo429() throws Exception {
        HttpRequest.Builder wrong = HttpRequest.newBuilder(URI.create(api.tokenUrl()))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "grant_type=client_credentials&client_id=tiny-d&client_secret=guess"));
        for (int i = 0; i < 10; i++) {
            assertEquals(401, api.http.send(wrong.build(), HttpResponse.BodyHandlers.ofString()).statusCode());
        }
        HttpResponse<String> r = api.http.send(wrong.build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(429, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("Retry-After").isPresent());
        // the right secret too, for the rest of the minute: the guesser learns nothing
        HttpRequest right = HttpRequest.newBuilder(URI.create(api.tokenUrl()))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "grant_type=client_credentials&client_id=tiny-d&client_secret=tiny-d-secret")).build();
        assertEquals(429, api.http.send(right, HttpResponse.BodyHandlers.ofString()).statusCode());
    }

    @Test
    void aThrottledClientThatReadsNoErrorFramesIsNotReadEither() throws Exception {
        String token = api.keyManagerToken("tiny-c", "tiny-c-secret");
        AtomicLong written = new AtomicLong();
        long before = BackpressureTest.memoryInUse();
        try (RawWs raw = RawWs.connect(api.tinyPort, "/api?access_token=" + token)) {
            byte[] one = {'x'};
            CompletableFuture<Void> flood = CompletableFuture.runAsync(() -> {
                try {
                    for (int i = 0; i < 20_000_000; i++) {
                        raw.send(true, 0, RawWs.TEXT, one);
                        written.incrementAndGet();
                    }
                } catch (IOException closed) {
                    // closed at the end of the test
                }
            });
            // past its tier every message earns an error frame it does not read: the gateway sends no more
            // than its write buffer holds, and stops reading it
            long stalledAt = Await.quiet(written::get, Duration.ofSeconds(2),
                    Duration.ofSeconds(90), "a throttled client flooding messages and reading no error frame");
            assertTrue(stalledAt < 20_000_000, "the gateway read " + stalledAt + " messages");
            long growth = BackpressureTest.memoryInUse() - before;
            // what it may hold: the flow gate's 4 MiB of queued messages, one write buffer (64 KiB) of error
            // frames and the pooled chunks (4 MiB each) of the arenas that served them; the error frames
            // queued while the channel still said writable took about 60 MiB under the paranoid detector
            assertTrue(growth < 32L * 1024 * 1024, "memory grew " + (growth >> 20) + " MiB for a client that reads nothing");
            raw.socket.close();
            flood.get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void aTokenAcceptedInsideTheClockSkewIsClosedAfterThe101AtExpiryPlusSkew() throws Exception {
        // expired a second ago, accepted within the endpoint's 3 s of skew: 101 first, then 1008 at exp + 3 s
        String token = api.externalToken("external-client", ApiFixture.AUDIENCE, -1);
        WsClient c = WsClient.connect(api.http, api.url(api.skewPort), WsClient.bearer(token));
        c.ws.sendText("before the deadline", true).join();
        assertEquals("before the deadline", c.next());
        assertEquals("1008 access token expired", c.closeWithin(20));
    }
}
