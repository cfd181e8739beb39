package io.synapsews.gateway;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import com.nimbusds.jose.util.JSONObjectUtils;
import io.netty.handler.codec.http.HttpHeaders;
import io.synapsews.mediators.internal.GatewayRuntime;
import io.synapsews.testing.Await;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The WebSocket API gateway functions through the embedded gateway: token validation at the
 * handshake against the built-in key manager and a real OAuth2 server (JWKS, introspection, a
 * configured certificate), subscriptions, production and sandbox, token expiry, tiers and
 * throttling, and the analytics endpoint and connection log.
 */
class ApiGatewayTest {

    @TempDir
    static Path tmp;

    static ApiFixture api;

    @BeforeAll
    static void start() throws Exception {
        api = new ApiFixture(tmp);
    }

    @Test
    void theDemoApisMessagesTakeTheLaneTheEndpointGivesThem() throws Exception {
        io.synapsews.transport.payload.PayloadCounters counted = io.synapsews.transport.payload.PayloadCodec.shared().counters();
        WsClient c = WsClient.connect(api.http, api.demoUrl(),
                WsClient.bearer(api.keyManagerToken(DemoHome.PRODUCTION_CLIENT, DemoHome.PRODUCTION_SECRET)));
        long relayed = counted.relayed();
        long compiled = counted.compiled();
        long untouched = counted.untouched();
        for (int i = 0; i < 10; i++) {
            echo(c, "lane " + i);
        }
        // compiled (as configured, and with the relay lane off): wsAuth, wsThrottle and the key-type switch
        // run as steps, the frames relayed both ways; mediated: every message through dispatchSeq and
        // outflowDispatchSeq, left with its bytes
        boolean mediated = LaneCheck.forced() == LaneCheck.Lane.MEDIATED;
        assertEquals(0, counted.relayed() - relayed, "messages relayed without a step");
        assertEquals(mediated ? 0 : 20, counted.compiled() - compiled, "messages relayed by the compiled plan");
        assertEquals(mediated ? 20 : 0, counted.untouched() - untouched, "messages mediated");
        c.ws.sendClose(1000, "").join();
    }

    @AfterAll
    static void stop() {
        if (api != null) {
            api.close();
        }
    }

    @Test
    void tokenFromHeaderQueryParameterOrSubprotocolOpensTheApi() throws Exception {
        String token = api.keyManagerToken(DemoHome.PRODUCTION_CLIENT, DemoHome.PRODUCTION_SECRET);
        drain(api.production);

        WsClient header = WsClient.connect(api.http, api.demoUrl(), WsClient.bearer(token));
        echo(header, "by header");
        HttpHeaders seen = api.production.nextHandshake(10, TimeUnit.SECONDS);
        assertNotNull(seen);
        assertNull(seen.get("Authorization"), "the token reached the backend: " + seen);

        WsClient query = WsClient.connect(api.http, api.demoUrl() + "?access_token=" + token + "&room=7");
        echo(query, "by query parameter");
        query.ws.sendClose(1000, "").join();
        query.closeWithin(10);

        // the browser pattern: the token rides in Sec-WebSocket-Protocol next to a real subprotocol
        drain(api.production);
        WsClient sub = WsClient.connect(api.http, api.demoUrl(), Map.of("Sec-WebSocket-Protocol", "echo.v1, access_token." + token));
        assertEquals("echo.v1", sub.ws.getSubprotocol());
        echo(sub, "by subprotocol");
        seen = api.production.nextHandshake(10, TimeUnit.SECONDS);
        assertEquals("echo.v1", seen.get("Sec-WebSocket-Protocol"), "the backend was offered the token entry");

        // the token in the query never reaches a log line or the connection log
        String log = awaitConnectionLog("room=7");
        assertFalse(log.contains(token), log);
        assertTrue(log.contains("\"path\":\"/echowebsocket/1.0?room=7\""), log);
    }

