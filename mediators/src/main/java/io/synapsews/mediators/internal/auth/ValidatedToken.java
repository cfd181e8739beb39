package io.synapsews.mediators.internal.auth;

/** What a valid access token says: the OAuth2 client it was issued to and when it expires. */
public final class ValidatedToken {

    private final String clientId;
    private final long expiresAtMillis;

    public ValidatedToken(String clientId, long expiresAtMillis) {
        this.clientId = clientId;
        this.expiresAtMillis = expiresAtMillis;
    }

    public String clientId() { return clientId; }

    /** 0 when the token does not expire. */
    public long expiresAtMillis() { return expiresAtMillis; }
}
