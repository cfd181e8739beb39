package io.synapsews.mediators;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import io.netty.handler.codec.http.QueryStringDecoder;
import io.synapsews.mediators.internal.Application;
import io.synapsews.mediators.internal.Directory;
import io.synapsews.mediators.internal.GatewayRuntime;
import io.synapsews.mediators.internal.auth.Certificates;
import io.synapsews.mediators.internal.auth.InvalidTokenException;
import io.synapsews.mediators.internal.auth.KeyManager;
import io.synapsews.mediators.internal.auth.TokenValidator;
import io.synapsews.mediators.internal.auth.ValidatedToken;
import io.synapsews.transport.config.OriginList;
import io.synapsews.transport.mediation.Mediation;
import io.synapsews.transport.spi.ClientConnection;
import io.synapsews.transport.spi.CloseCodes;
import io.synapsews.transport.spi.CompilableMediator;
import io.synapsews.transport.spi.MessageStep;
import io.synapsews.transport.spi.SafeText;
import io.synapsews.transport.spi.WebSocketProperties;
import org.apache.synapse.MessageContext;
import org.apache.synapse.mediators.AbstractMediator;

/**
 * {@code <wsAuth api=".." version=".."/>}: checks the OAuth2 access token of a WebSocket handshake
 * before any backend connection is opened, and the caller's subscription to this API version.
 * The token comes from {@code Authorization: Bearer}, an {@code access_token} query parameter, or
 * a {@code Sec-WebSocket-Protocol} entry {@code access_token.<token>} (never negotiated or
 * forwarded). No token: 401 with {@code WWW-Authenticate: Bearer}; a bad or expired token: 401
 * with {@code error="invalid_token"}; no subscription: 403. On success the {@link ApiProperties}
 * are set for the rest of the connection, and by default the connection is closed with 1008 when
 * the token expires. Messages after the handshake pass through untouched.
 */
public final class TokenValidationMediator extends AbstractMediator implements CompilableMediator {

    public enum OnExpiry { CLOSE, KEEP }

    private String api;
    private String version;
    private String jwksUrl;
    private String certificate;
    private String issuer;
    private String audience;
    private long clockSkewSeconds = 60;
    private String introspectionUrl;
    private String introspectionClientId;
    private String introspectionClientSecret;
    private long introspectionCacheSeconds = 60;
    private int introspectionCacheSize = 10_000;
    private String queryParameter = "access_token";
    private String subprotocolPrefix = "access_token.";
    private OnExpiry onExpiry = OnExpiry.CLOSE;
    private boolean requireExpiry = true;
    private OriginList allowedOrigins = OriginList.ANY;
    private long jwksMaxStaleSeconds = 3600;
    /** The scopes of a topic: a token needs one of them (empty: none needed). */
    private java.util.Set<String> scopes = java.util.Set.of();
    private volatile TokenValidator validator;

    /** Data messages: nothing (expiry is a deadline set on the connection at the handshake). */
    @Override
    public MessageStep messageStep() {
        return MessageStep.PASS;
    }

