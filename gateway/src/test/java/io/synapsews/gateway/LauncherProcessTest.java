package io.synapsews.gateway;

import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The launcher as an administrator runs it: a separate process, stopped with SIGTERM. */
class LauncherProcessTest {

    @TempDir
    Path tmp;

    private EchoBackend backend;
    private EchoBackend sandboxBackend;
    private GatewayProcess gateway;

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (backend != null) {
            backend.close();
        }
        if (sandboxBackend != null) {
            sandboxBackend.close();
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void theSeedsWorkflowThroughTheRestApisOfTheProcessThenSigtermClosesClientsWith1001() throws Exception {
        backend = new EchoBackend(0);
        TestHome home = new TestHome(tmp.resolve("home").toFile(), "ws://127.0.0.1:1/");
        gateway = new GatewayProcess("gateway", "--home", home.dir.getPath(), "--backend", backend.url()).awaitStarted();

        // the demo flow: a token from the built-in key manager, then the API with it
        String token = Tokens.demoProduction(home);
        WsClient c = WsClient.connect(HttpClient.newHttpClient(), "ws://localhost:" + home.wsPort + "/echowebsocket/1.0",
                WsClient.bearer(token));
        c.ws.sendText("through the launcher", true).join();
        assertEquals("through the launcher", c.next());

        // the seed's workflow through the management REST APIs of the process, and nothing else. The demo's
        // EchoWebSocket is itself an API of the management API: deleting it closes its connection with 1001
        File trust = tmp.resolve("trust.jks").toFile();
        KeyStores.trustStoreFor(home.keyStore, "wso2carbon", "wso2carbon", trust);
        HttpClient https = HttpClient.newBuilder().sslContext(TestHome.trusting(trust)).build();
        String m = "https://localhost:" + home.managementPort;
        Map<String, Object> found = manage(https, "GET", m + "/api/am/publisher/v4/apis?query=name:EchoWebSocket", null, 200);
        String demoId = field(((List<Map<String, Object>>) found.get("list")).get(0), "id");
        manage(https, "DELETE", m + "/api/am/publisher/v4/apis/" + demoId, null, 200);
        assertEquals("1001 API deleted", c.closeWithin(10));

        // Publisher: create EchoWebSocket with both endpoints and Gold, Save & Publish
        sandboxBackend = new EchoBackend(0);
        String apiId = field(manage(https, "POST", m + "/api/am/publisher/v4/apis", "{\"name\":\"EchoWebSocket\","
                + "\"context\":\"/echowebsocket\",\"version\":\"1.0\",\"type\":\"WS\",\"policies\":[\"Gold\"],\"endpointConfig\":"
                + "{\"endpoint_type\":\"ws\",\"production_endpoints\":{\"url\":\"" + backend.url() + "\"},"
                + "\"sandbox_endpoints\":{\"url\":\"" + sandboxBackend.url() + "\"}}}", 201), "id");
        manage(https, "POST", m + "/api/am/publisher/v4/apis/change-lifecycle?apiId=" + apiId + "&action=Publish", "", 200);
        // DevPortal: an application, subscribed with Gold, production and sandbox keys
        String appId = field(manage(https, "POST", m + "/api/am/devportal/v3/applications", "{\"name\":\"SeedApp\"}", 201),
                "applicationId");
        Map<String, Object> prodKeys = manage(https, "POST", m + "/api/am/devportal/v3/applications/" + appId + "/generate-keys",
                "{\"keyType\":\"PRODUCTION\"}", 200);
        Map<String, Object> sandboxKeys = manage(https, "POST", m + "/api/am/devportal/v3/applications/" + appId + "/generate-keys",
                "{\"keyType\":\"SANDBOX\"}", 200);
        String subscription = field(manage(https, "POST", m + "/api/am/devportal/v3/subscriptions", "{\"apiId\":\"" + apiId
                + "\",\"applicationId\":\"" + appId + "\",\"throttlingPolicy\":\"Gold\"}", 201), "subscriptionId");
        String tokenUrl = "http://localhost:" + home.keyManagerPort + "/oauth2/token";
        String prodKey = field(prodKeys, "consumerKey");
        String prodSecret = field(prodKeys, "consumerSecret");
        String prodToken = Tokens.clientCredentials(tokenUrl, prodKey, prodSecret);
        String sandboxToken = Tokens.clientCredentials(tokenUrl, field(sandboxKeys, "consumerKey"), field(sandboxKeys, "consumerSecret"));
        // connect with each: the production and the sandbox backend answer
        while (backend.nextHandshake(100, TimeUnit.MILLISECONDS) != null) {
            // the demo's handshake
        }
        String url = "ws://localhost:" + home.wsPort + "/echowebsocket/1.0";
        WsClient prod = WsClient.connect(HttpClient.newHttpClient(), url, WsClient.bearer(prodToken));
        ManagementApiTest.echo(prod, "production keys");
        assertNotNull(backend.nextHandshake(10, TimeUnit.SECONDS), "the production backend took the production token's connection");
        WsClient sandbox = WsClient.connect(HttpClient.newHttpClient(), url, WsClient.bearer(sandboxToken));
        ManagementApiTest.echo(sandbox, "sandbox keys");
        assertNotNull(sandboxBackend.nextHandshake(10, TimeUnit.SECONDS), "the sandbox backend took the sandbox token's connection");

        // revoke the production token: its connection closes with 1008, the sandbox one stays, the token is refused
        HttpResponse<String> revoked = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                "http://localhost:" + home.keyManagerPort + "/oauth2/revoke"))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString((prodKey + ":" + prodSecret)
                        .getBytes(StandardCharsets.UTF_8)))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("token=" + prodToken)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, revoked.statusCode(), revoked.body());
        assertEquals("1008 access token revoked", prod.closeWithin(10));
        ManagementApiTest.echo(sandbox, "still open");
        assertEquals(401, WsClient.handshakeStatus(url, prodToken));

        // block the subscription: both close with 1008 and the next handshake is 403; unblocked, they connect again
        manage(https, "POST", m + "/api/am/publisher/v4/subscriptions/block-subscription?subscriptionId=" + subscription
                + "&blockState=BLOCKED", "", 200);
        assertEquals("1008 subscription blocked", sandbox.closeWithin(10));
        assertEquals(403, WsClient.handshakeStatus(url, sandboxToken));
        manage(https, "POST", m + "/api/am/publisher/v4/subscriptions/unblock-subscription?subscriptionId=" + subscription, "", 200);
        WsClient again = WsClient.connect(HttpClient.newHttpClient(), url, WsClient.bearer(sandboxToken));
        ManagementApiTest.echo(again, "unblocked");

        // delete the subscription: closed with 1008, refused with 403; subscribed again, a client stays for the SIGTERM
        manage(https, "DELETE", m + "/api/am/devportal/v3/subscriptions/" + subscription, null, 200);
        assertTrue(again.closeWithin(10).startsWith("1008 "), "the deleted subscription's connection closes with 1008");
        assertEquals(403, WsClient.handshakeStatus(url, sandboxToken));
        manage(https, "POST", m + "/api/am/devportal/v3/subscriptions", "{\"apiId\":\"" + apiId + "\",\"applicationId\":\""
                + appId + "\",\"throttlingPolicy\":\"Gold\"}", 201);
        c = WsClient.connect(HttpClient.newHttpClient(), url, WsClient.bearer(Tokens.clientCredentials(tokenUrl, prodKey, prodSecret)));
        ManagementApiTest.echo(c, "subscribed again");

        // SIGTERM: clients get 1001, the process exits
        assertTrue(gateway.stop(30), "the gateway process did not exit");
        String close = c.closeWithin(30);
        assertTrue(close.startsWith("1001"), "client closed with " + close);
        String log = gateway.log();
        assertTrue(log.contains("opened, path=/echowebsocket/1.0"), log);
        assertTrue(log.contains("management: API EchoWebSocket 1.0 created from "), log);
        assertTrue(log.contains("code=1001"), log);
        assertTrue(!log.contains("LEAK:"), log);
    }

    private static Map<String, Object> manage(HttpClient https, String method, String url, String json, int status) throws Exception {
        HttpResponse<String> r = https.send(HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString("admin:admin".getBytes(StandardCharsets.UTF_8)))
                .header("Content-Type", "application/json")
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(status, r.statusCode(), method + " " + url + ": " + r.body());
        return com.nimbusds.jose.util.JSONObjectUtils.parse(r.body());
    }

    private static String field(Map<String, Object> json, String name) {
        return String.valueOf(json.get(name));
    }
}