    @Test
    void noTokenIs401WithABearerChallengeAndNoBackendConnection() throws Exception {
        drain(api.production);
        HttpResponse<?> r = api.refused(api.demoUrl(), Map.of());
        assertEquals(401, r.statusCode());
        String challenge = r.headers().firstValue("WWW-Authenticate").orElse("");
        assertTrue(challenge.startsWith("Bearer"), challenge);
        assertFalse(challenge.contains("error="), challenge);
        assertNull(api.production.nextHandshake(500, TimeUnit.MILLISECONDS), "a backend connection was opened");
    }

    @Test
    void invalidOrExpiredTokensAre401InvalidToken() throws Exception {
        String good = api.keyManagerToken(DemoHome.PRODUCTION_CLIENT, DemoHome.PRODUCTION_SECRET);
        String tampered = good.substring(0, good.length() - 4) + (good.endsWith("AAAA") ? "BBBB" : "AAAA");
        assertInvalid(api.demoUrl(), "garbage.not.jwt");
        assertInvalid(api.demoUrl(), tampered);
        // signed by another issuer's key: unknown to the built-in key manager
        assertInvalid(api.demoUrl(), api.externalToken(DemoHome.PRODUCTION_CLIENT, ApiFixture.AUDIENCE, 60));
        assertInvalid(api.url(api.jwksPort), api.externalToken("external-client", "someone-else", 60));
        // expired 2 minutes ago, past the gateway's clock skew (60 s)
        String expired = api.externalToken("external-client", ApiFixture.AUDIENCE, -120);
        HttpResponse<?> r = assertInvalid(api.url(api.jwksPort), expired);
        assertTrue(r.headers().firstValue("WWW-Authenticate").orElse("").contains("expired"), r.headers().map().toString());
    }

    @Test
    void aValidTokenWithoutASubscriptionIs403() throws Exception {
        HttpResponse<?> r = api.refused(api.url(api.jwksPort),
                WsClient.bearer(api.externalToken("unsubscribed-client", ApiFixture.AUDIENCE, 60)));
        assertEquals(403, r.statusCode());
        // subscribed to TinyApi only
        r = api.refused(api.demoUrl(), WsClient.bearer(api.keyManagerToken("tiny-a", "tiny-a-secret")));
        assertEquals(403, r.statusCode());
    }

    @Test
    void externalJwtsAreVerifiedAgainstTheJwksUrl() throws Exception {
        WsClient c = WsClient.connect(api.http, api.url(api.jwksPort),
                WsClient.bearer(api.externalToken("external-client", ApiFixture.AUDIENCE, 60)));
        echo(c, "via the external server's JWKS");
    }

    @Test
    void introspectionValidatesTokensItDoesNotParse() throws Exception {
        WsClient c = WsClient.connect(api.http, api.url(api.introspectionPort),
                WsClient.bearer(api.externalToken("external-client", ApiFixture.AUDIENCE, 60)));
        echo(c, "via introspection");
        assertInvalid(api.url(api.introspectionPort), "an-opaque-token-nobody-issued");

        // answers are cached: the same token twice is introspected once
        String token = api.externalToken("external-client", ApiFixture.AUDIENCE, 60);
        oauthRequests();
        echo(WsClient.connect(api.http, api.url(api.introspectionPort), WsClient.bearer(token)), "first");
        echo(WsClient.connect(api.http, api.url(api.introspectionPort), WsClient.bearer(token)), "second");
        assertEquals(1, oauthRequests().stream().filter(p -> p.endsWith("/introspect")).count());
    }

    @Test
    void aConfiguredCertificateVerifiesTheKeyManagersTokens() throws Exception {
        // the key manager signs with the key store's key; the endpoint knows only its certificate
        WsClient c = WsClient.connect(api.http, api.url(api.certificatePort),
                WsClient.bearer(api.keyManagerToken(DemoHome.PRODUCTION_CLIENT, DemoHome.PRODUCTION_SECRET)));
        echo(c, "via the certificate");
        assertInvalid(api.url(api.certificatePort), api.externalToken(DemoHome.PRODUCTION_CLIENT, ApiFixture.AUDIENCE, 60));
    }

