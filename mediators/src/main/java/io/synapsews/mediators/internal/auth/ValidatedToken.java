package io.synapsews.mediators.internal.auth;

/** What a valid access token says: the OAuth2 client it was issued to, with which secret, and when it expires. */
public final class ValidatedToken {

    private final String clientId;
    private final long expiresAtMillis;
    private final long secretGeneration;
    private final String tokenId;
    private final java.util.Set<String> scopes;

    public ValidatedToken(String clientId, long expiresAtMillis, long secretGeneration, String tokenId) {
        this(clientId, expiresAtMillis, secretGeneration, tokenId, java.util.Set.of());
    }

    public ValidatedToken(String clientId, long expiresAtMillis, long secretGeneration, String tokenId,
                          java.util.Set<String> scopes) {
        this.scopes = java.util.Set.copyOf(scopes);
        this.clientId = clientId;
        this.expiresAtMillis = expiresAtMillis;
        this.secretGeneration = secretGeneration;
        this.tokenId = tokenId;
    }

    /** Its OAuth2 scopes ({@code scope}, space separated, or {@code scp}, a list or a string). */
    public java.util.Set<String> scopes() { return scopes; }

    /** The scopes a token's claims (or an introspection answer) carry. */
    public static java.util.Set<String> scopes(java.util.Map<String, Object> claims) {
        java.util.Set<String> out = new java.util.LinkedHashSet<>();
        for (String name : new String[] {"scope", "scp"}) {
            Object v = claims.get(name);
            if (v instanceof String) {
                for (String s : ((String) v).split(" +")) {
                    if (!s.isEmpty()) {
                        out.add(s);
                    }
                }
            } else if (v instanceof java.util.List) {
                for (Object s : (java.util.List<?>) v) {
                    out.add(String.valueOf(s));
                }
            }
        }
        return out;
    }

    /** The token's {@code jti}, or null. */
    public String tokenId() { return tokenId; }

    /** The generation of the client secret the token was issued with ({@link #GENERATION_CLAIM}); 0 when it does not say. */
    public long secretGeneration() { return secretGeneration; }

    /** The claim in which the built-in key manager records the generation of the client's secret. */
    public static final String GENERATION_CLAIM = "synapsews_secret_generation";

    public String clientId() { return clientId; }

    /** 0 when the token does not expire. */
    public long expiresAtMillis() { return expiresAtMillis; }
}
