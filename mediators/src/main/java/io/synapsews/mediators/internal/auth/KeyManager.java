package io.synapsews.mediators.internal.auth;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.synapsews.mediators.internal.Application;
import io.synapsews.mediators.internal.Directory;
import io.synapsews.mediators.internal.GatewayConfig;
import io.synapsews.mediators.internal.GatewayConfigException;
import io.synapsews.mediators.internal.HttpEndpointServer;
import io.synapsews.mediators.internal.HttpReply;
import io.synapsews.transport.spi.SafeText;

/**
 * The built-in key manager: issues RS256-signed JWT access tokens to the applications of the
 * gateway configuration ({@code client_credentials} grant, one client per key type) and publishes
 * the signing key as a JWKS.
 */
public final class KeyManager {

    private final GatewayConfig config;
    /** Revoked token ids ({@code jti}) and when each token expires anyway (then it is forgotten). */
    private final Map<String, Long> revoked = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile java.util.function.BiConsumer<String, Long> onRevoked = (jti, until) -> { };
    /** The applications whose keys the token endpoint accepts, now. */
    private final Supplier<Directory> directory;
    private final FailureLimiter failuresByClient;
    private final FailureLimiter failuresByAddress;
    private final RSAKey signingKey;
    private final RSASSASigner signer;

    public KeyManager(GatewayConfig config, Supplier<Directory> directory) throws GatewayConfigException {
        this.directory = directory;
        this.failuresByClient = new FailureLimiter(config.failedAuthPerClient(), 10_000);
        this.failuresByAddress = new FailureLimiter(config.failedAuthPerAddress(), 10_000);
        this.config = config;
        try {
            KeyPair pair = config.signingKeyStore() == null ? generate() : load(config);
            RSAPublicKey pub = (RSAPublicKey) pair.getPublic();
            String kid = Base64.getUrlEncoder().withoutPadding().encodeToString(
                    MessageDigest.getInstance("SHA-256").digest(pub.getEncoded())).substring(0, 16);
            this.signingKey = new RSAKey.Builder(pub).privateKey(pair.getPrivate()).keyID(kid)
                    .keyUse(KeyUse.SIGNATURE).algorithm(JWSAlgorithm.RS256).build();
            this.signer = new RSASSASigner(pair.getPrivate());
        } catch (GatewayConfigException e) {
            throw e;
        } catch (Exception e) {
            throw new GatewayConfigException(config.file() + ": keyManager signing key cannot be used: " + e.getMessage(), e);
        }
        loadRevocations();
    }

    /** Reads the revoked, unexpired token ids kept by an earlier run ({@code jti expiryMillis} per line). */
    private void loadRevocations() throws GatewayConfigException {
        java.io.File f = config.revocationsFile();
        if (f == null || !f.isFile()) {
            return;
        }
        long now = System.currentTimeMillis();
        try {
            int line = 0;
            for (String l : java.nio.file.Files.readAllLines(f.toPath(), java.nio.charset.StandardCharsets.UTF_8)) {
                line++;
                String[] parts = l.trim().split(" ");
                if (l.isBlank()) {
                    continue;
                }
                if (parts.length != 2 || !parts[1].matches("[0-9]{1,19}")) {
                    throw new GatewayConfigException(f + ": line " + line + " is not 'tokenId expiryMillis' (keyManager/@revocationsFile)");
                }
                long until = Long.parseLong(parts[1]);
                if (until > now) {
                    revoked.put(parts[0], until);
                }
            }
        } catch (IOException e) {
            throw new GatewayConfigException(f + ": cannot read the revoked tokens (keyManager/@revocationsFile): " + e.getMessage(), e);
        }
    }

