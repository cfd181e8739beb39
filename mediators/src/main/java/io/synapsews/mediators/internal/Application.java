package io.synapsews.mediators.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/** An application of the key manager: its keys per key type and its API subscriptions. */
public final class Application {

    /** One subscription of the application to an API version, at a tier. */
    public static final class Subscription {
        final String api;
        final String version;
        final String tier;
        final String blockState;

        public Subscription(String api, String version, String tier) {
            this(api, version, tier, "UNBLOCKED");
        }

        /**
         * {@code blockState} in WSO2's words: {@code UNBLOCKED}; {@code BLOCKED} (no key type's handshake passes);
         * {@code PROD_ONLY_BLOCKED} (only the production keys' handshakes pass).
         */
        public Subscription(String api, String version, String tier, String blockState) {
            this(api, version, tier, blockState, 0);
        }

        /** {@code maxConnections}: how many connections the subscription may hold open at once, all nodes together (0: any). */
        public Subscription(String api, String version, String tier, String blockState, int maxConnections) {
            this.api = api;
            this.version = version;
            this.tier = tier;
            this.blockState = blockState;
            this.maxConnections = maxConnections;
        }

        final int maxConnections;

        public int maxConnections() { return maxConnections; }

        /** Whether the subscription refuses the handshakes of keys of {@code keyType}. */
        public boolean blocks(String keyType) {
            return "BLOCKED".equals(blockState) || "PROD_ONLY_BLOCKED".equals(blockState) && !GatewayConfig.PRODUCTION.equals(keyType);
        }

        public String blockState() { return blockState; }

        public String api() { return api; }
        public String version() { return version; }
        public String tier() { return tier; }
    }

    /** Client credentials of one key type (PRODUCTION or SANDBOX). */
    public static final class Keys {
        final String keyType;
        final String clientId;
        final String clientSecret;
        final long secretGeneration;

        public Keys(String keyType, String clientId, String clientSecret) {
            this(keyType, clientId, clientSecret, 0);
        }

        /**
         * {@code clientSecret} as given, or {@code {sha256}} and the hex digest of its UTF-8 bytes (how the
         * management API keeps the secrets it generates). {@code secretGeneration} counts the secret's
         * regenerations: the key manager writes it into every token, and a token of another generation
         * (issued with an older secret) is refused.
         */
        public Keys(String keyType, String clientId, String clientSecret, long secretGeneration) {
            this.keyType = keyType;
            this.clientId = clientId;
            this.clientSecret = clientSecret;
            this.secretGeneration = secretGeneration;
        }

        public String keyType() { return keyType; }
        public String clientId() { return clientId; }
        /** Null for applications whose tokens an external OAuth2 server issues. */
        public String clientSecret() { return clientSecret; }
        /** How often the secret was regenerated: only tokens that carry this generation are accepted. */
        public long secretGeneration() { return secretGeneration; }

        /** Whether {@code secret} is this client's secret (in constant time). */
        public boolean secretMatches(String secret) {
            if (clientSecret == null || secret == null) {
                return false;
            }
            byte[] given = secret.getBytes(StandardCharsets.UTF_8);
            if (clientSecret.startsWith(SHA256)) {
                return MessageDigest.isEqual(clientSecret.substring(SHA256.length()).getBytes(StandardCharsets.US_ASCII),
                        sha256Hex(given).getBytes(StandardCharsets.US_ASCII));
            }
            return MessageDigest.isEqual(clientSecret.getBytes(StandardCharsets.UTF_8), given);
        }

        /** How a generated secret is stored: never the secret itself. */
        public static String hashed(String secret) {
            return SHA256 + sha256Hex(secret.getBytes(StandardCharsets.UTF_8));
        }

        private static String sha256Hex(byte[] b) {
            try {
                StringBuilder out = new StringBuilder();
                for (byte x : MessageDigest.getInstance("SHA-256").digest(b)) {
                    out.append(String.format("%02x", x));
                }
                return out.toString();
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-256 is missing from this JVM", e);
            }
        }

        private static final String SHA256 = "{sha256}";
    }

    private final String name;
    private final String subscriber;
    private final long handshakesPerMinute;
    private final int maxConnections;
    private final Map<String, Keys> keysByType;
    private final List<Subscription> subscriptions;
    private final java.util.Set<String> scopes;

    public Application(String name, String subscriber, long handshakesPerMinute, Map<String, Keys> keysByType,
                       List<Subscription> subscriptions) {
        this(name, subscriber, handshakesPerMinute, keysByType, subscriptions, java.util.Set.of());
    }

    /** With the OAuth2 scopes its tokens may carry when asked for (the management API's {@code apim:*}). */
    public Application(String name, String subscriber, long handshakesPerMinute, Map<String, Keys> keysByType,
                       List<Subscription> subscriptions, java.util.Set<String> scopes) {
        this(name, subscriber, handshakesPerMinute, 0, keysByType, subscriptions, scopes);
    }

    /** {@code maxConnections}: how many connections the application may hold open at once, all nodes together (0: any). */
    public Application(String name, String subscriber, long handshakesPerMinute, int maxConnections, Map<String, Keys> keysByType,
                       List<Subscription> subscriptions, java.util.Set<String> scopes) {
        this.maxConnections = maxConnections;
        this.scopes = java.util.Set.copyOf(scopes);
        this.name = name;
        this.subscriber = subscriber;
        this.handshakesPerMinute = handshakesPerMinute;
        this.keysByType = Collections.unmodifiableMap(keysByType);
        this.subscriptions = Collections.unmodifiableList(subscriptions);
    }

    public String name() { return name; }
    public String subscriber() { return subscriber; }
    /** 0 means no limit. */
    public long handshakesPerMinute() { return handshakesPerMinute; }
    /** 0 means no limit. */
    public int maxConnections() { return maxConnections; }
    public Map<String, Keys> keys() { return keysByType; }
    public List<Subscription> subscriptions() { return subscriptions; }
    /** The scopes a token of this application may be issued with. */
    public java.util.Set<String> scopes() { return scopes; }

    /** The subscription to this API version, or null. */
    public Subscription subscription(String api, String version) {
        for (Subscription s : subscriptions) {
            if (s.api.equals(api) && s.version.equals(version)) {
                return s;
            }
        }
        return null;
    }
}