    @Test
    void productionAndSandboxKeysReachTheirOwnBackends() throws Exception {
        drain(api.production);
        drain(api.sandbox);
        WsClient prod = WsClient.connect(api.http, api.demoUrl(),
                WsClient.bearer(api.keyManagerToken(DemoHome.PRODUCTION_CLIENT, DemoHome.PRODUCTION_SECRET)));
        echo(prod, "production");
        assertNotNull(api.production.nextHandshake(10, TimeUnit.SECONDS));
        assertNull(api.sandbox.nextHandshake(200, TimeUnit.MILLISECONDS));

        WsClient sandbox = WsClient.connect(api.http, api.demoUrl(),
                WsClient.bearer(api.keyManagerToken(DemoHome.SANDBOX_CLIENT, DemoHome.SANDBOX_SECRET)));
        echo(sandbox, "sandbox");
        assertNotNull(api.sandbox.nextHandshake(10, TimeUnit.SECONDS));
        assertNull(api.production.nextHandshake(200, TimeUnit.MILLISECONDS));

        // an API with only a production backend
        HttpResponse<?> r = api.refused(api.url(api.tinyPort), WsClient.bearer(api.keyManagerToken("tiny-a-sandbox", "tiny-a-secret")));
        assertEquals(403, r.statusCode());
    }

    @Test
    void anExpiringTokenClosesItsConnectionWith1008UnlessConfiguredToKeepIt() throws Exception {
        WsClient closing = WsClient.connect(api.http, api.url(api.jwksPort),
                WsClient.bearer(api.externalToken("external-client", ApiFixture.AUDIENCE, 3)));
        WsClient kept = WsClient.connect(api.http, api.url(api.keepPort),
                WsClient.bearer(api.externalToken("external-client", ApiFixture.AUDIENCE, 3)));
        echo(closing, "before expiry");
        echo(kept, "before expiry");
        assertEquals("1008 access token expired", closing.closeWithin(15));
        echo(kept, "after expiry, kept");
    }

    @Test
    void aTierLimitIsSharedByTheConnectionsOfOneSubscriptionOnly() throws Exception {
        freshWindow();
        String a = api.keyManagerToken("tiny-a", "tiny-a-secret");
        WsClient a1 = WsClient.connect(api.http, api.url(api.tinyPort), WsClient.bearer(a));
        WsClient a2 = WsClient.connect(api.http, api.url(api.tinyPort), WsClient.bearer(a));
        WsClient b = WsClient.connect(api.http, api.url(api.tinyPort), WsClient.bearer(api.keyManagerToken("tiny-b", "tiny-b-secret")));
        for (int i = 0; i < 6; i++) {
            echo(a1, "a1 " + i);
            echo(b, "b " + i); // another application: its own count
        }
        for (int i = 0; i < 4; i++) {
            echo(a2, "a2 " + i);
        }
        for (int i = 4; i < 6; i++) {
            a2.ws.sendText("a2 " + i, true).join();
            String error = (String) a2.next();
            assertTrue(error.contains("\"error\":\"throttled\"") && error.contains("Tiny"), error);
        }
        echo(b, "b still below its own limit");
        assertFalse(a2.closed.isDone(), "the error action keeps the connection");
        awaitMetric("synapsews_throttled_messages_total{api=\"TinyApi\",version=\"1.0\",application=\"TinyA\","
                + "direction=\"client_to_backend\"} 2\n");
        String metrics = api.get("/metrics").body();
        assertFalse(metrics.contains("synapsews_throttled_messages_total{api=\"TinyApi\",version=\"1.0\",application=\"TinyB\""),
                metrics);
    }