    @Override
    public boolean mediate(MessageContext synCtx) {
        if (!Mediation.isHandshake(synCtx)) {
            return true; // checked at the handshake; the connection carries the result
        }
        Object c = Mediation.axis2(synCtx).getProperty(WebSocketProperties.SOURCE_CONNECTION);
        if (!(c instanceof ClientConnection)) {
            handleException("wsAuth works only on handshakes of a WebSocket inbound endpoint", synCtx);
        }
        ClientConnection conn = (ClientConnection) c;
        conn.attributes().put(ApiProperties.API, api);
        conn.attributes().put(ApiProperties.VERSION, version);
        // first: the query token leaves the path before anything can log or count it
        String token = extractToken(conn, synCtx);
        if (!allowedOrigins.allowsAll()) {
            String origin = null;
            for (Map.Entry<String, String> h : conn.handshakeHeaders().entrySet()) {
                if ("Origin".equalsIgnoreCase(h.getKey())) {
                    origin = h.getValue();
                }
            }
            if (!allowedOrigins.allows(origin)) {
                log.warn("wsAuth for " + api + ": origin " + SafeText.forLog(origin) + " is not in allowedOrigins: 403");
                return reject(conn, 403, null, "this origin may not use " + api, "origin_not_allowed");
            }
        }
        String realm = "Bearer realm=\"" + api + "\"";
        if (token == null) {
            return reject(conn, 401, realm, "an access token is required", "missing_token");
        }
        GatewayRuntime rt = GatewayRuntime.current();
        if (rt == null) {
            log.error("wsAuth for " + api + ": no <websocketGateway> startup is running, so no subscriptions are known");
            return reject(conn, 503, null, "the gateway is not configured", "gateway_unconfigured");
        }
        ValidatedToken valid;
        try {
            valid = validator(rt).validate(token);
        } catch (InvalidTokenException e) {
            if ("key_source_unavailable".equals(e.reason())) {
                log.warn("wsAuth for " + api + ": " + e.getMessage());
                return reject(conn, 503, null, "token validation is unavailable", e.reason());
            }
            if (log.isDebugEnabled()) {
                log.debug("wsAuth for " + api + ": token refused: " + SafeText.forLog(e.getMessage()));
            }
            // the description may carry token text (a kid, a claim): one quoted-string of printable ASCII
            String description = SafeText.forHeader(e.getMessage());
            return reject(conn, 401, realm + ", error=\"invalid_token\", error_description=\"" + description + "\"",
                    "invalid token: " + description, e.reason());
        }
        Directory directory = rt.directory(); // one snapshot for the whole decision
        Application.Keys clientKeys = directory.keys(valid.clientId());
        if (rt.keyManager() != null && rt.keyManager().revoked(valid.tokenId())) {
            return reject(conn, 401, realm + ", error=\"invalid_token\", error_description=\"the token was revoked\"",
                    "invalid token: the token was revoked", "revoked_token");
        }
        if (clientKeys != null && valid.secretGeneration() != clientKeys.secretGeneration()) {
            // issued with a secret that was regenerated since
            return reject(conn, 401, realm + ", error=\"invalid_token\", error_description=\"the token was revoked\"",
                    "invalid token: the token was revoked", "revoked_token");
        }
        if (!scopes.isEmpty() && scopes.stream().noneMatch(valid.scopes()::contains)) {
            return reject(conn, 403, realm + ", error=\"insufficient_scope\", scope=\"" + String.join(" ", scopes) + "\"",
                    "the access token needs the scope " + String.join(" or ", scopes), "insufficient_scope");
        }
        Application app = directory.application(valid.clientId());
        Application.Subscription sub = app == null ? null : app.subscription(api, version);
        if (sub != null && sub.blocks(clientKeys.keyType())) {
            return reject(conn, 403, null, "the subscription to " + api + " " + version + " is blocked"
                    + ("BLOCKED".equals(sub.blockState()) ? "" : " for " + clientKeys.keyType() + " keys"), "subscription_blocked");
        }
        if (sub == null) {
            return reject(conn, 403, null, "the application of this token is not subscribed to " + api + " " + version,
                    app == null ? "unknown_application" : "not_subscribed");
        }
        Map<String, Object> props = new LinkedHashMap<>();
        props.put(ApiProperties.API, api);
        props.put(ApiProperties.VERSION, version);
        props.put(ApiProperties.APPLICATION, app.name());
        props.put(ApiProperties.SUBSCRIBER, app.subscriber());
        props.put(ApiProperties.TIER, sub.tier());
        props.put(ApiProperties.KEY_TYPE, clientKeys.keyType());
        props.put(ApiProperties.CONSUMER_KEY, valid.clientId());
        if (valid.tokenId() != null) {
            props.put(ApiProperties.TOKEN_ID, valid.tokenId());
        }
        if (valid.expiresAtMillis() != 0) {
            props.put(ApiProperties.TOKEN_EXPIRY, valid.expiresAtMillis());
            if (onExpiry == OnExpiry.CLOSE) {
                // a token accepted inside the clock skew lives until exp + skew, and is closed after the 101
                conn.closeAt(valid.expiresAtMillis() + clockSkewSeconds * 1000, CloseCodes.POLICY_VIOLATION, "access token expired");
            }
        }
        for (Map.Entry<String, Object> p : props.entrySet()) {
            conn.attributes().put(p.getKey(), p.getValue());
            synCtx.setProperty(p.getKey(), p.getValue());
        }
        return true;
    }

