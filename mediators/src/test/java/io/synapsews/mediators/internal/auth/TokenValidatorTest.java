package io.synapsews.mediators.internal.auth;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import com.nimbusds.jwt.SignedJWT;
import io.synapsews.mediators.internal.GatewayConfig;
import io.synapsews.mediators.internal.HttpEndpointServer;
import io.synapsews.mediators.internal.HttpReply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Tokens of the built-in key manager against the validator, with the key manager's own key. */
class TokenValidatorTest {

    @TempDir
    Path dir;

    private KeyManager keyManager(long validitySeconds) throws Exception {
        File f = dir.resolve("gw.xml").toFile();
        Files.write(f.toPath(), ("<gateway><keyManager port=\"0\" issuer=\"https://km\" audience=\"aud\" tokenValiditySeconds=\""
                + validitySeconds + "\"/><applications><application name=\"A\"><keys clientId=\"a\" clientSecret=\"s\"/>"
                + "</application></applications></gateway>").getBytes(StandardCharsets.UTF_8));
        GatewayConfig config = GatewayConfig.load(f, dir.toFile());
        return new KeyManager(config, config::directory);
    }

    @Test
    void acceptsItsOwnTokensAndNamesTheClient() throws Exception {
        KeyManager km = keyManager(60);
        GatewayConfig c = GatewayConfig.load(dir.resolve("gw.xml").toFile(), dir.toFile());
        String token = km.issue(c.directory().application("a"), c.directory().keys("a"));
        TokenValidator v = TokenValidator.builder().keyManager(() -> km).issuer(() -> "https://km").audience(() -> "aud").build();
        ValidatedToken t = v.validate(token);
        assertEquals("a", t.clientId());
        assertEquals(SignedJWT.parse(token).getJWTClaimsSet().getExpirationTime().getTime(), t.expiresAtMillis());
    }

    @Test
    void refusesWrongIssuerAudienceKeyAndExpiry() throws Exception {
        KeyManager km = keyManager(1);
        GatewayConfig c = GatewayConfig.load(dir.resolve("gw.xml").toFile(), dir.toFile());
        String token = km.issue(c.directory().application("a"), c.directory().keys("a"));
        InvalidTokenException e = assertThrows(InvalidTokenException.class, () -> TokenValidator.builder()
                .keyManager(() -> km).issuer(() -> "https://other").build().validate(token));
        assertTrue(e.getMessage().contains("issuer"), e.getMessage());
        e = assertThrows(InvalidTokenException.class, () -> TokenValidator.builder()
                .keyManager(() -> km).audience(() -> "someone").build().validate(token));
        assertTrue(e.getMessage().contains("audience"), e.getMessage());
        KeyManager other = keyManager(60);
        e = assertThrows(InvalidTokenException.class, () -> TokenValidator.builder()
                .keyManager(() -> other).build().validate(token));
        assertEquals("invalid_token", e.reason());
        // the token lives one second: read it 2.1 s later
        Clock later = Clock.offset(Clock.systemUTC(), Duration.ofMillis(2100));
        e = assertThrows(InvalidTokenException.class, () -> TokenValidator.builder()
                .keyManager(() -> km).clockSkewSeconds(0).clock(later).build().validate(token));
        assertEquals("expired_token", e.reason());
        // within the clock skew it is still good
        TokenValidator.builder().keyManager(() -> km).clockSkewSeconds(30).clock(later).build().validate(token);
    }

    @Test
    void anOpaqueTokenWithoutIntrospectionIsRefused() {
        InvalidTokenException e = assertThrows(InvalidTokenException.class,
                () -> TokenValidator.builder().build().validate("opaque"));
        assertTrue(e.getMessage().contains("introspection"), e.getMessage());
    }

    @Test
    void aCachedIntrospectionAnswerKeepsTheTokensOwnExpiry() throws Exception {
        long exp = System.currentTimeMillis() / 1000 + 3600;
        AtomicInteger calls = new AtomicInteger();
        try (HttpEndpointServer server = new HttpEndpointServer("introspection-test", "127.0.0.1", 0,
                Map.of("/introspect", r -> {
                    calls.incrementAndGet();
                    return HttpReply.json(200, "{\"active\":true,\"client_id\":\"a\",\"exp\":" + exp + "}");
                }))) {
            TokenValidator v = TokenValidator.builder()
                    .introspection("http://127.0.0.1:" + server.port() + "/introspect", null, null)
                    .introspectionCache(60, 10).build();
            assertEquals(exp * 1000, v.validate("opaque").expiresAtMillis());
            assertEquals(exp * 1000, v.validate("opaque").expiresAtMillis(), "the cached answer changed the expiry");
            assertEquals(1, calls.get());
        }
    }