    @Test
    void theShippedGoldTierAllows5000MessagesPerMinuteToASubscription() throws Exception {
        freshWindow();
        String a = api.keyManagerToken("gold-a", "gold-a-secret");
        WsClient a1 = WsClient.connect(api.http, api.url(api.goldPort), WsClient.bearer(a));
        WsClient a2 = WsClient.connect(api.http, api.url(api.goldPort), WsClient.bearer(a));
        WsClient b = WsClient.connect(api.http, api.url(api.goldPort), WsClient.bearer(api.keyManagerToken("gold-b", "gold-b-secret")));
        for (WsClient c : List.of(a1, a2)) {
            for (int i = 0; i < 2500; i++) {
                c.ws.sendText("g" + i, true).join();
            }
        }
        for (WsClient c : List.of(a1, a2)) {
            for (int i = 0; i < 2500; i++) {
                assertEquals("g" + i, c.next());
            }
        }
        a2.ws.sendText("number 5001", true).join();
        String error = (String) a2.next();
        assertTrue(error.contains("\"error\":\"throttled\"") && error.contains("Gold"), error);
        echo(b, "another subscription is not affected");
    }

    @Test
    void aTierCanLimitBytesPerMinute() throws Exception {
        freshWindow();
        WsClient c = WsClient.connect(api.http, api.url(api.tinyPort), WsClient.bearer(api.keyManagerToken("bytes", "bytes-secret")));
        echo(c, "0123456789");
        echo(c, "abcdefghij"); // 20 bytes: the limit
        c.ws.sendText("x", true).join();
        String error = (String) c.next();
        assertTrue(error.contains("throttled") && error.contains("Bytes"), error);
    }

    @Test
    void bothDirectionsCountWhenBothSequencesThrottle() throws Exception {
        freshWindow();
        WsClient c = WsClient.connect(api.http, api.url(api.tinyBothPort), WsClient.bearer(api.keyManagerToken("tiny-c", "tiny-c-secret")));
        for (int i = 0; i < 5; i++) {
            echo(c, "m" + i); // 2 counted each
        }
        c.ws.sendText("m5", true).join();
        String error = (String) c.next();
        assertTrue(error.contains("throttled"), error);
    }

    @Test
    void theCloseActionEndsTheConnectionWith1008() throws Exception {
        freshWindow();
        WsClient c = WsClient.connect(api.http, api.url(api.tinyClosePort), WsClient.bearer(api.keyManagerToken("tiny-d", "tiny-d-secret")));
        for (int i = 0; i < 10; i++) {
            echo(c, "m" + i);
        }
        c.ws.sendText("one too many", true).join();
        assertTrue(c.closeWithin(10).startsWith("1008"), "closed with " + c.closed.getNow(null));
        assertTrue(c.messages.isEmpty(), "a throttled message got through: " + c.messages);
    }

    @Test
    void handshakesPerMinuteOfAnApplicationAreLimitedWith429() throws Exception {
        freshWindow();
        String token = api.keyManagerToken("limited", "limited-secret");
        WsClient.connect(api.http, api.demoUrl(), WsClient.bearer(token));
        WsClient.connect(api.http, api.demoUrl(), WsClient.bearer(token));
        HttpResponse<?> r = api.refused(api.demoUrl(), WsClient.bearer(token));
        assertEquals(429, r.statusCode());
        assertTrue(r.headers().firstValue("Retry-After").isPresent(), r.headers().map().toString());
    }