    private String extractToken(ClientConnection conn, MessageContext synCtx) {
        String token = null;
        for (Map.Entry<String, String> h : conn.handshakeHeaders().entrySet()) {
            if ("Authorization".equalsIgnoreCase(h.getKey()) && h.getValue().regionMatches(true, 0, "Bearer ", 0, 7)) {
                token = h.getValue().substring(7).trim();
            }
        }
        if (queryParameter != null) {
            List<String> q = new QueryStringDecoder(conn.path()).parameters().get(queryParameter);
            if (token == null && q != null && !q.isEmpty() && !q.get(0).isEmpty()) {
                token = q.get(0);
            }
            if (q != null) {
                // also when a header carried the token or was empty: never logged, counted or forwarded with the path
                conn.removeQueryParameter(queryParameter);
                synCtx.setProperty(WebSocketProperties.SUBSCRIBER_PATH, conn.path());
            }
        }
        if (subprotocolPrefix != null) {
            for (String entry : new ArrayList<>(conn.requestedSubprotocols())) {
                if (entry.startsWith(subprotocolPrefix)) {
                    if (token == null) {
                        token = entry.substring(subprotocolPrefix.length());
                    }
                    conn.hideSubprotocol(entry); // a token never goes further than this gateway
                }
            }
            List<String> rest = conn.requestedSubprotocols();
            synCtx.setProperty(WebSocketProperties.SUBPROTOCOL, rest.isEmpty() ? null : String.join(",", rest));
            for (String name : new ArrayList<>(conn.handshakeHeaders().keySet())) {
                if ("Sec-WebSocket-Protocol".equalsIgnoreCase(name)) {
                    synCtx.setProperty(name, conn.handshakeHeaders().get(name));
                }
            }
            if (rest.isEmpty()) {
                @SuppressWarnings("unchecked") // Synapse's MessageContext.getPropertyKeySet() returns a raw Set
                Set<Object> keys = (Set<Object>) synCtx.getPropertyKeySet();
                keys.removeIf(k -> "Sec-WebSocket-Protocol".equalsIgnoreCase(String.valueOf(k)));
            }
        }
        return token == null || token.isEmpty() ? null : token;
    }

    private static boolean reject(ClientConnection conn, int status, String wwwAuthenticate, String body, String reason) {
        Map<String, String> headers = new LinkedHashMap<>();
        if (wwwAuthenticate != null) {
            headers.put("WWW-Authenticate", wwwAuthenticate);
        }
        conn.rejectHandshake(status, headers, body, reason);
        return false;
    }

