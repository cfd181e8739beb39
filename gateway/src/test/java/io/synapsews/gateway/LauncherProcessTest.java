package io.synapsews.gateway;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The launcher as an administrator runs it: a separate process, stopped with SIGTERM. */
class LauncherProcessTest {

    @TempDir
    Path tmp;

    private EchoBackend backend;
    private Process gateway;

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.destroyForcibly();
        }
        if (backend != null) {
            backend.close();
        }
    }

    @Test
    void sigtermClosesClientsWith1001AndTheProcessExits() throws Exception {
        backend = new EchoBackend(0);
        TestHome home = new TestHome(tmp.resolve("home").toFile(), "ws://127.0.0.1:1/");
        List<String> cmd = new ArrayList<>();
        cmd.add(new File(System.getProperty("java.home"), "bin/java").getPath());
        cmd.add("-Dio.netty.leakDetection.level=paranoid");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(Launcher.class.getName());
        cmd.add("--home");
        cmd.add(home.dir.getPath());
        cmd.add("--backend");
        cmd.add(backend.url());
        gateway = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        List<String> output = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> started = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(gateway.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    output.add(line);
                    System.out.println("[gateway] " + line);
                    if (line.contains("synapse-ws gateway started")) {
                        started.complete(null);
                    }
                }
            } catch (Exception ignored) {
                // the process ended
            }
            started.completeExceptionally(new AssertionError("gateway ended before it started:\n" + String.join("\n", output)));
        });
        reader.setDaemon(true);
        reader.start();
        started.get(60, TimeUnit.SECONDS);

        // the demo flow: a token from the built-in key manager, then the API with it
        String token = Tokens.demoProduction(home);
        WsClient c = WsClient.connect(HttpClient.newHttpClient(), "ws://localhost:" + home.wsPort + "/echowebsocket/1.0",
                WsClient.bearer(token));
        c.ws.sendText("through the launcher", true).join();
        assertEquals("through the launcher", c.next());

        // the seed's workflow through the management REST APIs of the process: an API of its own, published and used
        File trust = tmp.resolve("trust.jks").toFile();
        KeyStores.trustStoreFor(home.keyStore, "wso2carbon", "wso2carbon", trust);
        HttpClient https = HttpClient.newBuilder().sslContext(TestHome.trusting(trust)).build();
        String base = "https://localhost:" + home.managementPort;
        String apiId = field(manage(https, base + "/api/am/publisher/v4/apis", "{\"name\":\"Proc\",\"context\":\"/proc\","
                + "\"version\":\"1.0\",\"endpointConfig\":{\"production_endpoints\":{\"url\":\"" + backend.url() + "\"}}}", 201), "id");
        manage(https, base + "/api/am/publisher/v4/apis/change-lifecycle?apiId=" + apiId + "&action=Publish", "", 200);
        String appId = field(manage(https, base + "/api/am/devportal/v3/applications", "{\"name\":\"ProcApp\"}", 201), "applicationId");
        Map<String, Object> keys = manage(https, base + "/api/am/devportal/v3/applications/" + appId + "/generate-keys",
                "{\"keyType\":\"PRODUCTION\"}", 200);
        manage(https, base + "/api/am/devportal/v3/subscriptions", "{\"apiId\":\"" + apiId + "\",\"applicationId\":\"" + appId
                + "\",\"throttlingPolicy\":\"Unlimited\"}", 201);
        String procToken = Tokens.clientCredentials("http://localhost:" + home.keyManagerPort + "/oauth2/token",
                field(keys, "consumerKey"), field(keys, "consumerSecret"));
        WsClient p = WsClient.connect(HttpClient.newHttpClient(), "ws://localhost:" + home.wsPort + "/proc/1.0", WsClient.bearer(procToken));
        p.ws.sendText("a published API", true).join();
        assertEquals("a published API", p.next());

        // SIGTERM; Process.destroy() would also close our end of its output, losing the shutdown lines
        assertTrue(gateway.toHandle().destroy());
        String close = c.closeWithin(30);
        assertTrue(close.startsWith("1001"), "client closed with " + close);
        assertTrue(gateway.waitFor(30, TimeUnit.SECONDS), "the gateway process did not exit");
        reader.join(5000);
        String log = String.join("\n", output);
        assertTrue(log.contains("opened, path=/echowebsocket/1.0"), log);
        assertTrue(log.contains("code=1001"), log);
        assertTrue(!log.contains("LEAK:"), log);
    }

    private static Map<String, Object> manage(HttpClient https, String url, String json, int status) throws Exception {
        HttpResponse<String> r = https.send(HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString("admin:admin".getBytes(StandardCharsets.UTF_8)))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(status, r.statusCode(), url + ": " + r.body());
        return com.nimbusds.jose.util.JSONObjectUtils.parse(r.body());
    }

    private static String field(Map<String, Object> json, String name) {
        return String.valueOf(json.get(name));
    }
}