    @Test
    void introspectionAnswersAreCheckedForIssuerAndAudienceAndInactiveOnesAreCached() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        long exp = System.currentTimeMillis() / 1000 + 60;
        try (HttpEndpointServer server = new HttpEndpointServer("introspection-test", "127.0.0.1", 0,
                Map.of("/introspect", r -> {
                    calls.incrementAndGet();
                    boolean active = !r.content().toString(StandardCharsets.UTF_8).contains("token=dead");
                    return HttpReply.json(200, active ? "{\"active\":true,\"client_id\":\"a\",\"iss\":\"https://km\","
                            + "\"aud\":[\"aud\",\"other\"],\"exp\":" + exp + "}" : "{\"active\":false}");
                }))) {
            String url = "http://127.0.0.1:" + server.port() + "/introspect";
            TokenValidator good = TokenValidator.builder().introspection(url, "gw", "s")
                    .issuer(() -> "https://km").audience(() -> "aud").build();
            assertEquals("a", good.validate("opaque-1").clientId());
            InvalidTokenException e = assertThrows(InvalidTokenException.class, () -> TokenValidator.builder()
                    .introspection(url, "gw", "s").issuer(() -> "https://someone-else").build().validate("opaque-2"));
            assertTrue(e.getMessage().contains("issuer") && !e.getMessage().contains("someone-else"), e.getMessage());
            e = assertThrows(InvalidTokenException.class, () -> TokenValidator.builder()
                    .introspection(url, "gw", "s").audience(() -> "not-this-api").build().validate("opaque-3"));
            assertTrue(e.getMessage().contains("audience") && !e.getMessage().contains("not-this-api"), e.getMessage());
            // an inactive token asked twice costs one introspection call
            int before = calls.get();
            assertThrows(InvalidTokenException.class, () -> good.validate("dead"));
            assertThrows(InvalidTokenException.class, () -> good.validate("dead"));
            assertEquals(before + 1, calls.get());
        }
    }

    @Test
    void aTokenIsVerifiedOnceButItsClaimsOnEveryHandshake() throws Exception {
        KeyManager km = keyManager(60);
        GatewayConfig c = GatewayConfig.load(dir.resolve("gw.xml").toFile(), dir.toFile());
        String token = km.issue(c.directory().application("a"), c.directory().keys("a"));
        java.util.concurrent.atomic.AtomicReference<java.time.Clock> now =
                new java.util.concurrent.atomic.AtomicReference<>(java.time.Clock.systemUTC());
        java.util.concurrent.atomic.AtomicReference<KeyManager> source = new java.util.concurrent.atomic.AtomicReference<>(km);
        TokenValidator v = TokenValidator.builder().keyManager(source::get).clockSkewSeconds(0)
                .clock(new java.time.Clock() {
                    @Override public java.time.ZoneId getZone() { return java.time.ZoneOffset.UTC; }
                    @Override public java.time.Clock withZone(java.time.ZoneId zone) { return this; }
                    @Override public java.time.Instant instant() { return now.get().instant(); }
                }).build();
        for (int i = 0; i < 5; i++) {
            assertEquals("a", v.validate(token).clientId());
        }
        assertEquals(1, v.signatureChecks(), "five handshakes with one token, one signature check");

        String forged = token.substring(0, token.length() - 4) + (token.endsWith("AAAA") ? "BBBB" : "AAAA");
        for (int i = 0; i < 3; i++) {
            assertThrows(InvalidTokenException.class, () -> v.validate(forged));
        }
        assertEquals(4, v.signatureChecks(), "a forged token is checked every time: it is never remembered");

        now.set(java.time.Clock.offset(java.time.Clock.systemUTC(), java.time.Duration.ofSeconds(120)));
        InvalidTokenException e = assertThrows(InvalidTokenException.class, () -> v.validate(token));
        assertEquals("expired_token", e.reason(), "a remembered token still expires");
        now.set(java.time.Clock.systemUTC());

        source.set(keyManager(60)); // the signing key changed: what it verified no longer counts
        e = assertThrows(InvalidTokenException.class, () -> v.validate(token));
        assertEquals("invalid_token", e.reason());
        assertTrue(e.getMessage().contains("unknown signing key"), e.getMessage());
        assertEquals(4, v.signatureChecks(), "the new key source does not know the old key id: refused before any check");
    }
}