    private TokenValidator validator(GatewayRuntime rt) {
        TokenValidator v = validator;
        if (v == null) {
            TokenValidator.Builder b = TokenValidator.builder().clockSkewSeconds(clockSkewSeconds)
                    .introspectionCache(introspectionCacheSeconds, introspectionCacheSize);
            if (jwksUrl != null) {
                b.jwksUrl(jwksUrl).jwksMaxStaleSeconds(jwksMaxStaleSeconds);
            }
            if (certificate != null) {
                b.certificateKey(Certificates.publicKey(rt.config().home(), certificate));
            }
            if (introspectionUrl != null) {
                b.introspection(introspectionUrl, introspectionClientId, introspectionClientSecret);
            }
            String iss = issuer;
            String aud = audience;
            b.requireExpiry(requireExpiry);
            if (b.hasKeySource()) {
                // "*": any issuer or audience, said explicitly
                String anyIss = "*".equals(iss) ? null : iss;
                String anyAud = "*".equals(aud) ? null : aud;
                b.issuer(() -> anyIss).audience(() -> anyAud);
            } else {
                // the built-in key manager, whatever runtime is current when a token arrives
                b.keyManager(TokenValidationMediator::currentKeyManager);
                b.issuer(() -> iss != null ? iss : fromKeyManager(KeyManager::issuer));
                b.audience(() -> aud != null ? aud : fromKeyManager(KeyManager::audience));
            }
            v = b.build();
            validator = v;
        }
        return v;
    }

    private static KeyManager currentKeyManager() {
        GatewayRuntime rt = GatewayRuntime.current();
        return rt == null ? null : rt.keyManager();
    }

    private static String fromKeyManager(Function<KeyManager, String> value) {
        KeyManager km = currentKeyManager();
        return km == null ? null : value.apply(km);
    }

    public java.util.Set<String> getScopes() { return scopes; }
    public void setScopes(java.util.Set<String> scopes) { this.scopes = java.util.Set.copyOf(scopes); }
    public String getApi() { return api; }
    public void setApi(String api) { this.api = api; }
    public String getVersion() { return version; }
    public void setVersion(String version) { this.version = version; }
    public String getJwksUrl() { return jwksUrl; }
    public void setJwksUrl(String jwksUrl) { this.jwksUrl = jwksUrl; }
    public String getCertificate() { return certificate; }
    public void setCertificate(String certificate) { this.certificate = certificate; }
    public String getIssuer() { return issuer; }
    public void setIssuer(String issuer) { this.issuer = issuer; }
    public String getAudience() { return audience; }
    public void setAudience(String audience) { this.audience = audience; }
    public long getClockSkewSeconds() { return clockSkewSeconds; }
    public void setClockSkewSeconds(long s) { this.clockSkewSeconds = s; }
    public String getIntrospectionUrl() { return introspectionUrl; }
    public void setIntrospectionUrl(String url) { this.introspectionUrl = url; }
    public String getIntrospectionClientId() { return introspectionClientId; }
    public void setIntrospectionClientId(String id) { this.introspectionClientId = id; }
    public String getIntrospectionClientSecret() { return introspectionClientSecret; }
    public void setIntrospectionClientSecret(String secret) { this.introspectionClientSecret = secret; }
    public long getIntrospectionCacheSeconds() { return introspectionCacheSeconds; }
    public void setIntrospectionCacheSeconds(long s) { this.introspectionCacheSeconds = s; }
    public int getIntrospectionCacheSize() { return introspectionCacheSize; }
    public void setIntrospectionCacheSize(int n) { this.introspectionCacheSize = n; }
    public String getQueryParameter() { return queryParameter; }
    public void setQueryParameter(String name) { this.queryParameter = name; }
    public String getSubprotocolPrefix() { return subprotocolPrefix; }
    public void setSubprotocolPrefix(String prefix) { this.subprotocolPrefix = prefix; }
    public long getJwksMaxStaleSeconds() { return jwksMaxStaleSeconds; }
    public void setJwksMaxStaleSeconds(long s) { this.jwksMaxStaleSeconds = s; }
    public OriginList getAllowedOrigins() { return allowedOrigins; }
    public void setAllowedOrigins(OriginList origins) { this.allowedOrigins = origins; }
    public boolean isRequireExpiry() { return requireExpiry; }
    public void setRequireExpiry(boolean require) { this.requireExpiry = require; }
    public OnExpiry getOnExpiry() { return onExpiry; }
    public void setOnExpiry(OnExpiry onExpiry) { this.onExpiry = onExpiry; }
}
