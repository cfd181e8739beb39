package io.synapsews.mediators.internal.auth;

/** What a valid access token says: the OAuth2 client it was issued to, with which secret, and when it expires. */
public final class ValidatedToken {

    private final String clientId;
    private final long expiresAtMillis;
    private final long secretGeneration;
    private final String tokenId;

    public ValidatedToken(String clientId, long expiresAtMillis, long secretGeneration, String tokenId) {
        this.clientId = clientId;
        this.expiresAtMillis = expiresAtMillis;
        this.secretGeneration = secretGeneration;
        this.tokenId = tokenId;
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