    /** {@code POST /oauth2/revoke} (RFC 7009) with the client's Basic credentials and {@code token}. */
    private static int revoke(String clientId, String secret, String form) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://localhost:" + api.home.keyManagerPort + "/oauth2/revoke"))
                .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form));
        if (clientId != null) {
            b.header("Authorization", "Basic " + java.util.Base64.getEncoder().encodeToString(
                    (clientId + ":" + secret).getBytes(StandardCharsets.UTF_8)));
        }
        return api.http.send(b.build(), HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    @Test
    void aRevokedTokenClosesExactlyItsConnectionsAndIsRefusedAfterwards() throws Exception {
        String revoked = api.keyManagerToken(DemoHome.PRODUCTION_CLIENT, DemoHome.PRODUCTION_SECRET);
        String other = api.keyManagerToken(DemoHome.PRODUCTION_CLIENT, DemoHome.PRODUCTION_SECRET);
        WsClient a1 = WsClient.connect(api.http, api.demoUrl(), WsClient.bearer(revoked));
        WsClient a2 = WsClient.connect(api.http, api.demoUrl(), WsClient.bearer(revoked));
        WsClient b = WsClient.connect(api.http, api.demoUrl(), WsClient.bearer(other));
        echo(a1, "before");
        // only the client it was issued to may revoke it; the endpoint wants client authentication
        assertEquals(400, revoke("metrics", "metrics-secret", "token=" + revoked));
        assertEquals(401, revoke(null, null, "token=" + revoked));
        assertEquals(401, revoke(DemoHome.PRODUCTION_CLIENT, "wrong", "token=" + revoked));
        echo(a1, "not revoked by those");
        // RFC 7009: an unknown token is answered 200
        assertEquals(200, revoke(DemoHome.PRODUCTION_CLIENT, DemoHome.PRODUCTION_SECRET, "token=not-a-token"));
        assertEquals(200, revoke(DemoHome.PRODUCTION_CLIENT, DemoHome.PRODUCTION_SECRET, "token=" + revoked
                + "&token_type_hint=access_token"));
        assertEquals("1008 access token revoked", a1.closeWithin(1));
        assertEquals("1008 access token revoked", a2.closeWithin(1));
        echo(b, "another token of the same client is untouched");
        HttpResponse<?> r = api.refused(api.demoUrl(), WsClient.bearer(revoked));
        assertEquals(401, r.statusCode());
        assertTrue(r.headers().firstValue("WWW-Authenticate").orElse("").contains("revoked"), r.headers().map().toString());
        b.ws.sendClose(1000, "").join();
    }

    @Test
    void theKeyManagerRefusesBadClientsAndPublishesItsKey() throws Exception {
        HttpResponse<String> r = Tokens.request(api.tokenUrl(), DemoHome.PRODUCTION_CLIENT, "wrong");
        assertEquals(401, r.statusCode());
        assertTrue(r.body().contains("invalid_client"), r.body());
        r = Tokens.request(api.tokenUrl(), "nobody", "x");
        assertEquals(401, r.statusCode());
        r = api.http.send(HttpRequest.newBuilder(URI.create(api.tokenUrl()))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=password&client_id=x&client_secret=y")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(400, r.statusCode());
        assertTrue(r.body().contains("unsupported_grant_type"), r.body());
        r = api.http.send(HttpRequest.newBuilder(URI.create(
                "http://localhost:" + api.home.keyManagerPort + "/oauth2/jwks")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        List<Object> keys = JSONObjectUtils.getJSONArray(JSONObjectUtils.parse(r.body()), "keys");
        assertEquals(1, keys.size(), r.body());
        assertFalse(r.body().contains("\"d\""), "the private key is published: " + r.body());
    }

    @Test
    void metricsAndTheConnectionLogCountExactlyWhatWasSent() throws Exception {
        String url = api.url(api.metricsPort);
        assertEquals(401, api.refused(url, Map.of()).statusCode());
        assertEquals(401, api.refused(url, WsClient.bearer("not.a.token")).statusCode());
        WsClient c = WsClient.connect(api.http, url, WsClient.bearer(api.keyManagerToken("metrics", "metrics-secret")));
        int bytes = 0;
        for (int i = 0; i < 7; i++) {
            String m = "message number " + i + " ✓";
            bytes += m.getBytes(StandardCharsets.UTF_8).length;
            echo(c, m);
        }
        c.ws.sendClose(1000, "done").join();
        c.closeWithin(10);
        String labels = "api=\"EchoWebSocket\",version=\"1.0\",application=\"MetricsApp\"";
        String metrics = awaitMetric("synapsews_connections_closed_total{" + labels + ",code=\"1000\"} 1");
        assertTrue(metrics.contains("synapsews_messages_total{" + labels + ",direction=\"client_to_backend\"} 7\n"), metrics);
        assertTrue(metrics.contains("synapsews_messages_total{" + labels + ",direction=\"backend_to_client\"} 7\n"), metrics);
        assertTrue(metrics.contains("synapsews_bytes_total{" + labels + ",direction=\"client_to_backend\"} " + bytes + "\n"), metrics);
        assertTrue(metrics.contains("synapsews_connections_opened_total{" + labels + "} 1\n"), metrics);
        assertTrue(metrics.contains("synapsews_handshake_rejections_total{endpoint=\"MetricsEndpoint\",api=\"EchoWebSocket\","
                + "status=\"401\",reason=\"missing_token\"} 1\n"), metrics);
        assertTrue(metrics.contains("synapsews_handshake_rejections_total{endpoint=\"MetricsEndpoint\",api=\"EchoWebSocket\","
                + "status=\"401\",reason=\"invalid_token\"} 1\n"), metrics);
        assertTrue(metrics.contains("# TYPE synapsews_mediation_seconds summary"), metrics);

        String line = awaitConnectionLog("\"application\":\"MetricsApp\"");
        Map<String, Object> json = JSONObjectUtils.parse(line);
        assertEquals(7L, ((Number) json.get("messagesIn")).longValue(), line);
        assertEquals(7L, ((Number) json.get("messagesOut")).longValue(), line);
        assertEquals((long) bytes, ((Number) json.get("bytesIn")).longValue(), line);
        assertEquals(1000L, ((Number) json.get("closeCode")).longValue(), line);
        assertEquals("PRODUCTION", json.get("keyType"), line);

        HttpResponse<String> health = api.get("/health");
        assertEquals(200, health.statusCode());
        assertTrue(health.body().contains("\"status\":\"UP\""), health.body());
    }

    private static HttpResponse<?> assertInvalid(String url, String token) {
        HttpResponse<?> r = api.refused(url, WsClient.bearer(token));
        assertEquals(401, r.statusCode(), "token " + token);
        String challenge = r.headers().firstValue("WWW-Authenticate").orElse("");
        assertTrue(challenge.startsWith("Bearer") && challenge.contains("error=\"invalid_token\""), challenge);
        return r;
    }

    private static void echo(WsClient c, String text) throws Exception {
        c.ws.sendText(text, true).join();
        assertEquals(text, c.next());
    }

    /** The paths of the requests the OAuth2 server got since the last call. */
    private static List<String> oauthRequests() {
        List<String> paths = new ArrayList<>();
        while (true) {
            try {
                paths.add(String.valueOf(api.oauth.takeRequest(200, TimeUnit.MILLISECONDS).getPath()));
            } catch (RuntimeException timeout) {
                return paths;
            }
        }
    }

    private static void drain(EchoBackend backend) throws InterruptedException {
        while (backend.nextHandshake(100, TimeUnit.MILLISECONDS) != null) {
            // older handshakes
        }
    }

    private static final AtomicLong WINDOWS = new AtomicLong();

    /**
     * Throttling counts in whole minutes: each counting test gets a minute of its own, one no other test
     * counted in, with the runtime's clock stopped a second into it (no waiting for a minute to turn).
     */
    @AfterEach
    void systemClock() {
        GatewayRuntime.current().useClock(Clock.systemUTC());
    }

    private static void freshWindow() {
        long minute = 60_000;
        long now = System.currentTimeMillis();
        long start = now - now % minute + (100 + WINDOWS.incrementAndGet()) * minute;
        GatewayRuntime.current()
                .useClock(Clock.fixed(Instant.ofEpochMilli(start + 1000), ZoneOffset.UTC));
    }

    private static String awaitMetric(String expected) throws Exception {
        return Await.until(Duration.ofSeconds(10), () -> api.get("/metrics").body(), b -> b.contains(expected),
                "'" + expected + "' in /metrics");
    }

    private static String awaitConnectionLog(String fragment) throws Exception {
        return Await.until(Duration.ofSeconds(10), () -> !api.connectionLog.isFile() ? null
                        : Files.readAllLines(api.connectionLog.toPath(), StandardCharsets.UTF_8).stream()
                                .filter(l -> l.contains(fragment)).findFirst().orElse(null),
                Objects::nonNull, "a connection log line with " + fragment + " in " + api.connectionLog);
    }
}
