package io.synapsews.gateway;

import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;

import com.nimbusds.jose.util.JSONObjectUtils;
import io.synapsews.mediators.internal.GatewayRuntime;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The seed's workflow through the management REST APIs only (WSO2 API-M Publisher v4 and DevPortal v3
 * paths and fields), over HTTPS with the demo key store, against a running gateway: create the API,
 * publish it, create an application, generate keys, subscribe, get tokens, connect to the production and
 * the sandbox backend; then take rights away and see exactly the affected live connections close.
 * Bad requests, concurrent writers and a restart are tested against the same server.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ManagementApiTest {

    @TempDir
    static Path tmp;

    static final EchoBackend production = new EchoBackend(0);
    static final EchoBackend sandbox = new EchoBackend(0);
    static TestHome home;
    static Gateway gateway;
    static int managementPort;
    static HttpClient https;
    static final HttpClient http = HttpClient.newHttpClient();
    static final String ADMIN = "Basic " + Base64.getEncoder().encodeToString("admin:admin".getBytes(StandardCharsets.UTF_8));

    @BeforeAll
    static void start() throws Exception {
        home = new TestHome(tmp.resolve("home").toFile(), production.url());
        managementPort = home.managementPort; // the demo's <management>, on a free port
        // an application whose tokens may carry management scopes (automation scripts use these instead of admin/admin)
        File config = new File(home.dir, DemoHome.GATEWAY_CONFIG);
        home.write(DemoHome.GATEWAY_CONFIG, Files.readString(config.toPath()).replace("</applications>",
                "<application name=\"Automation\" scopes=\"apim:api_create apim:api_view apim:subscribe\">"
                        + "<keys clientId=\"automation\" clientSecret=\"automation-secret\"/></application></applications>"));
        File trust = tmp.resolve("trust.jks").toFile();
        KeyStores.trustStoreFor(home.keyStore, "wso2carbon", "wso2carbon", trust);
        SSLContext ssl = TestHome.trusting(trust);
        https = HttpClient.newBuilder().sslContext(ssl).build();
        gateway = Gateway.start(home.dir);
    }

    @AfterAll
    static void stop() throws Exception {
        TestHome.closeAll(gateway, production, sandbox);
    }

    // ---- calling the REST APIs

    record Answer(int status, Map<String, Object> json, String body) {
        String text(String field) {
            return String.valueOf(json.get(field));
        }
    }

    static Answer call(String method, String path, String json) throws Exception {
        return call(method, path, json, ADMIN);
    }

    static Answer call(String method, String path, String json, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("https://localhost:" + managementPort + path))
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json))
                .header("Content-Type", "application/json");
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        HttpResponse<String> r = https.send(b.build(), HttpResponse.BodyHandlers.ofString());
        Map<String, Object> parsed = null;
        if (r.headers().firstValue("Content-Type").orElse("").startsWith("application/json")) {
            parsed = JSONObjectUtils.parse(r.body());
        }
        if (r.statusCode() != 401) {
            OpenApiCheck.conforms(openApi(), method, URI.create(path).getPath(), r.statusCode(), parsed);
        }
        return new Answer(r.statusCode(), parsed, r.body());
    }

    private static Map<String, Object> openApi;

    /** The OpenAPI description the gateway serves (without credentials), once: every answer is checked against it. */
    static synchronized Map<String, Object> openApi() throws Exception {
        if (openApi == null) {
            HttpResponse<String> r = https.send(HttpRequest.newBuilder(URI.create("https://localhost:" + managementPort
                    + "/api/am/openapi.json")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
            openApi = JSONObjectUtils.parse(r.body());
            assertEquals("3.0.3", openApi.get("openapi"));
        }
        return openApi;
    }

    static Answer ok(int status, Answer a) {
        assertEquals(status, a.status, a.body);
        return a;
    }

    static String api(String name, String context, String policies) {
        return "{\"name\":\"" + name + "\",\"context\":\"" + context + "\",\"version\":\"1.0\",\"type\":\"WS\","
                + "\"endpointConfig\":{\"endpoint_type\":\"ws\",\"production_endpoints\":{\"url\":\"" + production.url() + "\"},"
                + "\"sandbox_endpoints\":{\"url\":\"" + sandbox.url() + "\"}},\"policies\":" + policies + "}";
    }

    static String token(String consumerKey, String secret) throws Exception {
        return Tokens.clientCredentials("http://localhost:" + home.keyManagerPort + "/oauth2/token", consumerKey, secret);
    }

    static int handshakeStatus(String path, String token) {
        return WsClient.handshakeStatus("ws://localhost:" + home.wsPort + path, token);
    }

    /** The raw HTTP answer (head and body) to a WebSocket handshake with this bearer token. */
    static String refusal(String path, String token) throws Exception {
        try (java.net.Socket s = new java.net.Socket("localhost", home.wsPort)) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nAuthorization: Bearer " + token
                    + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static void echo(WsClient c, String text) throws Exception {
        c.ws.sendText(text, true).join();
        assertEquals(text, c.next());
    }

    // ---- the workflow

    static String chatApiId;
    static String appId;
    static String productionKey;
    static String productionSecret;
    static String sandboxKey;
    static String sandboxSecret;

    @Test
    @Order(0)
    void theDemosEchoWebSocketIsAnApiOfTheManagementApi() throws Exception {
        // created and published at the first start from repository/conf/apis/EchoWebSocket.json, as POST /apis would
        Answer found = ok(200, call("GET", "/api/am/publisher/v4/apis?query=name:EchoWebSocket", null));
        assertEquals(1L, ((Number) found.json.get("count")).longValue(), found.body);
        @SuppressWarnings("unchecked")
        Map<String, Object> echoApi = ((List<Map<String, Object>>) found.json.get("list")).get(0);
        assertEquals("PUBLISHED", echoApi.get("lifeCycleStatus"));
        assertEquals("/echowebsocket", echoApi.get("context"));
        assertTrue(JSONObjectUtils.toJSONString(echoApi).contains(production.url()), found.body);
        assertTrue(ok(200, call("GET", "/api/am/devportal/v3/apis", null)).body.contains("ws://localhost:" + home.wsPort
                + "/echowebsocket/1.0"), "the developer portal lists it");
        WsClient c = WsClient.connect(http, "ws://localhost:" + home.wsPort + "/echowebsocket/1.0",
                WsClient.bearer(Tokens.demoProduction(home)));
        echo(c, "the demo, as published");
        assertNotNull(production.nextHandshake(10, TimeUnit.SECONDS));
        c.ws.sendClose(1000, "").join();
        assertTrue(Files.readString(home.dir.toPath().resolve("repository/management/imports/EchoWebSocket-json.json"))
                .contains("\"apiId\":\"" + echoApi.get("id") + "\""), "what was applied is recorded");
        echoApiId = String.valueOf(echoApi.get("id"));
    }

    static String echoApiId;

    @Test
    @Order(1)
    void theSeedsWorkflowThroughTheRestApisOnly() throws Exception {
        // the management API owns the inbound endpoints' sequence: nothing is published yet
        assertEquals(404, handshakeStatus("/chat/1.0", "no-token"));

        // Publisher: design, implement (both endpoints), manage (Gold), then Save & Publish
        Answer created = ok(201, call("POST", "/api/am/publisher/v4/apis", api("Chat", "/chat", "[\"Gold\"]")));
        chatApiId = created.text("id");
        assertEquals("CREATED", created.text("lifeCycleStatus"));
        assertEquals(404, handshakeStatus("/chat/1.0", "no-token"), "created, not published");
        Answer published = ok(200, call("POST", "/api/am/publisher/v4/apis/change-lifecycle?apiId=" + chatApiId + "&action=Publish", null));
        assertTrue(published.body.contains("\"Published\""), published.body);
        assertEquals("PUBLISHED", ok(200, call("GET", "/api/am/publisher/v4/apis/" + chatApiId, null)).text("lifeCycleStatus"));

        // DevPortal: the API is listed with its URL; an application, its keys, a subscription with Gold
        Answer store = ok(200, call("GET", "/api/am/devportal/v3/apis", null));
        assertTrue(store.body.contains("ws://localhost:" + home.wsPort + "/chat/1.0"), store.body);
        appId = ok(201, call("POST", "/api/am/devportal/v3/applications", "{\"name\":\"SeedApp\",\"throttlingPolicy\":\"Unlimited\"}"))
                .text("applicationId");
        Answer prodKeys = ok(200, call("POST", "/api/am/devportal/v3/applications/" + appId + "/generate-keys",
                "{\"keyType\":\"PRODUCTION\",\"grantTypesToBeSupported\":[\"client_credentials\"]}"));
        productionKey = prodKeys.text("consumerKey");
        productionSecret = prodKeys.text("consumerSecret");
        Answer sandboxKeys = ok(200, call("POST", "/api/am/devportal/v3/applications/" + appId + "/generate-keys",
                "{\"keyType\":\"SANDBOX\"}"));
        // the secret is shown once: the application lists keys without it
        assertTrue(!ok(200, call("GET", "/api/am/devportal/v3/applications/" + appId, null)).body.contains(productionSecret));

        String prodToken = token(productionKey, productionSecret);
        assertEquals(403, handshakeStatus("/chat/1.0", prodToken), "not subscribed yet");
        String subscriptionId = ok(201, call("POST", "/api/am/devportal/v3/subscriptions", "{\"apiId\":\"" + chatApiId
                + "\",\"applicationId\":\"" + appId + "\",\"throttlingPolicy\":\"Gold\"}")).text("subscriptionId");

        // connect with each key type: each reaches its own backend
        WsClient prod = WsClient.connect(http, "ws://localhost:" + home.wsPort + "/chat/1.0", WsClient.bearer(prodToken));
        echo(prod, "production");
        assertNotNull(production.nextHandshake(10, TimeUnit.SECONDS));
        sandboxKey = sandboxKeys.text("consumerKey");
        sandboxSecret = sandboxKeys.text("consumerSecret");
        String sandboxToken = token(sandboxKey, sandboxSecret);
        WsClient sb = WsClient.connect(http, "ws://localhost:" + home.wsPort + "/chat/1.0", WsClient.bearer(sandboxToken));
        echo(sb, "sandbox");
        assertNotNull(sandbox.nextHandshake(10, TimeUnit.SECONDS));
        assertNull(production.nextHandshake(200, TimeUnit.MILLISECONDS));

        // regenerating the production secret closes the production connection only, and its old token is refused
        Answer regenerated = ok(200, call("POST", "/api/am/devportal/v3/applications/" + appId + "/oauth-keys/"
                + prodKeys.text("keyMappingId") + "/regenerate-secret", null));
        assertEquals("1008 consumer secret regenerated", prod.closeWithin(1));
        echo(sb, "sandbox still open");
        assertEquals(401, handshakeStatus("/chat/1.0", prodToken));
        assertEquals(401, Tokens.request("http://localhost:" + home.keyManagerPort + "/oauth2/token", productionKey,
                productionSecret).statusCode(), "the old secret");
        productionSecret = regenerated.text("consumerSecret");
        WsClient prod2 = WsClient.connect(http, "ws://localhost:" + home.wsPort + "/chat/1.0",
                WsClient.bearer(token(productionKey, productionSecret)));
        echo(prod2, "new secret");

        // removing the subscription closes both, and the next handshake is refused
        ok(200, call("DELETE", "/api/am/devportal/v3/subscriptions/" + subscriptionId, null));
        assertEquals("1008 subscription removed", sb.closeWithin(1));
        assertEquals("1008 subscription removed", prod2.closeWithin(1));
        assertEquals(403, handshakeStatus("/chat/1.0", sandboxToken));

        // subscribe again; blocking the API closes its connections with 1001 and undeploys it
        ok(201, call("POST", "/api/am/devportal/v3/subscriptions", "{\"apiId\":\"" + chatApiId
                + "\",\"applicationId\":\"" + appId + "\",\"throttlingPolicy\":\"Gold\"}"));
        WsClient again = WsClient.connect(http, "ws://localhost:" + home.wsPort + "/chat/1.0",
                WsClient.bearer(token(productionKey, productionSecret)));
        echo(again, "subscribed again");
        ok(200, call("POST", "/api/am/publisher/v4/apis/change-lifecycle?apiId=" + chatApiId + "&action=Block", null));
        assertEquals("1001 API blocked", again.closeWithin(1));
        assertEquals(404, handshakeStatus("/chat/1.0", token(productionKey, productionSecret)));
        assertTrue(!ok(200, call("GET", "/api/am/devportal/v3/apis", null)).body.contains("/chat/1.0"), "gone from the portal");
        // and published again, it serves again with the same keys
        ok(200, call("POST", "/api/am/publisher/v4/apis/change-lifecycle?apiId=" + chatApiId + "&action=Re-Publish", null));
        assertEquals(101, handshakeStatus("/chat/1.0", token(productionKey, productionSecret)));
    }

    @Test
    @Order(2)
    void anotherApiIsUntouchedByChangesToTheFirst() throws Exception {
        String other = ok(201, call("POST", "/api/am/publisher/v4/apis", api("Other", "/other", "[\"Unlimited\"]"))).text("id");
        ok(200, call("POST", "/api/am/publisher/v4/apis/change-lifecycle?apiId=" + other + "&action=Publish", null));
        ok(201, call("POST", "/api/am/devportal/v3/subscriptions", "{\"apiId\":\"" + other
                + "\",\"applicationId\":\"" + appId + "\",\"throttlingPolicy\":\"Unlimited\"}"));
        String t = token(productionKey, productionSecret);
        WsClient onOther = WsClient.connect(http, "ws://localhost:" + home.wsPort + "/other/1.0", WsClient.bearer(t));
        long compiled = io.synapsews.transport.payload.PayloadCodec.shared().counters().compiled();
        echo(onOther, "other");
        if (LaneCheck.forced() != LaneCheck.Lane.MEDIATED) {
            // dispatchSeq -> <sequence key="managedApisSeq"/> -> the API's case: compiled, relayed both ways
            assertEquals(2, io.synapsews.transport.payload.PayloadCodec.shared().counters().compiled() - compiled,
                    "a published API's messages take the compiled lane");
        }
        ok(200, call("POST", "/api/am/publisher/v4/apis/change-lifecycle?apiId=" + chatApiId + "&action=Block", null));
        echo(onOther, "still open while Chat is blocked");
        ok(200, call("POST", "/api/am/publisher/v4/apis/change-lifecycle?apiId=" + chatApiId + "&action=Publish", null));
        echo(onOther, "and after it is published again");
        onOther.ws.sendClose(1000, "").join();
    }

    /** A token of {@code key} asking for {@code scope} (null: none). */
    static HttpResponse<String> scopedToken(String key, String secret, String scope) throws Exception {
        return Tokens.request("http://localhost:" + home.keyManagerPort + "/oauth2/token", key, secret, scope);
    }

    @Test
    @Order(2)
    void topicsRouteToTheirBackendPathsAndCheckTheirScopes() throws Exception {
        String rooms = ok(201, call("POST", "/api/am/publisher/v4/apis", api("Rooms", "/rooms-api", "[\"Unlimited\"]")
                .replace("\"policies\"", "\"operations\":[{\"target\":\"/rooms/{room}\",\"verb\":\"SUBSCRIBE\",\"scopes\":[\"chat:read\"],"
                        + "\"uriMapping\":\"/chat/{uri.var.room}/feed\"},{\"target\":\"/notifications\"}],\"policies\""))).text("id");
        ok(200, call("POST", "/api/am/publisher/v4/apis/change-lifecycle?apiId=" + rooms + "&action=Publish", null));
        ok(201, call("POST", "/api/am/devportal/v3/subscriptions", "{\"apiId\":\"" + rooms
                + "\",\"applicationId\":\"" + appId + "\",\"throttlingPolicy\":\"Unlimited\"}"));
        String plain = token(productionKey, productionSecret);
        while (production.nextHandshake(100, TimeUnit.MILLISECONDS) != null) {
            // the earlier tests' handshakes
        }
        // a topic without scopes: the backend path is the topic's
        WsClient n = WsClient.connect(http, "ws://localhost:" + home.wsPort + "/rooms-api/1.0/notifications", WsClient.bearer(plain));
        echo(n, "notified");
        assertEquals("/notifications", production.nextHandshake(10, TimeUnit.SECONDS).get(EchoBackend.REQUEST_URI));
        n.ws.sendClose(1000, "").join();
        // a topic with a scope: without it 403, with it the room the client named reaches the mapped path
        assertEquals(403, handshakeStatus("/rooms-api/1.0/rooms/lobby", plain));
        HttpResponse<String> scoped = scopedToken(productionKey, productionSecret, "chat:read");
        assertEquals(200, scoped.statusCode(), scoped.body());
        String reader = String.valueOf(JSONObjectUtils.parse(scoped.body()).get("access_token"));
        WsClient r = WsClient.connect(http, "ws://localhost:" + home.wsPort + "/rooms-api/1.0/rooms/lobby?x=1", WsClient.bearer(reader));
        echo(r, "in the lobby");
        assertEquals("/chat/lobby/feed", production.nextHandshake(10, TimeUnit.SECONDS).get(EchoBackend.REQUEST_URI));
        r.ws.sendClose(1000, "").join();
        // not a topic of the API, or more than one segment for {room}: 404
        assertEquals(404, handshakeStatus("/rooms-api/1.0/elsewhere", reader));
        assertEquals(404, handshakeStatus("/rooms-api/1.0/rooms/a/b", reader));
        // a scope no subscribed API names is not granted
        assertEquals(400, scopedToken(productionKey, productionSecret, "chat:admin").statusCode());
        // bad topics are refused with the field
        assertField(400, "operations.uriMapping", call("POST", "/api/am/publisher/v4/apis", api("BadTopic", "/bad-topic", "[]")
                .replace("\"policies\"", "\"operations\":[{\"target\":\"/rooms/{room}\",\"uriMapping\":\"/x/{uri.var.user}\"}],\"policies\"")));
        assertField(400, "operations.target", call("POST", "/api/am/publisher/v4/apis", api("BadTopic", "/bad-topic", "[]")
                .replace("\"policies\"", "\"operations\":[{\"target\":\"rooms/../x\"}],\"policies\"")));
    }

    static String asyncApi2() {
        return "asyncapi: '2.6.0'\n"
                + "info:\n  title: Chat26\n  version: '1.0'\n"
                + "servers:\n  production:\n    url: " + production.url() + "\n    protocol: ws\n"
                + "  sandbox:\n    url: " + sandbox.url() + "\n    protocol: ws\n"
                + "channels:\n"
                + "  /rooms/{room}:\n    x-uri-mapping: /r/{uri.var.room}\n    parameters:\n      room:\n        schema: {type: string}\n"
                + "    subscribe:\n      security:\n        - oauth2: [chat:read]\n      message: {payload: {type: string}}\n"
                + "  /notifications:\n    publish:\n      message: {payload: {type: string}}\n"
                + "components:\n  securitySchemes:\n    oauth2:\n      type: oauth2\n"
                + "      flows: {clientCredentials: {tokenUrl: /oauth2/token, scopes: {'chat:read': read}}}\n";
    }

    static String asyncApi3() {
        String host = production.url().replaceFirst("^ws://", "").replaceFirst("/$", "");
        return "asyncapi: 3.0.0\n"
                + "info:\n  title: Chat30\n  version: '2.0'\n"
                + "servers:\n  production:\n    host: '" + host + "'\n    protocol: ws\n    pathname: /v3\n"
                + "channels:\n"
                + "  room:\n    address: /rooms/{room}\n    parameters: {room: {}}\n"
                + "  alerts:\n    address: /alerts\n"
                + "operations:\n"
                + "  readRoom:\n    action: receive\n    channel: {$ref: '#/channels/room'}\n"
                + "    security:\n      - $ref: '#/components/securitySchemes/reader'\n"
                + "  sendAlert:\n    action: send\n    channel: {$ref: '#/channels/alerts'}\n"
                + "components:\n  securitySchemes:\n    reader:\n      type: oauth2\n      scopes: [chat:read3]\n"
                + "      flows: {clientCredentials: {tokenUrl: /oauth2/token, availableScopes: {'chat:read3': read}}}\n";
    }

    static Answer multipart(String path, String file, String additional) throws Exception {
        String boundary = "synapsews" + System.nanoTime();
        String body = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"asyncapi.yaml\"\r\n"
                + "Content-Type: application/yaml\r\n\r\n" + file + "\r\n"
                + (additional == null ? "" : "--" + boundary + "\r\nContent-Disposition: form-data; name=\"additionalProperties\"\r\n\r\n"
                + additional + "\r\n") + "--" + boundary + "--\r\n";
        HttpResponse<String> r = https.send(HttpRequest.newBuilder(URI.create("https://localhost:" + managementPort + path))
                .header("Authorization", ADMIN).header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        Map<String, Object> parsed = JSONObjectUtils.parse(r.body());
        OpenApiCheck.conforms(openApi(), "POST", path, r.statusCode(), parsed);
        return new Answer(r.statusCode(), parsed, r.body());
    }

    @Test
    @Order(2)
    void asyncApi26And30DocumentsBecomeApisWithTheirChannelsAndScopes() throws Exception {
        // 2.6 as WSO2's import takes it: a multipart form with the file and the properties it lacks
        Answer a26 = ok(201, multipart("/api/am/publisher/v4/apis/import-asyncapi", asyncApi2(),
                "{\"context\":\"/chat26\",\"policies\":[\"Unlimited\"]}"));
        // 3.0 as the body itself, its context from x-wso2-basePath
        Answer a30 = ok(201, call("POST", "/api/am/publisher/v4/apis/import-asyncapi", asyncApi3() + "x-wso2-basePath: /chat30/2.0\n"));
        assertEquals("Chat30", a30.text("name"));
        assertEquals("2.0", a30.text("version"));
        for (Answer a : List.of(a26, a30)) {
            ok(200, call("POST", "/api/am/publisher/v4/apis/change-lifecycle?apiId=" + a.text("id") + "&action=Publish", null));
            ok(201, call("POST", "/api/am/devportal/v3/subscriptions", "{\"apiId\":\"" + a.text("id")
                    + "\",\"applicationId\":\"" + appId + "\",\"throttlingPolicy\":\"Unlimited\"}"));
        }
        while (production.nextHandshake(100, TimeUnit.MILLISECONDS) != null) {
            // the earlier tests' handshakes
        }
        String plain = token(productionKey, productionSecret);
        // each channel is a topic: the unscoped ones open with any token of the application
        connectAndSee("/chat26/1.0/notifications", plain, "/notifications");
        connectAndSee("/chat30/2.0/alerts", plain, "/v3/alerts");
        // the scoped ones need their scope
        assertEquals(403, handshakeStatus("/chat26/1.0/rooms/x", plain));
        assertEquals(403, handshakeStatus("/chat30/2.0/rooms/x", plain));
        HttpResponse<String> t = scopedToken(productionKey, productionSecret, "chat:read chat:read3");
        assertEquals(200, t.statusCode(), t.body());
        String reader = String.valueOf(JSONObjectUtils.parse(t.body()).get("access_token"));
        connectAndSee("/chat26/1.0/rooms/x", reader, "/r/x");
        connectAndSee("/chat30/2.0/rooms/y", reader, "/v3/rooms/y");

        // export round-trips: the exported document imported under another context has the same topics
        Answer exported = ok(200, call("GET", "/api/am/publisher/v4/apis/" + a26.text("id") + "/asyncapi", null));
        assertEquals("2.6.0", exported.text("asyncapi"));
        Answer again = ok(201, call("POST", "/api/am/publisher/v4/apis/import-asyncapi?", exported.body.replace("\"x-wso2-basePath\":\"/chat26/1.0\"",
                "\"x-wso2-basePath\":\"/chat26-copy/1.0\"").replace("\"title\":\"Chat26\"", "\"title\":\"Chat26Copy\"")));
        assertEquals(a26.json.get("operations"), again.json.get("operations"));
        assertEquals(a26.json.get("endpointConfig"), again.json.get("endpointConfig"));

        // what is not AsyncAPI is refused with the field
        assertField(400, "asyncapi", call("POST", "/api/am/publisher/v4/apis/import-asyncapi", "asyncapi: '1.2.0'\ninfo: {title: X, version: '1'}\n"));
        assertField(400, "file", call("POST", "/api/am/publisher/v4/apis/import-asyncapi", "[1, 2"));
        assertField(400, "file", multipart("/api/am/publisher/v4/apis/import-asyncapi", "", null));
        assertField(400, "context", call("POST", "/api/am/publisher/v4/apis/import-asyncapi", asyncApi3().replace("Chat30", "NoContext")));
        // a billion laughs is refused by the loader, not expanded
        String bomb = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
                + "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: [*d, *d, *d, *d, *d, *d, *d, *d, *d]\n";
        assertField(400, "file", call("POST", "/api/am/publisher/v4/apis/import-asyncapi", bomb));
    }

    private static void connectAndSee(String path, String token, String backendPath) throws Exception {
        WsClient c = WsClient.connect(http, "ws://localhost:" + home.wsPort + path, WsClient.bearer(token));
        echo(c, "on " + path);
        assertEquals(backendPath, production.nextHandshake(10, TimeUnit.SECONDS).get(EchoBackend.REQUEST_URI));
        c.ws.sendClose(1000, "").join();
    }

    @Test
    @Order(2)
    void tiersSubscriptionBlocksChangesAndRetirementApplyLive() throws Exception {
        // Admin: a tier of 3 messages a minute, used at once by a new API's subscription
        Answer tier = ok(201, call("POST", "/api/am/admin/v4/throttling/policies/subscription", "{\"policyName\":\"Chatty\","
                + "\"defaultLimit\":{\"type\":\"REQUESTCOUNTLIMIT\",\"requestCount\":{\"timeUnit\":\"min\",\"unitTime\":1,\"requestCount\":3}}}"));
        assertEquals("Chatty", tier.text("policyName"));
        assertTrue(ok(200, call("GET", "/api/am/admin/v4/throttling/policies/subscription", null)).body.contains("\"Chatty\""));
        assertField(409, "policyName", call("POST", "/api/am/admin/v4/throttling/policies/subscription", "{\"policyName\":\"Chatty\"}"));
        assertField(400, "defaultLimit.requestCount.requestCount", call("POST", "/api/am/admin/v4/throttling/policies/subscription",
                "{\"policyName\":\"Hourly\",\"defaultLimit\":{\"requestCount\":{\"timeUnit\":\"hour\",\"unitTime\":1,\"requestCount\":3}}}"));
        String id = ok(201, call("POST", "/api/am/publisher/v4/apis", api("Tiered", "/tiered", "[\"Chatty\"]"))).text("id");
        ok(200, call("POST", "/api/am/publisher/v4/apis/change-lifecycle?apiId=" + id + "&action=Publish", null));
        String sub = ok(201, call("POST", "/api/am/devportal/v3/subscriptions", "{\"apiId\":\"" + id
                + "\",\"applicationId\":\"" + appId + "\",\"throttlingPolicy\":\"Chatty\"}")).text("subscriptionId");
        String t = token(productionKey, productionSecret);
        WsClient c = WsClient.connect(http, "ws://localhost:" + home.wsPort + "/tiered/1.0", WsClient.bearer(t));
        // a minute window of its own (the throttling clock stopped in it): the test cannot straddle two windows
        long now = System.currentTimeMillis();
        GatewayRuntime.current().useClock(Clock.fixed(Instant.ofEpochMilli(now - now % 60_000 + 200 * 60_000 + 1000), ZoneOffset.UTC));
        try {
            // both directions count: one echo and the next message are the three of the minute, that message's echo is not
            echo(c, "within the tier");
            c.ws.sendText("the third of the minute", true).join();
            assertTrue(String.valueOf(c.next()).contains("\"throttled\""), "the fourth message of the minute is throttled");
        } finally {
            GatewayRuntime.current().useClock(Clock.systemUTC());
        }

        // blocking the subscription closes its connection and refuses the next; unblocking lets it in again
        ok(200, call("POST", "/api/am/publisher/v4/subscriptions/block-subscription?subscriptionId=" + sub + "&blockState=BLOCKED", null));
        assertEquals("1008 subscription blocked", c.closeWithin(1));
        String refusal = refusal("/tiered/1.0", t);
        assertTrue(refusal.startsWith("HTTP/1.1 403 ") && refusal.contains("is blocked"), refusal);
        // blocked for the sandbox keys only: the production key passes
        ok(200, call("POST", "/api/am/publisher/v4/subscriptions/block-subscription?subscriptionId=" + sub
                + "&blockState=PROD_ONLY_BLOCKED", null));
        assertEquals(101, handshakeStatus("/tiered/1.0", t));
        refusal = refusal("/tiered/1.0", token(sandboxKey, sandboxSecret));
        assertTrue(refusal.startsWith("HTTP/1.1 403 ") && refusal.contains("blocked for SANDBOX keys"), refusal);
        ok(200, call("POST", "/api/am/publisher/v4/subscriptions/unblock-subscription?subscriptionId=" + sub, null));
        assertEquals(101, handshakeStatus("/tiered/1.0", t));
        assertField(400, "blockState", call("POST", "/api/am/publisher/v4/subscriptions/block-subscription?subscriptionId=" + sub
                + "&blockState=SOMEWHAT", null));

        // a changed endpoint is redeployed: the next connection reaches the new backend
        while (sandbox.nextHandshake(100, TimeUnit.MILLISECONDS) != null) {
            // earlier handshakes
        }
        ok(200, call("PUT", "/api/am/publisher/v4/apis/" + id, api("Tiered", "/tiered", "[\"Chatty\"]")
                .replaceFirst(java.util.regex.Pattern.quote(production.url()), sandbox.url())));
        assertEquals(101, handshakeStatus("/tiered/1.0", t));
        assertNotNull(sandbox.nextHandshake(10, TimeUnit.SECONDS), "the production key's connection went to the new production URL");

        // retired: undeployed, gone from the developer portal, and never published again
        ok(200, call("POST", "/api/am/publisher/v4/apis/change-lifecycle?apiId=" + id + "&action=Retire", null));
        assertEquals(404, handshakeStatus("/tiered/1.0", t));
        assertTrue(!ok(200, call("GET", "/api/am/devportal/v3/apis", null)).body.contains("/tiered"));
        assertField(400, "action", call("POST", "/api/am/publisher/v4/apis/change-lifecycle?apiId=" + id + "&action=Publish", null));
    }

    @Test
    @Order(3)
    void badRequestsGetTheirStatusAndTheFieldTheyConcern() throws Exception {
        assertEquals(401, call("GET", "/api/am/publisher/v4/apis", null, null).status);
        assertEquals(401, call("GET", "/api/am/publisher/v4/apis", null,
                "Basic " + Base64.getEncoder().encodeToString("admin:wrong".getBytes(StandardCharsets.UTF_8))).status);
        assertField(400, "name", call("POST", "/api/am/publisher/v4/apis", api("", "/x", "[]")));
        assertField(400, "name", call("POST", "/api/am/publisher/v4/apis", api("bad\\nname", "/x", "[]")));
        assertField(400, "context", call("POST", "/api/am/publisher/v4/apis", api("X", "/a b", "[]")));
        assertField(400, "context", call("POST", "/api/am/publisher/v4/apis", api("X", "/x/../y", "[]").replace("/x/../y", "/x/(y")));
        assertField(400, "policies", call("POST", "/api/am/publisher/v4/apis", api("X", "/x", "[\"Platinum\"]")));
        assertField(400, "endpointConfig.production_endpoints.url", call("POST", "/api/am/publisher/v4/apis",
                api("X", "/x", "[]").replace(production.url(), "http://example.com/")));
        assertField(400, "type", call("POST", "/api/am/publisher/v4/apis", api("X", "/x", "[]").replace("\"WS\"", "\"HTTP\"")));
        assertField(400, "body", call("POST", "/api/am/publisher/v4/apis", "{not json"));
        assertField(409, "context", call("POST", "/api/am/publisher/v4/apis", api("Another", "/chat", "[]")));
        assertEquals(404, call("GET", "/api/am/publisher/v4/apis/no-such-id", null).status);
        assertEquals(404, call("GET", "/api/am/devportal/v3/applications/no-such-id", null).status);
        assertField(400, "action", call("POST", "/api/am/publisher/v4/apis/change-lifecycle?apiId=" + chatApiId + "&action=Explode", null));
        assertField(400, "throttlingPolicy", call("POST", "/api/am/devportal/v3/subscriptions", "{\"apiId\":\"" + chatApiId
                + "\",\"applicationId\":\"" + appId + "\",\"throttlingPolicy\":\"Bronze\"}"));
        assertField(409, "apiId", call("POST", "/api/am/devportal/v3/subscriptions", "{\"apiId\":\"" + chatApiId
                + "\",\"applicationId\":\"" + appId + "\",\"throttlingPolicy\":\"Gold\"}"));
        assertField(409, "keyType", call("POST", "/api/am/devportal/v3/applications/" + appId + "/generate-keys", "{\"keyType\":\"PRODUCTION\"}"));
        assertField(409, "name", call("POST", "/api/am/devportal/v3/applications", "{\"name\":\"SeedApp\"}"));
        // an API with subscriptions is not deleted from under them
        assertEquals(409, call("DELETE", "/api/am/publisher/v4/apis/" + chatApiId, null).status);
    }

    @Test
    @Order(3)
    void theOpenApiCheckRefusesWhatTheDescriptionDoesNotSay() throws Exception {
        Map<String, Object> doc = openApi();
        org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class,
                () -> OpenApiCheck.conforms(doc, "GET", "/api/am/publisher/v4/undocumented", 200, Map.of()));
        org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class,
                () -> OpenApiCheck.conforms(doc, "GET", "/api/am/publisher/v4/apis", 418, Map.of()));
        org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class, () -> OpenApiCheck.conforms(doc, "GET",
                "/api/am/publisher/v4/apis/x", 200, Map.of("id", "x", "name", "n"))); // required context, version ...
        org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class, () -> OpenApiCheck.conforms(doc, "GET",
                "/api/am/devportal/v3/subscriptions", 200, Map.of("count", "one", "list", List.of())));
    }

    static String bearer(String scope) throws Exception {
        HttpResponse<String> scoped = scopedToken("automation", "automation-secret", scope);
        assertEquals(200, scoped.statusCode(), scoped.body());
        Map<String, Object> j = JSONObjectUtils.parse(scoped.body());
        assertEquals(scope, j.get("scope"));
        return "Bearer " + j.get("access_token");
    }

    @Test
    @Order(3)
    void accessTokensWithApimScopesOpenWhatTheirScopesAllow() throws Exception {
        String create = bearer("apim:api_create");
        Answer created = call("POST", "/api/am/publisher/v4/apis", api("Scoped", "/scoped", "[]"), create);
        assertEquals(201, created.status, created.body);
        assertEquals(200, call("GET", "/api/am/publisher/v4/apis/" + created.text("id"), null, create).status);
        // publishing needs apim:api_publish, which this application may not even ask for
        Answer publish = call("POST", "/api/am/publisher/v4/apis/change-lifecycle?apiId=" + created.text("id") + "&action=Publish",
                null, create);
        assertEquals(403, publish.status, publish.body);
        assertTrue(publish.body.contains("apim:api_publish"), publish.body);
        assertEquals(403, call("GET", "/api/am/devportal/v3/applications", null, create).status);
        assertEquals(200, call("GET", "/api/am/devportal/v3/applications", null, bearer("apim:subscribe")).status);
        assertEquals(403, call("GET", "/api/am/admin/v4/throttling/policies/subscription", null, bearer("apim:api_view")).status);
        HttpResponse<String> refused = scopedToken("automation", "automation-secret", "apim:admin");
        assertEquals(400, refused.statusCode());
        assertTrue(refused.body().contains("invalid_scope"), refused.body());
        // a token without scopes (an API client's), a forged one and a revoked one are not management credentials
        assertEquals(403, call("GET", "/api/am/publisher/v4/apis", null, "Bearer " + token("automation", "automation-secret")).status);
        assertEquals(401, call("GET", "/api/am/publisher/v4/apis", null, "Bearer " + create.substring(7, create.length() - 4) + "AAAA").status);
        assertEquals(401, call("GET", "/api/am/publisher/v4/apis", null, "Bearer not.a.token").status);
        ok(200, call("DELETE", "/api/am/publisher/v4/apis/" + created.text("id"), null));
    }

    private static void assertField(int status, String field, Answer a) {
        assertEquals(status, a.status, a.body);
        assertTrue(a.body.contains("\"field\":\"" + field + "\""), "error names " + field + ": " + a.body);
    }

    @Test
    @Order(4)
    void twentyParallelWritersNeitherLoseNorDuplicate() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(20);
        try {
            List<CompletableFuture<Answer>> distinct = new ArrayList<>();
            List<CompletableFuture<Answer>> same = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                int n = i;
                distinct.add(CompletableFuture.supplyAsync(() -> uncheckedPost(api("Parallel" + n, "/parallel" + n, "[]")), pool));
                same.add(CompletableFuture.supplyAsync(() -> uncheckedPost(api("Same" + n, "/same", "[]")), pool));
            }
            int created = 0;
            int conflicts = 0;
            for (CompletableFuture<Answer> f : distinct) {
                assertEquals(201, f.get().status, f.get().body);
            }
            for (CompletableFuture<Answer> f : same) {
                created += f.get().status == 201 ? 1 : 0;
                conflicts += f.get().status == 409 ? 1 : 0;
            }
            assertEquals(1, created, "one API at /same");
            assertEquals(19, conflicts);
        } finally {
            pool.shutdownNow();
        }
        Answer all = ok(200, call("GET", "/api/am/publisher/v4/apis?query=parallel", null));
        assertEquals(20L, ((Number) all.json.get("count")).longValue());
        try (var files = Files.list(home.dir.toPath().resolve("repository/management/apis"))) {
            long apis = ((Number) ok(200, call("GET", "/api/am/publisher/v4/apis", null)).json.get("count")).longValue();
            assertEquals(apis, files.filter(p -> p.toString().endsWith(".json")).count(), "one file per API");
        }
    }

    private static Answer uncheckedPost(String json) {
        try {
            return call("POST", "/api/am/publisher/v4/apis", json);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    @Order(5)
    void aRestartRestoresEverything() throws Exception {
        gateway.close();
        gateway = Gateway.start(home.dir);
        assertEquals("PUBLISHED", ok(200, call("GET", "/api/am/publisher/v4/apis/" + chatApiId, null)).text("lifeCycleStatus"));
        WsClient c = WsClient.connect(http, "ws://localhost:" + home.wsPort + "/chat/1.0",
                WsClient.bearer(token(productionKey, productionSecret)));
        echo(c, "after a restart");
        c.ws.sendClose(1000, "").join();
        assertTrue(Files.readString(home.dir.toPath().resolve("repository/management/synapse-config/sequences/managedApisSeq.xml"))
                .contains("/chat/1\\.0"), "the generated sequence is in the home for the administrator");

        // an imported API deleted through the REST API stays deleted while its file is unchanged ...
        ok(200, call("DELETE", "/api/am/publisher/v4/apis/" + echoApiId, null));
        gateway.close();
        gateway = Gateway.start(home.dir);
        assertEquals(404, handshakeStatus("/echowebsocket/1.0", Tokens.demoProduction(home)));
        // ... and a changed file is applied again
        DemoHome.setBackend(home.dir, sandbox.url());
        gateway.close();
        gateway = Gateway.start(home.dir);
        while (sandbox.nextHandshake(100, TimeUnit.MILLISECONDS) != null) {
            // earlier handshakes
        }
        assertEquals(101, handshakeStatus("/echowebsocket/1.0", Tokens.demoProduction(home)));
        assertNotNull(sandbox.nextHandshake(10, TimeUnit.SECONDS), "the changed production URL is used");

        // a broken definition stops the management API with the file and the field
        LogCapture log = LogCapture.install();
        home.write(DemoHome.DEMO_API, Files.readString(home.dir.toPath().resolve(DemoHome.DEMO_API)).replace("\"/echowebsocket\"",
                "\"/echo socket\""));
        gateway.close();
        gateway = Gateway.start(home.dir);
        String line = log.messagesSince(0).stream().filter(l -> l.contains("not started")).findFirst().orElse("");
        assertTrue(line.contains(new File(home.dir, DemoHome.DEMO_API).getPath()) && line.contains("context")
                && line.contains("management/@importDir"), line);
    }
}
