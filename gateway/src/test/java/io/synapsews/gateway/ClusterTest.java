package io.synapsews.gateway;

import java.io.File;
import java.io.IOException;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import com.nimbusds.jose.util.JSONObjectUtils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three gateway processes sharing one real redis-server (Debian's, installed by .ci/run): the demo's Gold
 * subscription gets exactly its 5000 messages a minute over connections spread across the three; tokens of
 * one node's key manager are taken by every node (one signing key store, one configured issuer) and revoked on
 * all of them by one; maxConnections holds across the nodes; with Redis
 * killed the open connections keep working and new handshakes follow onStoreFailure; Redis back, the
 * limits are shared again.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterTest {

    @TempDir
    static Path tmp;

    static final File REDIS = new File("/usr/bin/redis-server");
    static int redisPort;
    static Process redis;
    static EchoBackend backend;
    static final List<TestHome> homes = new ArrayList<>();
    static final List<GatewayProcess> nodes = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        assertTrue(REDIS.canExecute(), "the cluster test needs Debian's redis-server (apt-get install redis-server)");
        redisPort = TestHome.freePort();
        redis = startRedis();
        backend = new EchoBackend(0);
        for (int n = 1; n <= 3; n++) {
            File dir = tmp.resolve("node" + n).toFile();
            if (n > 1) {
                // one signing key for the three key managers (and the same demo TLS key store)
                File ks = new File(dir, DemoHome.KEY_STORE);
                ks.getParentFile().mkdirs();
                Files.copy(homes.get(0).keyStore.toPath(), ks.toPath());
            }
            TestHome home = new TestHome(dir, backend.url());
            File config = new File(dir, DemoHome.GATEWAY_CONFIG);
            String xml = Files.readString(config.toPath())
                    .replaceFirst("issuer=\"[^\"]*\"", "issuer=\"https://gateway.example.com/oauth2/token\""
                            + " keyStore=\"" + DemoHome.KEY_STORE + "\" keyStorePassword=\"wso2carbon\" keyAlias=\"wso2carbon\"")
                    .replace("<analytics ", "<counterStore type=\"redis\" uri=\"redis://127.0.0.1:" + redisPort + "/0\" nodes=\"3\""
                            + " onStoreFailure=\"" + (n == 3 ? "local" : "deny") + "\" timeoutMillis=\"500\"/>\n    <analytics ")
                    // at most two connections at once, all nodes together
                    .replace("</applications>", "<application name=\"Pair\" maxConnections=\"2\"><keys clientId=\"pair\""
                            + " clientSecret=\"pair-secret\"/><subscription api=\"EchoWebSocket\" version=\"1.0\"/></application>"
                            + "<application name=\"Spread\"><keys clientId=\"spread\" clientSecret=\"spread-secret\"/>"
                            + "<subscription api=\"EchoWebSocket\" version=\"1.0\"/></application></applications>");
            Files.writeString(config.toPath(), xml);
            homes.add(home);
        }
        for (int n = 1; n <= 3; n++) {
            nodes.add(new GatewayProcess("node" + n, "--home", homes.get(n - 1).dir.getPath(), "--node-id", "node" + n));
        }
        for (GatewayProcess p : nodes) {
            p.awaitStarted();
        }
    }

    @AfterAll
    static void stop() throws Exception {
        for (GatewayProcess p : nodes) {
            assertTrue(p.stop(30), "a node did not exit");
            assertTrue(!p.log().contains("LEAK:"), p.log());
        }
        if (redis != null) {
            redis.destroyForcibly();
        }
        if (backend != null) {
            backend.close();
        }
    }

    static Process startRedis() throws Exception {
        Process p = new ProcessBuilder(REDIS.getPath(), "--port", String.valueOf(redisPort), "--bind", "127.0.0.1", "--save", "",
                "--appendonly", "no").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < until) {
            try (Socket s = new Socket("127.0.0.1", redisPort)) {
                return p;
            } catch (IOException notYet) {
                Thread.sleep(20);
            }
        }
        throw new AssertionError("redis-server did not listen");
    }

    static String url(int node) {
        return "ws://localhost:" + homes.get(node - 1).wsPort + "/echowebsocket/1.0";
    }

    static String health(int node) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:"
                + homes.get(node - 1).analyticsPort + "/health")).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    @Test
    @Order(1)
    void aGoldSubscriptionGetsExactly5000MessagesAMinuteOverThreeNodes() throws Exception {
        // tokens of node 1 open connections on all three, two each
        String token = Tokens.demoProduction(homes.get(0));
        // the count is per calendar minute: start early enough in one to finish in it
        long left = 60_000 - System.currentTimeMillis() % 60_000;
        if (left < 25_000) {
            Thread.sleep(left + 500);
        }
        long minute = System.currentTimeMillis() / 60_000;
        long before = backend.messages();
        ExecutorService pool = Executors.newFixedThreadPool(6);
        List<Future<long[]>> clients = new ArrayList<>();
        for (int c = 0; c < 6; c++) {
            int node = c % 3 + 1;
            clients.add(pool.submit(() -> {
                WsClient ws = WsClient.connect(HttpClient.newHttpClient(), url(node), WsClient.bearer(token));
                long echoes = 0;
                long refused = 0;
                int inARow = 0;
                // both directions count against the tier (the demo throttles in dispatchSeq and outflowDispatchSeq):
                // send until the subscription's minute is spent on every node
                while (inARow < 30) {
                    ws.ws.sendText("m", true).join();
                    Object reply = ws.next();
                    if ("m".equals(reply)) {
                        echoes++;
                        inARow = 0;
                    } else {
                        assertTrue(String.valueOf(reply).contains("\"throttled\""), String.valueOf(reply));
                        refused++;
                        inARow++;
                    }
                }
                ws.ws.sendClose(1000, "").join();
                return new long[] {echoes, refused};
            }));
        }
        long echoes = 0;
        for (Future<long[]> f : clients) {
            echoes += f.get(50, TimeUnit.SECONDS)[0];
        }
        pool.shutdown();
        assertEquals(minute, System.currentTimeMillis() / 60_000, "the test ran within one minute window");
        // messages that reached the backend, plus echoes that reached their client: the tier's 5000, exactly
        assertEquals(5000, backend.messages() - before + echoes);
        for (int n = 1; n <= 3; n++) {
            String h = health(n);
            assertTrue(h.contains("\"node\":\"node" + n + "\"") && h.contains("\"counterStore\":\"redis up\""), h);
        }
    }

    @Test
    @Order(2)
    void maxConnectionsHoldsAcrossNodes() throws Exception {
        String token = Tokens.clientCredentials("http://localhost:" + homes.get(0).keyManagerPort + "/oauth2/token", "pair", "pair-secret");
        WsClient first = WsClient.connect(HttpClient.newHttpClient(), url(1), WsClient.bearer(token));
        WsClient second = WsClient.connect(HttpClient.newHttpClient(), url(2), WsClient.bearer(token));
        assertEquals(429, WsClient.handshakeStatus(url(3), token), "a third connection, on a third node");
        first.ws.sendClose(1000, "").join();
        first.closeWithin(10);
        // the slot is given back when the close is done on node 1
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        int status = 0;
        while (System.nanoTime() < until && (status = WsClient.handshakeStatus(url(3), token)) == 429) {
            Thread.sleep(100);
        }
        assertEquals(101, status);
        second.ws.sendClose(1000, "").join();
    }

    @Test
    @Order(3)
    void theConnectionsApiOfAnyNodeReachesTheClientOnAnother() throws Exception {
        String token = Tokens.clientCredentials("http://localhost:" + homes.get(0).keyManagerPort + "/oauth2/token", "spread", "spread-secret");
        WsClient onNode3 = WsClient.connect(HttpClient.newHttpClient(), url(3), WsClient.bearer(token));
        onNode3.ws.sendText("hi", true);
        assertEquals("hi", onNode3.messages.poll(10, TimeUnit.SECONDS));

        // node 1 lists the connections of all three
        HttpResponse<String> list = management(1, "GET", "/connections?application=Spread", null);
        assertEquals(200, list.statusCode(), list.body());
        Map<String, Object> json = JSONObjectUtils.parse(list.body());
        assertEquals(List.of("node1", "node2", "node3"), ((List<?>) json.get("nodes")).stream().sorted().collect(Collectors.toList()), list.body());
        List<?> items = (List<?>) json.get("list");
        assertEquals(1, items.size(), list.body());
        Map<?, ?> item = (Map<?, ?>) items.get(0);
        assertEquals("node3", item.get("node"));
        String id = String.valueOf(item.get("connectionId"));
        assertTrue(id.startsWith("node3~"), id);

        // node 2 describes it and sends it a message; node 1 closes it
        HttpResponse<String> one = management(2, "GET", "/connections/" + id, null);
        assertEquals(200, one.statusCode(), one.body());
        assertEquals(1L, ((Number) JSONObjectUtils.parse(one.body()).get("messagesIn")).longValue(), one.body());
        HttpResponse<String> sent = management(2, "POST", "/connections/" + id, "pushed by node 2");
        assertEquals(200, sent.statusCode(), sent.body());
        assertEquals("pushed by node 2", onNode3.messages.poll(10, TimeUnit.SECONDS));
        HttpResponse<String> closed = management(1, "DELETE", "/connections/" + id + "?code=4001&reason=moved", null);
        assertEquals(204, closed.statusCode(), closed.body());
        assertEquals("4001 moved", onNode3.closeWithin(5));
        assertEquals(410, management(1, "GET", "/connections/" + id, null).statusCode(), "closed: gone");
        assertEquals(410, management(1, "DELETE", "/connections/node9~AAAAAAAAAAAAAAAA", null).statusCode(), "no such node");
    }

    @Test
    @Order(4)
    void managementChangesOnOneNodeTakeEffectOnAllOfThem() throws Exception {
        // node 1: a new API, published; an application with keys, subscribed to it and to the demo API
        String apiId = field(managed(1, "POST", "/api/am/publisher/v4/apis", "{\"name\":\"Roam\",\"context\":\"/roam\","
                + "\"version\":\"1.0\",\"type\":\"WS\",\"policies\":[\"Gold\"],\"endpointConfig\":{\"endpoint_type\":\"ws\","
                + "\"production_endpoints\":{\"url\":\"" + backend.url() + "\"},\"sandbox_endpoints\":{\"url\":\"" + backend.url() + "\"}}}", 201), "id");
        managed(1, "POST", "/api/am/publisher/v4/apis/change-lifecycle?apiId=" + apiId + "&action=Publish", "", 200);
        String appId = field(managed(1, "POST", "/api/am/devportal/v3/applications", "{\"name\":\"Roaming\"}", 201), "applicationId");
        Map<String, Object> keys = managed(1, "POST", "/api/am/devportal/v3/applications/" + appId + "/generate-keys",
                "{\"keyType\":\"PRODUCTION\"}", 200);
        Map<?, ?> demo = (Map<?, ?>) ((List<?>) managed(1, "GET", "/api/am/publisher/v4/apis?query=name:EchoWebSocket", null, 200)
                .get("list")).get(0);
        String demoSubscription = field(managed(1, "POST", "/api/am/devportal/v3/subscriptions", "{\"apiId\":\"" + demo.get("id")
                + "\",\"applicationId\":\"" + appId + "\",\"throttlingPolicy\":\"Gold\"}", 201), "subscriptionId");
        managed(1, "POST", "/api/am/devportal/v3/subscriptions", "{\"apiId\":\"" + apiId + "\",\"applicationId\":\"" + appId
                + "\",\"throttlingPolicy\":\"Gold\"}", 201);
        // nodes 2 and 3 know all of it: node 2's key manager issues the token, node 3 and node 2 take it on both APIs
        String token = await(() -> {
            try {
                return Tokens.clientCredentials("http://localhost:" + homes.get(1).keyManagerPort + "/oauth2/token",
                        field(keys, "consumerKey"), field(keys, "consumerSecret"));
            } catch (AssertionError | Exception notYet) {
                return null;
            }
        });
        String roam2 = "ws://localhost:" + homes.get(1).wsPort + "/roam/1.0";
        await(() -> WsClient.handshakeStatus(roam2, token) == 101 ? "" : null);
        WsClient onNode3 = WsClient.connect(HttpClient.newHttpClient(), url(3), WsClient.bearer(token));
        ManagementApiTest.echo(onNode3, "the demo API on node 3");
        WsClient roamOnNode2 = WsClient.connect(HttpClient.newHttpClient(), roam2, WsClient.bearer(token));
        ManagementApiTest.echo(roamOnNode2, "the new API on node 2");
        assertEquals("1", field(managed(2, "GET", "/api/am/publisher/v4/apis?query=name:Roam", null, 200), "count"),
                "node 2's management API has the API too");

        // node 1 retires the new API: its client on node 2 closes with 1001, the demo API's client on node 3 stays
        managed(1, "POST", "/api/am/publisher/v4/apis/change-lifecycle?apiId=" + apiId + "&action=Retire", "", 200);
        assertEquals("1001 API retired", roamOnNode2.closeWithin(10));
        ManagementApiTest.echo(onNode3, "still open");
        // node 1 blocks the demo subscription: the client on node 3 closes with 1008, node 2 refuses it with 403
        managed(1, "POST", "/api/am/publisher/v4/subscriptions/block-subscription?subscriptionId=" + demoSubscription
                + "&blockState=BLOCKED", "", 200);
        assertEquals("1008 subscription blocked", onNode3.closeWithin(10));
        assertEquals(403, WsClient.handshakeStatus(url(2), token));
        // node 1 deletes the application: no node's key manager knows its keys, no node takes its token (403 unknown_application)
        managed(1, "DELETE", "/api/am/devportal/v3/applications/" + appId, null, 200);
        for (int n = 2; n <= 3; n++) {
            String tokenUrl = "http://localhost:" + homes.get(n - 1).keyManagerPort + "/oauth2/token";
            await(() -> {
                try {
                    return Tokens.request(tokenUrl, field(keys, "consumerKey"), field(keys, "consumerSecret")).statusCode() == 401 ? "" : null;
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
            assertEquals(403, WsClient.handshakeStatus(url(n), token));
        }
        assertTrue(nodes.get(2).log().contains("change(s) from node node1"), "node 3 says where the changes came from");
    }

    /** Waits up to 10 s for {@code what} to give a value. */
    static <T> T await(java.util.function.Supplier<T> what) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        T v;
        while ((v = what.get()) == null) {
            assertTrue(System.nanoTime() < until, "not within 10 s");
            Thread.sleep(50);
        }
        return v;
    }

    static Map<String, Object> managed(int node, String method, String path, String body, int status) throws Exception {
        HttpResponse<String> r = management(node, method, path, body);
        assertEquals(status, r.statusCode(), method + " " + path + ": " + r.body());
        return JSONObjectUtils.parse(r.body());
    }

    static String field(Map<?, ?> json, String name) {
        return String.valueOf(json.get(name));
    }

    /** A call of node {@code node}'s management API (HTTPS with the demo key store), as the admin user. */
    static HttpResponse<String> management(int node, String method, String path, String body) throws Exception {
        if (managementClient == null) {
            File trust = tmp.resolve("trust.jks").toFile();
            KeyStores.trustStoreFor(homes.get(0).keyStore, "wso2carbon", "wso2carbon", trust);
            managementClient = HttpClient.newBuilder().sslContext(TestHome.trusting(trust)).build();
        }
        return managementClient.send(HttpRequest.newBuilder(java.net.URI.create("https://localhost:" + homes.get(node - 1).managementPort + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json")
                .header("Authorization", "Basic " + java.util.Base64.getEncoder().encodeToString("admin:admin".getBytes(StandardCharsets.UTF_8)))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpClient managementClient;

    @Test
    @Order(5)
    void aRevocationOnOneNodeClosesTheClientOnAnother() throws Exception {
        String token = Tokens.demoProduction(homes.get(0));
        WsClient onNode1 = WsClient.connect(HttpClient.newHttpClient(), url(1), WsClient.bearer(token));
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(java.net.URI.create("http://localhost:"
                + homes.get(1).keyManagerPort + "/oauth2/revoke"))
                .header("Authorization", "Basic " + java.util.Base64.getEncoder().encodeToString((DemoHome.PRODUCTION_CLIENT + ":"
                        + DemoHome.PRODUCTION_SECRET).getBytes(StandardCharsets.UTF_8)))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("token=" + token)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        // revoked on node 2: the client on node 1 is closed, and no node takes the token again
        assertEquals("1008 access token revoked", onNode1.closeWithin(5));
        for (int n = 1; n <= 3; n++) {
            assertEquals(401, WsClient.handshakeStatus(url(n), token), "node " + n);
        }
        assertTrue(nodes.get(0).log().contains("revoked on another node"), "node 1 says where it came from");
    }

    /** The sample HAProxy configuration, its ports pointed at nodes 1 and 2: clients spread over both. */
    @Test
    @Order(6)
    void theSampleHaproxyConfigSpreadsClientsOverTwoNodes() throws Exception {
        File haproxy = new File("/usr/sbin/haproxy");
        assertTrue(haproxy.canExecute(), "the cluster test needs Debian's haproxy (apt-get install haproxy)");
        int front = TestHome.freePort();
        String cfg = Files.readString(Path.of("..", "sample-configs", "haproxy", "haproxy.cfg"))
                .replace("127.0.0.1:9000", "127.0.0.1:" + front)
                .replace("127.0.0.1:9099", "127.0.0.1:" + homes.get(0).wsPort).replace("port 9191", "port " + homes.get(0).analyticsPort)
                .replace("127.0.0.1:9199", "127.0.0.1:" + homes.get(1).wsPort).replace("port 9291", "port " + homes.get(1).analyticsPort);
        assertTrue(cfg.contains(":" + homes.get(1).wsPort) && cfg.contains("port " + homes.get(1).analyticsPort), cfg);
        Path file = tmp.resolve("haproxy.cfg");
        Files.writeString(file, cfg);
        Process p = new ProcessBuilder(haproxy.getPath(), "-db", "-f", file.toString()).redirectErrorStream(true)
                .redirectOutput(tmp.resolve("haproxy.log").toFile()).start();
        try {
            io.synapsews.testing.Await.until(java.time.Duration.ofSeconds(15), () -> TestHome.listening(front),
                    "haproxy listening: " + tmp.resolve("haproxy.log"));
            String token = Tokens.clientCredentials("http://localhost:" + homes.get(0).keyManagerPort + "/oauth2/token", "spread",
                    "spread-secret");
            // both servers up by their health checks before the clients come
            Thread.sleep(1500);
            List<WsClient> clients = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                WsClient c = WsClient.connect(HttpClient.newHttpClient(), "ws://127.0.0.1:" + front + "/echowebsocket/1.0",
                        WsClient.bearer(token));
                ManagementApiTest.echo(c, "through haproxy " + i);
                clients.add(c);
            }
            String opened = "synapsews_connections_opened_total{api=\"EchoWebSocket\",version=\"1.0\",application=\"Spread\"}";
            assertTrue(metrics(1).contains(opened) && metrics(2).contains(opened), "least connections: clients on both nodes");
            for (WsClient c : clients) {
                c.ws.sendClose(1000, "").join();
            }
        } finally {
            p.destroy();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    @Order(7)
    void redisDownKeepsOpenConnectionsAndFollowsOnStoreFailureUntilItIsBack() throws Exception {
        String token = Tokens.demoProduction(homes.get(1));
        WsClient open = WsClient.connect(HttpClient.newHttpClient(), url(1), WsClient.bearer(token));
        redis.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        try {
            // the open connection keeps working (its messages now counted on its node alone)
            open.ws.sendText("while Redis is down", true).join();
            Object reply = open.next();
            assertTrue("while Redis is down".equals(reply) || String.valueOf(reply).contains("\"throttled\""), String.valueOf(reply));
            // deny (nodes 1 and 2): new handshakes 503 once the node has noticed (its heartbeat is every second)
            long noticed = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            int refused = 0;
            while (System.nanoTime() < noticed && (refused = WsClient.handshakeStatus(url(2), token)) != 503) {
                Thread.sleep(200);
            }
            assertEquals(503, refused);
            // local (node 3): they pass, counted on the node
            assertEquals(101, WsClient.handshakeStatus(url(3), token));
            io.synapsews.testing.Await.until(java.time.Duration.ofSeconds(10), () -> health(1) + metrics(1),
                    t -> t.contains("\"counterStore\":\"redis down\"") && t.contains("synapsews_counter_store_up{store=\"redis\"} 0"),
                    "node 1 reporting the store down in /health and /metrics");
        } finally {
            redis = startRedis();
        }
        // back within the backoff (at most 10 s between tries)
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        int status = 0;
        while (System.nanoTime() < until && (status = WsClient.handshakeStatus(url(2), token)) == 503) {
            Thread.sleep(250);
        }
        assertEquals(101, status, "shared counting again");
        assertTrue(health(2).contains("\"counterStore\":\"redis up\""), health(2));
        assertTrue(nodes.get(1).log().contains("is back; limits are shared again"), "the transition is logged");
        open.ws.sendClose(1000, "").join();
    }

    static String metrics(int node) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:"
                + homes.get(node - 1).analyticsPort + "/metrics")).build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8)).body();
    }
}