    /** Writes the revoked, unexpired token ids, atomically (a crash leaves the old file or the new one). */
    private synchronized void saveRevocations() {
        java.io.File f = config.revocationsFile();
        if (f == null) {
            return;
        }
        StringBuilder b = new StringBuilder();
        revoked.forEach((jti, until) -> b.append(jti).append(' ').append(until).append('\n'));
        try {
            f.getParentFile().mkdirs();
            java.io.File tmp = new java.io.File(f.getParentFile(), f.getName() + ".tmp");
            java.nio.file.Files.write(tmp.toPath(), b.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            java.nio.file.Files.move(tmp.toPath(), f.toPath(), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            // the revocation holds in memory; only a restart would forget it
            org.apache.commons.logging.LogFactory.getLog(KeyManager.class).error(f + ": cannot save the revoked tokens"
                    + " (keyManager/@revocationsFile); a restart will accept them again: " + e.getMessage());
        }
    }

    private static KeyPair generate() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        return g.generateKeyPair();
    }

    private static KeyPair load(GatewayConfig config) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12"); // reads JKS too (keystore.type.compat)
        char[] pass = config.signingKeyStorePassword().toCharArray();
        try (InputStream in = new FileInputStream(config.signingKeyStore())) {
            ks.load(in, pass);
        }
        String alias = config.signingKeyAlias();
        if (alias == null) {
            alias = ks.aliases().nextElement();
        }
        if (!ks.isKeyEntry(alias)) {
            throw new GatewayConfigException(config.file() + ": keyManager/@keyAlias '" + alias + "' is not a key in "
                    + config.signingKeyStore());
        }
        PrivateKey key = (PrivateKey) ks.getKey(alias, pass);
        return new KeyPair(ks.getCertificate(alias).getPublicKey(), key);
    }

    /** The public signing key set, as served on the JWKS endpoint. */
    public JWKSet publicKeys() {
        return new JWKSet(signingKey.toPublicJWK());
    }

    public String issuer() {
        return config.issuer();
    }

    public String audience() {
        return config.audience();
    }

    /** A signed access token for this client. */
    public String issue(Application app, Application.Keys keys) {
        return issue(app, keys, List.of());
    }

