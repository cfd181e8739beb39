package io.synapsews.mediators.internal.auth;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import io.synapsews.mediators.internal.GatewayConfig;
import io.synapsews.mediators.internal.HttpEndpointServer;
import io.synapsews.mediators.internal.HttpReply;
import io.synapsews.testing.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The JWKS of a key manager served over HTTP; its key is rotated while the cache holds the old set. */
class JwksCacheTest {

    @TempDir
    Path dir;

    private KeyManager keyManager() throws Exception {
        File f = dir.resolve("gw.xml").toFile();
        Files.write(f.toPath(), "<gateway><keyManager port=\"0\"/></gateway>".getBytes(StandardCharsets.UTF_8));
        GatewayConfig config = GatewayConfig.load(f, dir.toFile());
        return new KeyManager(config, config::directory);
    }

    @Test
    void anUnknownKeyIdRefreshesTheSetAtMostOncePerInterval() throws Exception {
        AtomicReference<KeyManager> current = new AtomicReference<>(keyManager());
        AtomicInteger fetches = new AtomicInteger();
        try (HttpEndpointServer server = new HttpEndpointServer("jwks-test", "127.0.0.1", 0,
                Map.of("/jwks", r -> {
                    fetches.incrementAndGet();
                    return current.get().jwks(r);
                }))) {
            URI url = URI.create("http://127.0.0.1:" + server.port() + "/jwks");
            JwksCache cache = new JwksCache(url, 300_000, 0, 300_000, HttpClient.newHttpClient());
            String oldKid = current.get().publicKeys().getKeys().get(0).getKeyID();
            assertNotNull(cache.find(oldKid));
            assertNotNull(cache.find(oldKid));
            assertEquals(1, fetches.get(), "a known key id is served from the cache");

            current.set(keyManager()); // rotation
            String newKid = current.get().publicKeys().getKeys().get(0).getKeyID();
            assertNotNull(cache.find(newKid), "the rotated key was not fetched");
            assertEquals(2, fetches.get());

            JwksCache slow = new JwksCache(url, 300_000, 60_000, 300_000, HttpClient.newHttpClient());
            slow.find(newKid);
            int before = fetches.get();
            assertNull(slow.find("no-such-kid"));
            assertEquals(before, fetches.get(), "unknown key ids must not hammer the JWKS endpoint");
        }
    }

    @Test
    void anUnreachableJwksIsReportedAsUnavailable() {
        JwksCache cache = new JwksCache(URI.create("http://127.0.0.1:1/jwks"), 1000, 1000, HttpClient.newHttpClient());
        InvalidTokenException e = assertThrows(InvalidTokenException.class, () -> cache.find("k"));
        assertEquals("key_source_unavailable", e.reason());
    }

    @Test
    void aHangingJwksServerGetsOneRequestForFiftyConcurrentHandshakes() throws Exception {
        AtomicInteger accepted = new AtomicInteger();
        try (ServerSocket hanging = new ServerSocket(0, 100, InetAddress.getLoopbackAddress())) {
            List<Socket> held = new CopyOnWriteArrayList<>();
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        held.add(hanging.accept()); // reads nothing, answers nothing
                        accepted.incrementAndGet();
                    }
                } catch (IOException closed) {
                    // the test is over
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            JwksCache cache = new JwksCache(URI.create("http://127.0.0.1:" + hanging.getLocalPort() + "/jwks"),
                    300_000, 60_000, 300_000, HttpClient.newHttpClient());
            ExecutorService pool = Executors.newFixedThreadPool(50);
            try {
                List<Future<String>> results = new ArrayList<>();
                for (int i = 0; i < 50; i++) {
                    results.add(pool.submit(() -> {
                        try {
                            cache.find("k");
                            return "found";
                        } catch (InvalidTokenException e) {
                            return e.reason();
                        }
                    }));
                }
                for (Future<String> r : results) {
                    // each waits on the one fetch, which times out (JwksCache.TIMEOUT), not 50 of them in turn
                    assertEquals("key_source_unavailable", r.get(JwksCache.TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS));
                }
                assertEquals(1, accepted.get(), "one fetch in flight for every waiting handshake");
                // and within the refresh interval the next one fails at once, without a request
                assertThrows(InvalidTokenException.class, () -> cache.find("k"));
                assertEquals(1, accepted.get());
            } finally {
                pool.shutdownNow();
                for (Socket s : held) {
                    s.close();
                }
            }
        }
    }

    @Test
    void theLastGoodKeysServeWhileTheJwksServerFailsUntilTheyAreTooStale() throws Exception {
        KeyManager km = keyManager();
        AtomicInteger status = new AtomicInteger(200);
        AtomicInteger fetches = new AtomicInteger();
        try (HttpEndpointServer server = new HttpEndpointServer("jwks-test", "127.0.0.1", 0,
                Map.of("/jwks", r -> {
                    fetches.incrementAndGet();
                    return status.get() == 200 ? km.jwks(r) : HttpReply.text(500, "broken");
                }))) {
            URI url = URI.create("http://127.0.0.1:" + server.port() + "/jwks");
            // ttl 1 ms, refresh at most every 0 ms, stale keys allowed for 2 s
            JwksCache cache = new JwksCache(url, 1, 0, 2000, HttpClient.newHttpClient());
            String kid = km.publicKeys().getKeys().get(0).getKeyID();
            assertNotNull(cache.find(kid));
            status.set(500);
            int before = fetches.get();
            // past the ttl, the server failing: the last good key still verifies, and a refresh was tried
            assertNotNull(cache.find(kid));
            assertNotNull(cache.find(kid));
            Await.until(Duration.ofSeconds(10), () -> {
                try {
                    assertNotNull(cache.find(kid)); // served while a refresh runs or after it failed
                } catch (InvalidTokenException e) {
                    throw new AssertionError(e);
                }
                return fetches.get() > before;
            }, "a refresh of the expired keys");
            assertNotNull(cache.find(kid), "the last good key after the failed refresh");
            // past the staleness limit the keys are not used any more
            Await.until(Duration.ofSeconds(10), () -> {
                try {
                    cache.find(kid);
                    return false;
                } catch (InvalidTokenException e) {
                    return "key_source_unavailable".equals(e.reason());
                }
            }, "stale keys refused");
        }
    }
}
