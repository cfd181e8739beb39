package io.synapsews.gateway;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.nimbusds.jose.util.JSONObjectUtils;
import io.netty.handler.codec.http.HttpHeaders;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The connections API on one node (the cluster case is in {@link ClusterTest}): every connection's id in its
 * 101 and as a property its sequences read; list, describe, send text and binary, close with a code; what is
 * refused (bad text, close codes an endpoint may not send, long reasons, unknown ids, callers without rights).
 * Every answer is checked against the OpenAPI description the gateway serves.
 */
class ConnectionsApiTest {

    @TempDir
    static Path tmp;
    static ApiFixture fixture;
    static String token;
    static Map<String, Object> openApi;
    static final String ADMIN = "Basic " + Base64.getEncoder().encodeToString("admin:admin".getBytes(StandardCharsets.UTF_8));
    static final Pattern ID = Pattern.compile("(?i)X-Connection-Id: ([A-Za-z0-9._-]+~[A-Za-z0-9_-]{16})\r\n");

    @BeforeAll
    static void start() throws Exception {
        fixture = new ApiFixture(tmp);
        token = fixture.keyManagerToken(DemoHome.PRODUCTION_CLIENT, DemoHome.PRODUCTION_SECRET);
        HttpResponse<String> r = fixture.http.send(HttpRequest.newBuilder(URI.create("http://localhost:"
                + fixture.home.managementPort + "/api/am/openapi.json")).build(), HttpResponse.BodyHandlers.ofString());
        openApi = JSONObjectUtils.parse(r.body());
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    record Answer(int status, Map<String, Object> json, String body) {
    }

    static Answer call(String method, String path, byte[] body, String contentType, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://localhost:" + fixture.home.managementPort + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        HttpResponse<String> r = fixture.http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        Map<String, Object> parsed = r.headers().firstValue("Content-Type").orElse("").startsWith("application/json")
                ? JSONObjectUtils.parse(r.body()) : null;
        if (r.statusCode() != 405) { // a method the description does not list
            OpenApiCheck.conforms(openApi, method, URI.create(path).getPath(), r.statusCode(), parsed);
        }
        return new Answer(r.statusCode(), parsed, r.body());
    }

    static Answer admin(String method, String path) throws Exception {
        return call(method, path, null, null, ADMIN);
    }

    @Test
    void everyConnectionHasAnIdInIts101AndAsAPropertyOfItsSequences() throws Exception {
        while (fixture.production.nextHandshake(0, TimeUnit.SECONDS) != null) {
            // earlier handshakes
        }
        try (RawWs ws = RawWs.connect(fixture.spyPort, "/api?access_token=" + token)) {
            Matcher m = ID.matcher(ws.handshakeResponse);
            assertTrue(m.find(), "no X-Connection-Id in " + ws.handshakeResponse);
            HttpHeaders seen = fixture.production.nextHandshake(10, TimeUnit.SECONDS);
            assertNotNull(seen);
            assertEquals(m.group(1), seen.get("X-Seen-ConnectionId"), "the handshake sequence's websocket.connection.id");
            // and the API finds it by that id
            Answer a = admin("GET", "/connections/" + m.group(1));
            assertEquals(200, a.status, a.body);
            assertEquals("SpyEndpoint", a.json.get("endpoint"));
        }
    }

    @Test
    void aConnectionIsListedDescribedSentToAndClosed() throws Exception {
        WsClient c = WsClient.connect(fixture.http, fixture.demoUrl(), WsClient.bearer(token));
        c.ws.sendText("hello", true);
        assertEquals("hello", c.messages.poll(10, TimeUnit.SECONDS));

        Answer list = admin("GET", "/connections?api=EchoWebSocket&application=DefaultApplication");
        assertEquals(200, list.status, list.body);
        List<?> items = (List<?>) list.json.get("list");
        assertEquals(1, items.size(), list.body);
        Map<?, ?> item = (Map<?, ?>) items.get(0);
        String id = String.valueOf(item.get("connectionId"));
        assertEquals("EchoWebSocket", item.get("api"));
        assertEquals("admin", item.get("user"));
        assertEquals(List.of(item.get("node")), list.json.get("nodes"));
        assertEquals(0, ((List<?>) admin("GET", "/connections?application=NoSuchApp").json.get("list")).size());

        Answer one = admin("GET", "/connections/" + id);
        assertEquals(200, one.status, one.body);
        assertEquals(1L, ((Number) one.json.get("messagesIn")).longValue(), one.body);
        assertEquals(1L, ((Number) one.json.get("messagesOut")).longValue(), one.body);
        assertEquals("PRODUCTION", one.json.get("keyType"));
        assertTrue(String.valueOf(one.json.get("connectedAt")).matches("\\d{4}-\\d\\d-\\d\\dT.*Z"), one.body);

        Answer sent = call("POST", "/connections/" + id, "{\"notice\":\"from the API\"}".getBytes(StandardCharsets.UTF_8),
                "application/json", ADMIN);
        assertEquals(200, sent.status, sent.body);
        assertEquals("text", sent.json.get("type"));
        assertEquals("{\"notice\":\"from the API\"}", c.messages.poll(10, TimeUnit.SECONDS));
        byte[] bytes = {0, 1, 2, (byte) 0xFF};
        Answer binary = call("POST", "/connections/" + id, bytes, "application/octet-stream", ADMIN);
        assertEquals(200, binary.status, binary.body);
        Object got = c.messages.poll(10, TimeUnit.SECONDS);
        assertTrue(got instanceof byte[], "not binary: " + got);
        assertArrayEquals(bytes, (byte[]) got);

        // refused, and the connection is still open
        Answer badText = call("POST", "/connections/" + id, new byte[] {(byte) 0xC3, 0x28}, "text/plain", ADMIN);
        assertEquals(400, badText.status, badText.body);
        assertTrue(badText.body.contains("\"field\":\"body\""), badText.body);
        assertEquals(400, admin("DELETE", "/connections/" + id + "?code=1005").status, "1005 may not be sent");
        assertEquals(400, admin("DELETE", "/connections/" + id + "?code=abc").status);
        String longReason = "x".repeat(124);
        assertEquals(400, admin("DELETE", "/connections/" + id + "?reason=" + longReason).status);
        assertEquals(405, admin("PUT", "/connections/" + id).status);
        c.ws.sendText("still open", true);
        assertEquals("still open", c.messages.poll(10, TimeUnit.SECONDS));

        assertEquals(204, admin("DELETE", "/connections/" + id + "?code=4000&reason=bye%20now").status);
        assertEquals("4000 bye now", c.closed.get(10, TimeUnit.SECONDS));
        for (String method : Arrays.asList("GET", "DELETE", "POST")) {
            Answer gone = admin(method, "/connections/" + id);
            assertEquals(410, gone.status, method + ": " + gone.body);
        }
    }

    @Test
    void unknownIdsAreGoneAndCallersNeedAdminRights() throws Exception {
        assertEquals(410, admin("GET", "/connections/" + "no-such-node~AAAAAAAAAAAAAAAA").status);
        assertEquals(410, admin("GET", "/connections/garbage").status);
        assertEquals(410, admin("DELETE", "/connections/%0d%0aX-Injected:%20yes").status);
        HttpResponse<String> anonymous = fixture.http.send(HttpRequest.newBuilder(URI.create("http://localhost:"
                + fixture.home.managementPort + "/connections")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(401, anonymous.statusCode());
        // a subscriber's token (no apim:admin) may not reach other people's connections
        Answer subscriber = call("GET", "/connections", null, null, "Bearer " + token);
        assertEquals(403, subscriber.status, subscriber.body);
        assertEquals(405, admin("POST", "/connections").status);
    }
}
