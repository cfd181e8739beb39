package io.synapsews.mediators.internal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

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
        return new KeyManager(GatewayConfig.load(f, dir.toFile()));
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
            JwksCache cache = new JwksCache(url, 300_000, 0, HttpClient.newHttpClient());
            String oldKid = current.get().publicKeys().getKeys().get(0).getKeyID();
            assertNotNull(cache.find(oldKid));
            assertNotNull(cache.find(oldKid));
            assertEquals(1, fetches.get(), "a known key id is served from the cache");

            current.set(keyManager()); // rotation
            String newKid = current.get().publicKeys().getKeys().get(0).getKeyID();
            assertNotNull(cache.find(newKid), "the rotated key was not fetched");
            assertEquals(2, fetches.get());

            JwksCache slow = new JwksCache(url, 300_000, 60_000, HttpClient.newHttpClient());
            slow.find(newKid);
            int before = fetches.get();
            assertNull(slow.find("no-such-kid"));
            assertEquals(before, fetches.get(), "unknown key ids must not hammer the JWKS endpoint");
        }
    }

    @Test
    void anUnreachableJwksIsReportedAsUnavailable() {
        JwksCache cache = new JwksCache(URI.create("http://127.0.0.1:1/jwks"), 1000, HttpClient.newHttpClient());
        InvalidTokenException e = assertThrows(InvalidTokenException.class, () -> cache.find("k"));
        assertEquals("key_source_unavailable", e.reason());
    }
}
