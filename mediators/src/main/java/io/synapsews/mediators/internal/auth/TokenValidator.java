package io.synapsews.mediators.internal.auth;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.Key;
import java.security.PublicKey;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.factories.DefaultJWSVerifierFactory;
import com.nimbusds.jose.jwk.AsymmetricJWK;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

/**
 * Validates access tokens: JWTs by signature (a JWKS URL, a configured certificate, or the built-in
 * key manager's key) with issuer, audience, expiry and not-before checks within a clock skew;
 * other tokens by RFC 7662 introspection, with a bounded cache of the answers.
 */
public final class TokenValidator {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    /** How long an inactive answer is reused (at most the positive cache time). */
    static final long NEGATIVE_CACHE_SECONDS = 10;

    /** Where JWT signing keys come from. */
    interface KeySource {
        /** The key for this key id (null: the only key), or null if unknown. */
        Key find(String kid) throws InvalidTokenException;
    }

    private final KeySource keys;
    private final Supplier<String> issuer;
    private final Supplier<String> audience;
    private final long clockSkewMillis;
    /** What "now" is for expiry, not-before and the introspection cache (the system clock but in tests). */
    private final Clock clock;
    private final boolean requireExpiry;
    private final URI introspectionUrl;
    private final String introspectionAuth;
    private final long introspectionCacheMillis;
    private final long introspectionNegativeCacheMillis;
    private final Map<String, CachedAnswer> introspected;
    /**
     * JWTs whose signature verified, with the key that verified them: a client that reconnects with the
     * same token is not verified again (an RSA verification is most of a handshake's CPU). The claims are
     * checked on every use (expiry, issuer and audience may have changed); an entry whose key is no
     * longer the key source's answer for its key id is verified again. Only tokens that verified are
     * kept, so a flood of forged tokens cannot fill it; least recently used out past {@link #VERIFIED_CACHE_SIZE}.
     */
    private final Map<String, Verified> verified = new LinkedHashMap<String, Verified>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Verified> eldest) {
            return size() > VERIFIED_CACHE_SIZE;
        }
    };
    private final java.util.concurrent.atomic.LongAdder signatureChecks = new java.util.concurrent.atomic.LongAdder();
    private final HttpClient http;

    /** The most verified JWTs remembered (about 1 KiB each). */
    static final int VERIFIED_CACHE_SIZE = 10_000;

    private static final class Verified {
        final String kid;
        final Key key;
        final JWTClaimsSet claims;

        Verified(String kid, Key key, JWTClaimsSet claims) {
            this.kid = kid;
            this.key = key;
            this.claims = claims;
        }
    }

    private TokenValidator(Builder b) {
        this.http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
        if (b.jwksUrl != null) {
            JwksCache cache = new JwksCache(URI.create(b.jwksUrl), b.jwksCacheSeconds * 1000, b.jwksMaxStaleSeconds * 1000, http);
            this.keys = kid -> {
                JWK jwk = cache.find(kid);
                return jwk == null ? null : toKey(jwk);
            };
        } else if (b.certificateKey != null) {
            PublicKey key = b.certificateKey;
            this.keys = kid -> key;
        } else {
            this.keys = b.keyManagerKeys;
        }
        this.issuer = b.issuer;
        this.audience = b.audience;
        this.clockSkewMillis = b.clockSkewSeconds * 1000;
        this.clock = b.clock;
        this.requireExpiry = b.requireExpiry;
        this.introspectionUrl = b.introspectionUrl == null ? null : URI.create(b.introspectionUrl);
        this.introspectionAuth = b.introspectionClientId == null ? null : "Basic " + Base64.getEncoder().encodeToString(
                (b.introspectionClientId + ":" + (b.introspectionClientSecret == null ? "" : b.introspectionClientSecret))
                        .getBytes(StandardCharsets.UTF_8));
        this.introspectionCacheMillis = b.introspectionCacheSeconds * 1000;
        this.introspectionNegativeCacheMillis = Math.min(b.introspectionCacheSeconds, NEGATIVE_CACHE_SECONDS) * 1000;
        int size = b.introspectionCacheSize;
        this.introspected = new LinkedHashMap<String, CachedAnswer>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, CachedAnswer> eldest) {
                return size() > size;
            }
        };
    }

    public static Builder builder() {
        return new Builder();
    }

    public ValidatedToken validate(String token) throws InvalidTokenException {
        Verified seen;
        synchronized (verified) {
            seen = verified.get(token);
        }
        if (seen != null) {
            if (seen.key.equals(keys.find(seen.kid))) {
                return checkClaims(seen.claims);
            }
            synchronized (verified) {
                verified.remove(token);
            }
        }
        SignedJWT jwt = null;
        if (token.chars().filter(c -> c == '.').count() == 2) {
            try {
                jwt = SignedJWT.parse(token);
            } catch (ParseException e) {
                jwt = null;
            }
        }
        if (jwt != null && keys != null) {
            return validateJwt(token, jwt);
        }
        if (introspectionUrl != null) {
            return introspect(token);
        }
        throw new InvalidTokenException("invalid_token", jwt == null ? "not a JWT and no introspection endpoint is configured"
                : "no key source to verify the JWT");
    }

    /** How many JWT signatures this validator has verified (a cached token is not verified again). */
    long signatureChecks() {
        return signatureChecks.sum();
    }

    private ValidatedToken validateJwt(String token, SignedJWT jwt) throws InvalidTokenException {
        JWSHeader header = jwt.getHeader();
        Key key = keys.find(header.getKeyID());
        if (key == null) {
            throw new InvalidTokenException("invalid_token", "unknown signing key");
        }
        try {
            JWSVerifier verifier = new DefaultJWSVerifierFactory().createJWSVerifier(header, key);
            signatureChecks.increment();
            if (!jwt.verify(verifier)) {
                throw new InvalidTokenException("invalid_token", "signature does not verify");
            }
            JWTClaimsSet claims = jwt.getJWTClaimsSet();
            synchronized (verified) {
                verified.put(token, new Verified(header.getKeyID(), key, claims));
            }
            return checkClaims(claims);
        } catch (InvalidTokenException e) {
            throw e;
        } catch (Exception e) {
            throw new InvalidTokenException("invalid_token", "token cannot be verified: " + e.getMessage());
        }
    }

    private ValidatedToken checkClaims(JWTClaimsSet claims) throws InvalidTokenException {
        long now = clock.millis();
        Date exp = claims.getExpirationTime();
        if (exp == null && requireExpiry) {
            throw new InvalidTokenException("invalid_token", "the token has no expiry (exp)");
        }
        if (exp != null && now > exp.getTime() + clockSkewMillis) {
            throw new InvalidTokenException("expired_token", "the token expired at " + exp.toInstant());
        }
        Date nbf = claims.getNotBeforeTime();
        if (nbf != null && now + clockSkewMillis < nbf.getTime()) {
            throw new InvalidTokenException("invalid_token", "the token is not valid before " + nbf.toInstant());
        }
        String iss = issuer.get();
        if (iss != null && !iss.equals(claims.getIssuer())) {
            throw new InvalidTokenException("invalid_token", "the token's issuer is not accepted");
        }
        String aud = audience.get();
        if (aud != null && (claims.getAudience() == null || !claims.getAudience().contains(aud))) {
            throw new InvalidTokenException("invalid_token", "the token's audience is not accepted");
        }
        String clientId = clientId(claims.getClaims());
        if (clientId == null) {
            throw new InvalidTokenException("invalid_token", "the token names no client (client_id or azp)");
        }
        Object generation = claims.getClaim(ValidatedToken.GENERATION_CLAIM);
        return new ValidatedToken(clientId, exp == null ? 0 : exp.getTime(),
                generation instanceof Number ? ((Number) generation).longValue() : 0, claims.getJWTID(),
                ValidatedToken.scopes(claims.getClaims()));
    }

    private ValidatedToken introspect(String token) throws InvalidTokenException {
        long now = clock.millis();
        synchronized (introspected) {
            CachedAnswer cached = introspected.get(token);
            if (cached != null) {
                if (now <= cached.until) {
                    if (cached.token == null) {
                        throw new InvalidTokenException("invalid_token", "the token is not active");
                    }
                    return cached.token;
                }
                introspected.remove(token);
            }
        }
        Map<String, Object> answer;
        try {
            HttpRequest.Builder req = HttpRequest.newBuilder(introspectionUrl).timeout(TIMEOUT)
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .header("Accept", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("token=" + URLEncoder.encode(token, StandardCharsets.UTF_8)
                            + "&token_type_hint=access_token"));
            if (introspectionAuth != null) {
                req.header("Authorization", introspectionAuth);
            }
            HttpResponse<String> r = http.send(req.build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new InvalidTokenException("key_source_unavailable", "introspection " + introspectionUrl + " answered " + r.statusCode());
            }
            answer = JSONObjectUtils.parse(r.body());
        } catch (InvalidTokenException e) {
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InvalidTokenException("key_source_unavailable", "introspection interrupted");
        } catch (Exception e) {
            throw new InvalidTokenException("key_source_unavailable", "introspection " + introspectionUrl + " failed: " + e.getMessage());
        }
        if (!Boolean.TRUE.equals(answer.get("active"))) {
            // cached briefly too: a client retrying a dead token must not cost an introspection call each time
            if (introspectionNegativeCacheMillis > 0) {
                synchronized (introspected) {
                    introspected.put(token, new CachedAnswer(null, now + introspectionNegativeCacheMillis));
                }
            }
            throw new InvalidTokenException("invalid_token", "the token is not active");
        }
        Object exp = answer.get("exp");
        long expMillis = exp instanceof Number ? ((Number) exp).longValue() * 1000 : 0;
        // no exp in an introspection answer is allowed (RFC 7662 makes it optional): the server said the
        // token is active now, and that answer is reused only for introspectionCacheSeconds
        if (expMillis != 0 && now > expMillis + clockSkewMillis) {
            throw new InvalidTokenException("expired_token", "the token has expired");
        }
        // the same iss and aud checks as for a JWT, when configured
        String iss = issuer.get();
        if (iss != null && !iss.equals(answer.get("iss"))) {
            throw new InvalidTokenException("invalid_token", "the token's issuer is not accepted");
        }
        String aud = audience.get();
        Object audClaim = answer.get("aud");
        boolean audOk = audClaim instanceof String ? aud != null && aud.equals(audClaim)
                : audClaim instanceof List && ((List<?>) audClaim).contains(aud);
        if (aud != null && !audOk) {
            throw new InvalidTokenException("invalid_token", "the token's audience is not accepted");
        }
        String clientId = clientId(answer);
        if (clientId == null) {
            throw new InvalidTokenException("invalid_token", "introspection names no client (client_id or azp)");
        }
        ValidatedToken valid = new ValidatedToken(clientId, expMillis, 0, answer.get("jti") instanceof String ? (String) answer.get("jti") : null,
                ValidatedToken.scopes(answer));
        if (introspectionCacheMillis > 0) {
            long until = now + introspectionCacheMillis;
            synchronized (introspected) {
                introspected.put(token, new CachedAnswer(valid, expMillis == 0 ? until : Math.min(expMillis, until)));
            }
        }
        return valid;
    }

    /** An introspection answer (null: inactive) and until when it may be reused (never past the token's expiry). */
    private static final class CachedAnswer {
        final ValidatedToken token;
        final long until;

        CachedAnswer(ValidatedToken token, long until) {
            this.token = token;
            this.until = until;
        }
    }

    private static String clientId(Map<String, Object> claims) {
        // never sub: that names the user, and a user named like an application's client id would get its subscription
        for (String name : new String[] {"client_id", "azp"}) {
            Object v = claims.get(name);
            if (v instanceof String && !((String) v).isEmpty()) {
                return (String) v;
            }
        }
        return null;
    }

    static Key toKey(JWK jwk) throws InvalidTokenException {
        try {
            if (jwk instanceof AsymmetricJWK) {
                return ((AsymmetricJWK) jwk).toPublicKey();
            }
        } catch (Exception e) {
            throw new InvalidTokenException("invalid_token", "signing key " + jwk.getKeyID() + " unusable: " + e.getMessage());
        }
        throw new InvalidTokenException("invalid_token", "signing key " + jwk.getKeyID() + " is not a public key");
    }

    /** Settings of a validator; the first key source set wins: JWKS URL, certificate, key manager. */
    public static final class Builder {
        private String jwksUrl;
        private long jwksCacheSeconds = 300;
        private long jwksMaxStaleSeconds = 3600;
        private PublicKey certificateKey;
        private KeySource keyManagerKeys;
        private Supplier<String> issuer = () -> null;
        private Supplier<String> audience = () -> null;
        private long clockSkewSeconds = 60;
        private Clock clock = Clock.systemUTC();
        private boolean requireExpiry = true;
        private String introspectionUrl;
        private String introspectionClientId;
        private String introspectionClientSecret;
        private long introspectionCacheSeconds = 60;
        private int introspectionCacheSize = 10_000;

        public Builder jwksUrl(String url) { this.jwksUrl = url; return this; }
        public Builder jwksMaxStaleSeconds(long s) { this.jwksMaxStaleSeconds = s; return this; }
        public Builder certificateKey(PublicKey key) { this.certificateKey = key; return this; }
        public Builder keyManager(Supplier<KeyManager> km) {
            this.keyManagerKeys = kid -> {
                KeyManager k = km.get();
                if (k == null) {
                    throw new InvalidTokenException("key_source_unavailable", "the built-in key manager is not running");
                }
                JWK jwk = kid == null ? k.publicKeys().getKeys().get(0) : k.publicKeys().getKeyByKeyId(kid);
                return jwk == null ? null : toKey(jwk);
            };
            return this;
        }
        public Builder issuer(Supplier<String> issuer) { this.issuer = issuer; return this; }
        public Builder audience(Supplier<String> audience) { this.audience = audience; return this; }
        public Builder clockSkewSeconds(long s) { this.clockSkewSeconds = s; return this; }
        public Builder clock(Clock c) { this.clock = c; return this; }
        public Builder requireExpiry(boolean require) { this.requireExpiry = require; return this; }
        public Builder introspection(String url, String clientId, String clientSecret) {
            this.introspectionUrl = url;
            this.introspectionClientId = clientId;
            this.introspectionClientSecret = clientSecret;
            return this;
        }
        public Builder introspectionCache(long seconds, int size) {
            this.introspectionCacheSeconds = seconds;
            this.introspectionCacheSize = size;
            return this;
        }
        public boolean hasKeySource() {
            return jwksUrl != null || certificateKey != null || introspectionUrl != null;
        }
        public TokenValidator build() { return new TokenValidator(this); }
    }

}
