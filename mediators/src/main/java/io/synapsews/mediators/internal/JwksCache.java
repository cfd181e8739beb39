package io.synapsews.mediators.internal;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * A JWKS fetched from a URL and kept for {@code ttl}; a key id it does not hold triggers a
 * refresh (at most one every {@link #MIN_REFRESH_MILLIS}), so rotated keys are picked up at once.
 */
final class JwksCache {

    static final long MIN_REFRESH_MILLIS = 5_000;
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final URI url;
    private final long ttlMillis;
    private final long minRefreshMillis;
    private final HttpClient http;
    private JWKSet keys;
    private long fetchedAt;

    JwksCache(URI url, long ttlMillis, HttpClient http) {
        this(url, ttlMillis, MIN_REFRESH_MILLIS, http);
    }

    JwksCache(URI url, long ttlMillis, long minRefreshMillis, HttpClient http) {
        this.url = url;
        this.ttlMillis = ttlMillis;
        this.minRefreshMillis = minRefreshMillis;
        this.http = http;
    }

    /** The key with this id (or the only key when {@code kid} is null), or null. */
    synchronized JWK find(String kid) throws InvalidTokenException {
        long now = System.currentTimeMillis();
        if (keys == null || now - fetchedAt > ttlMillis) {
            fetch(now);
        }
        JWK key = lookup(kid);
        if (key == null && now - fetchedAt >= minRefreshMillis) {
            fetch(now);
            key = lookup(kid);
        }
        return key;
    }

    private JWK lookup(String kid) {
        if (kid == null) {
            return keys.getKeys().size() == 1 ? keys.getKeys().get(0) : null;
        }
        return keys.getKeyByKeyId(kid);
    }

    private void fetch(long now) throws InvalidTokenException {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(url).timeout(TIMEOUT).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new InvalidTokenException("key_source_unavailable", "JWKS " + url + " answered " + r.statusCode());
            }
            keys = JWKSet.parse(r.body());
            fetchedAt = now;
        } catch (InvalidTokenException e) {
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InvalidTokenException("key_source_unavailable", "JWKS " + url + " fetch interrupted");
        } catch (Exception e) {
            throw new InvalidTokenException("key_source_unavailable", "JWKS " + url + " unavailable: " + e.getMessage());
        }
    }
}
