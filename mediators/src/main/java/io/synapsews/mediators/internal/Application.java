package io.synapsews.mediators.internal;

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

        public Subscription(String api, String version, String tier) {
            this.api = api;
            this.version = version;
            this.tier = tier;
        }

        public String api() { return api; }
        public String version() { return version; }
        public String tier() { return tier; }
    }

    /** Client credentials of one key type (PRODUCTION or SANDBOX). */
    public static final class Keys {
        final String keyType;
        final String clientId;
        final String clientSecret;

        public Keys(String keyType, String clientId, String clientSecret) {
            this.keyType = keyType;
            this.clientId = clientId;
            this.clientSecret = clientSecret;
        }

        public String keyType() { return keyType; }
        public String clientId() { return clientId; }
        /** Null for applications whose tokens an external OAuth2 server issues. */
        public String clientSecret() { return clientSecret; }
    }

    private final String name;
    private final String subscriber;
    private final long handshakesPerMinute;
    private final Map<String, Keys> keysByType;
    private final List<Subscription> subscriptions;

    public Application(String name, String subscriber, long handshakesPerMinute, Map<String, Keys> keysByType,
                       List<Subscription> subscriptions) {
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
    public Map<String, Keys> keys() { return keysByType; }
    public List<Subscription> subscriptions() { return subscriptions; }

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
