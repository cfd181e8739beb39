package io.synapsews.mediators;

/**
 * The message properties token validation sets at the handshake; they are kept on the connection
 * and set again on every later message of it, in both directions. The names follow the
 * {@code api.ut.*} convention of WSO2 API Manager sequences.
 */
public final class ApiProperties {

    public static final String API = "api.ut.api";
    public static final String VERSION = "api.ut.version";
    public static final String APPLICATION = "api.ut.application.name";
    public static final String SUBSCRIBER = "api.ut.subscriber";
    public static final String TIER = "api.ut.tier";
    /** PRODUCTION or SANDBOX. */
    public static final String KEY_TYPE = "api.ut.keyType";
    public static final String CONSUMER_KEY = "api.ut.consumerKey";
    /** Epoch milliseconds at which the access token expires; absent when it does not. */
    public static final String TOKEN_EXPIRY = "api.ut.token.expiry";
    /** The access token's id ({@code jti}), when it has one: revoking the token closes the connection. */
    public static final String TOKEN_ID = "api.ut.token.id";

    private ApiProperties() {
    }
}
