package io.synapsews.mediators.internal.auth;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.text.ParseException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;

/**
 * A JWKS fetched from a URL and kept for {@code ttl}. A key id it does not hold triggers a refresh (at
 * most one every {@link #MIN_REFRESH_MILLIS}), so rotated keys are picked up at once. It never holds a
 * lock while it fetches: one fetch is in flight at a time and every handshake that needs it waits on that
 * one; past the ttl the last good keys keep serving (while a refresh runs) until they are
 * {@code maxStale} old; a JWKS server that fails or hangs is asked again only after the refresh interval,
 * so a flood of handshakes costs it one request.
 */
final class JwksCache {

    static final long MIN_REFRESH_MILLIS = 5_000;
    static final Duration TIMEOUT = Duration.ofSeconds(5);
    static final int MAX_WAITERS = 2;
    static final long QUEUE_MILLIS = 250;

    private final URI url;
    private final long ttlMillis;
    private final long minRefreshMillis;
    private final long maxStaleMillis;
    private final HttpClient http;
    private final Semaphore waiters = new Semaphore(MAX_WAITERS);
    private volatile JWKSet keys;
    private volatile long fetchedAt;
    /** Guarded by this: the fetch in flight, and when the last one started. */
    private CompletableFuture<JWKSet> inFlight;
    private long lastAttempt = Long.MIN_VALUE / 2;

    JwksCache(URI url, long ttlMillis, long maxStaleMillis, HttpClient http) {
        this(url, ttlMillis, MIN_REFRESH_MILLIS, maxStaleMillis, http);
    }

    JwksCache(URI url, long ttlMillis, long minRefreshMillis, long maxStaleMillis, HttpClient http) {
        this.url = url;
        this.ttlMillis = ttlMillis;
        this.minRefreshMillis = minRefreshMillis;
        this.maxStaleMillis = Math.max(maxStaleMillis, ttlMillis);
        this.http = http;
    }

    /** The key with this id (or the only key when {@code kid} is null), or null. */
    JWK find(String kid) throws InvalidTokenException {
        long now = System.currentTimeMillis();
        JWKSet k = keys;
        if (k != null && now - fetchedAt <= maxStaleMillis) {
            if (now - fetchedAt > ttlMillis) {
                refresh(now); // in the background: the last good keys serve meanwhile
            }
            JWK key = lookup(k, kid);
            if (key != null) {
                return key;
            }
            // an unknown key id: maybe rotated; wait for a refresh, if one may run now
            CompletableFuture<JWKSet> f = refresh(now);
            return f == null ? null : lookup(await(f, k), kid);
        }
        CompletableFuture<JWKSet> f = refresh(now);
        if (f == null) {
            throw new InvalidTokenException("key_source_unavailable", "JWKS " + url + " unavailable (asked again in at most "
                    + minRefreshMillis / 1000 + " s)");
        }
        return lookup(await(f, null), kid);
    }

    private static JWK lookup(JWKSet set, String kid) {
        if (set == null) {
            return null;
        }
        if (kid == null) {
            return set.getKeys().size() == 1 ? set.getKeys().get(0) : null;
        }
        return set.getKeyByKeyId(kid);
    }

    /** The fetch in flight, a new one, or null when the last attempt is too recent. */
    private synchronized CompletableFuture<JWKSet> refresh(long now) {
        if (inFlight != null) {
            return inFlight;
        }
        if (now - lastAttempt < minRefreshMillis) {
            return null;
        }
        lastAttempt = now;
        // completed only after the keys are stored and the slot is free: a waiter that wakes sees both
        CompletableFuture<JWKSet> f = new CompletableFuture<>();
        inFlight = f;
        http.sendAsync(HttpRequest.newBuilder(url).timeout(TIMEOUT).GET().build(), HttpResponse.BodyHandlers.ofString())
                .whenComplete((r, failure) -> {
                    JWKSet set = null;
                    Throwable problem = failure;
                    if (r != null) {
                        try {
                            if (r.statusCode() != 200) {
                                throw new IllegalStateException("answered " + r.statusCode());
                            }
                            set = JWKSet.parse(r.body());
                        } catch (ParseException | RuntimeException e) {
                            problem = e;
                        }
                    }
                    if (set != null) {
                        keys = set;
                        fetchedAt = System.currentTimeMillis();
                    }
                    synchronized (this) {
                        inFlight = null;
                    }
                    if (set != null) {
                        f.complete(set);
                    } else {
                        f.completeExceptionally(problem);
                    }
                });
        return f;
    }

    /**
     * Waits for a fetch; a failed one leaves {@code fallback} (the last good keys) or fails the token. At most
     * {@link #MAX_WAITERS} handshake threads wait on one key source for longer than {@link #QUEUE_MILLIS}:
     * a JWKS server that hangs must not take every handshake thread (other APIs' handshakes need them).
     */
    private JWKSet await(CompletableFuture<JWKSet> f, JWKSet fallback) throws InvalidTokenException {
        boolean waiting = false;
        try {
            waiting = waiters.tryAcquire(QUEUE_MILLIS, TimeUnit.MILLISECONDS);
            if (!waiting && !f.isDone()) {
                if (fallback != null) {
                    return fallback;
                }
                throw new InvalidTokenException("key_source_unavailable", "JWKS " + url + " is slow to answer ("
                        + MAX_WAITERS + " handshakes already wait for it)");
            }
            return f.get(TIMEOUT.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InvalidTokenException("key_source_unavailable", "JWKS " + url + " fetch interrupted");
        } catch (ExecutionException | TimeoutException e) {
            if (fallback != null) {
                return fallback;
            }
            Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            throw new InvalidTokenException("key_source_unavailable", "JWKS " + url + " unavailable: " + cause.getMessage());
        } finally {
            if (waiting) {
                waiters.release();
            }
        }
    }
}