    /** A signed access token for this client with these scopes (the {@code scope} claim, space separated). */
    public String issue(Application app, Application.Keys keys, List<String> scopes) {
        long now = System.currentTimeMillis() / 1000 * 1000;
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer(config.issuer())
                .subject(keys.clientId())
                .audience(config.audience())
                .claim("client_id", keys.clientId())
                .claim("azp", keys.clientId())
                .claim("application", app.name())
                .claim("keytype", keys.keyType())
                .claim(ValidatedToken.GENERATION_CLAIM, keys.secretGeneration())
                .claim("scope", scopes.isEmpty() ? null : String.join(" ", scopes))
                .issueTime(new Date(now))
                .notBeforeTime(new Date(now))
                .expirationTime(new Date(now + config.tokenValiditySeconds() * 1000))
                .jwtID(UUID.randomUUID().toString())
                .build();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(signingKey.getKeyID())
                .type(JOSEObjectType.JWT).build(), claims);
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException("signing failed", e);
        }
        return jwt.serialize();
    }

    /** {@code POST /oauth2/token}: the client_credentials grant (RFC 6749 section 4.4). */
    public HttpReply token(FullHttpRequest req) {
        if (!HttpMethod.POST.equals(req.method())) {
            return oauthError(405, "invalid_request", "use POST").header("Allow", "POST");
        }
        Map<String, List<String>> form = form(req);
        Client client = new Client(req, form);
        if (client.refused != null) {
            return client.refused;
        }
        String grant = first(form, "grant_type");
        if (grant == null) {
            return oauthError(400, "invalid_request", "grant_type is required");
        }
        if (!"client_credentials".equals(grant)) {
            return oauthError(400, "unsupported_grant_type", "only client_credentials is supported");
        }
        HttpReply refused = client.authenticate(req);
        if (refused != null) {
            return refused;
        }
        Application app = client.directory.application(client.id);
        List<String> scopes = new java.util.ArrayList<>();
        String requested = first(form, "scope");
        if (requested != null) {
            for (String sc : requested.trim().split(" +")) {
                if (sc.isEmpty()) {
                    continue;
                }
                if (!app.scopes().contains(sc)) {
                    return oauthError(400, "invalid_scope", "this client may not have the scope " + SafeText.forHeader(sc));
                }
                if (!scopes.contains(sc)) {
                    scopes.add(sc);
                }
            }
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("access_token", issue(app, client.keys, scopes));
        body.put("token_type", "Bearer");
        body.put("expires_in", config.tokenValiditySeconds());
        if (!scopes.isEmpty()) {
            body.put("scope", String.join(" ", scopes));
        }
        return HttpReply.json(200, JSONObjectUtils.toJSONString(body)).header("Pragma", "no-cache");
    }

    /**
     * {@code POST /oauth2/revoke} (RFC 7009): the client that a token of this key manager was issued to
     * revokes it. From then on {@code <wsAuth>} refuses it (401) and the connections opened with it are
     * closed with 1008. An unknown, malformed or expired token is answered 200 like a revoked one, as
     * the RFC asks; a token of another client is refused.
     */
    public HttpReply revoke(FullHttpRequest req) {
        if (!HttpMethod.POST.equals(req.method())) {
            return oauthError(405, "invalid_request", "use POST").header("Allow", "POST");
        }
        Map<String, List<String>> form = form(req);
        Client client = new Client(req, form);
        HttpReply refused = client.refused != null ? client.refused : client.authenticate(req);
        if (refused != null) {
            return refused;
        }
        String token = first(form, "token");
        if (token == null) {
            return oauthError(400, "invalid_request", "token is required");
        }
        JWTClaimsSet claims;
        try {
            SignedJWT jwt = SignedJWT.parse(token);
            if (!jwt.verify(new RSASSAVerifier(signingKey.toRSAPublicKey()))) {
                return HttpReply.json(200, "{}"); // not ours: nothing to revoke
            }
            claims = jwt.getJWTClaimsSet();
        } catch (java.text.ParseException | JOSEException | RuntimeException e) {
            return HttpReply.json(200, "{}");
        }
        if (!client.id.equals(claims.getClaims().get("client_id"))) {
            return oauthError(400, "unauthorized_client", "the token was not issued to this client");
        }
        String jti = claims.getJWTID();
        Date exp = claims.getExpirationTime();
        long now = System.currentTimeMillis();
        if (jti != null && exp != null && exp.getTime() > now) {
            revoked.values().removeIf(until -> until < now);
            revoked.put(jti, exp.getTime());
            saveRevocations();
            onRevoked.accept(jti, exp.getTime());
        }
        return HttpReply.json(200, "{}");
    }

    /**
     * The scopes of a token this key manager issued that is valid now (signature, issuer, audience, expiry,
     * not revoked, of the client's current secret), or null when it is not such a token.
     */
    public java.util.Set<String> scopesOf(String token) {
        try {
            SignedJWT jwt = SignedJWT.parse(token);
            if (!jwt.verify(new RSASSAVerifier(signingKey.toRSAPublicKey()))) {
                return null;
            }
            JWTClaimsSet c = jwt.getJWTClaimsSet();
            long now = System.currentTimeMillis();
            Object clientId = c.getClaim("client_id");
            Application.Keys keys = clientId instanceof String ? directory.get().keys((String) clientId) : null;
            Object generation = c.getClaim(ValidatedToken.GENERATION_CLAIM);
            if (c.getExpirationTime() == null || c.getExpirationTime().getTime() < now || !config.issuer().equals(c.getIssuer())
                    || c.getAudience() == null || !c.getAudience().contains(config.audience()) || revoked(c.getJWTID())
                    || keys == null || !(generation instanceof Number) || ((Number) generation).longValue() != keys.secretGeneration()) {
                return null;
            }
            Object scope = c.getClaim("scope");
            return scope instanceof String ? new java.util.LinkedHashSet<>(List.of(((String) scope).split(" "))) : java.util.Set.of();
        } catch (java.text.ParseException | JOSEException | RuntimeException e) {
            return null;
        }
    }

    /** Whether the token with this id ({@code jti}) was revoked. */
    public boolean revoked(String tokenId) {
        return tokenId != null && revoked.containsKey(tokenId);
    }

    /** Called with the id of each token revoked, on the key manager's thread (closes its connections). */
    public void onRevoked(java.util.function.BiConsumer<String, Long> listener) {
        this.onRevoked = listener;
    }

    /**
     * A token revoked on another node (told through the cluster bus): refused here too from now on, and kept
     * like a local revocation; {@code untilMillis} is when it expires anyway.
     */
    public void revokedElsewhere(String tokenId, long untilMillis) {
        long now = System.currentTimeMillis();
        if (tokenId == null || untilMillis <= now || revoked.containsKey(tokenId)) {
            return;
        }
        revoked.values().removeIf(until -> until < now);
        revoked.put(tokenId, untilMillis);
        saveRevocations();
    }

    private static Map<String, List<String>> form(FullHttpRequest req) {
        return new QueryStringDecoder(req.content().toString(StandardCharsets.UTF_8), false).parameters();
    }

    /** The client a token endpoint request authenticates as: HTTP Basic, or client_id/client_secret in the form. */
    private final class Client {
        String id;
        String secret;
        /** Malformed credentials: the answer. */
        HttpReply refused;
        Directory directory;
        Application.Keys keys;

        Client(FullHttpRequest req, Map<String, List<String>> form) {
            id = first(form, "client_id");
            secret = first(form, "client_secret");
            String auth = req.headers().get(HttpHeaderNames.AUTHORIZATION);
            if (auth != null && auth.regionMatches(true, 0, "Basic ", 0, 6)) {
                String decoded;
                try {
                    decoded = new String(Base64.getDecoder().decode(auth.substring(6).trim()), StandardCharsets.UTF_8);
                } catch (IllegalArgumentException e) {
                    refused = invalidClient("malformed Basic credentials");
                    return;
                }
                int colon = decoded.indexOf(':');
                if (colon < 0) {
                    refused = invalidClient("malformed Basic credentials");
                    return;
                }
                id = QueryStringDecoder.decodeComponent(decoded.substring(0, colon));
                secret = QueryStringDecoder.decodeComponent(decoded.substring(colon + 1));
            }
        }

        /** Checks the secret (after the failure limits); null when the client is who it says. */
        HttpReply authenticate(FullHttpRequest req) {
            if (id == null) {
                return invalidClient("client authentication is required");
            }
            String peer = req.headers().get(HttpEndpointServer.PEER_HEADER);
            long now = System.currentTimeMillis();
            long wait = Math.max(failuresByClient.retryAfterSeconds(id, now), failuresByAddress.retryAfterSeconds(peer, now));
            if (wait > 0) {
                // checked before the secret: a guesser learns nothing while it waits
                return oauthError(429, "invalid_client", "too many failed authentications; retry later")
                        .header("Retry-After", String.valueOf(wait));
            }
            directory = KeyManager.this.directory.get();
            keys = directory.keys(id);
            if (keys == null || !keys.secretMatches(secret)) {
                // per client id only for ids that exist: a made-up id (up to the 64 KiB a request may carry) must
                // not become a map key; guessing ids is what the per-address count is for
                if (keys != null) {
                    failuresByClient.failed(id, now);
                }
                failuresByAddress.failed(peer, now);
                return invalidClient("unknown client or wrong secret");
            }
            return null;
        }
    }

    /** {@code GET /oauth2/jwks}. */
    public HttpReply jwks(FullHttpRequest req) {
        return HttpReply.json(200, JSONObjectUtils.toJSONString(publicKeys().toJSONObject(true)));
    }

    private static HttpReply invalidClient(String why) {
        return oauthError(401, "invalid_client", why).header("WWW-Authenticate", "Basic realm=\"oauth2\"");
    }

    private static HttpReply oauthError(int status, String error, String description) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", error);
        body.put("error_description", description);
        return HttpReply.json(status, JSONObjectUtils.toJSONString(body));
    }

    private static String first(Map<String, List<String>> form, String name) {
        List<String> v = form.get(name);
        return v == null || v.isEmpty() ? null : v.get(0);
    }
}
