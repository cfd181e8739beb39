package io.synapsews.mediators.internal;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

import io.synapsews.mediators.internal.throttle.Tier;

/**
 * Who may call what, now: the tiers and the applications (their keys and subscriptions). An immutable
 * snapshot; the runtime swaps in a new one when the management API changes an application, a
 * subscription or a tier, so a handshake reads one consistent state without a lock. The first
 * snapshot is the one {@code websocket-gateway.xml} defines.
 */
public final class Directory {

    private final Map<String, Tier> tiers;
    private final Map<String, Application> applications;
    private final Map<String, Application.Keys> keysByClientId;
    private final Map<String, Application> applicationByClientId;

    public Directory(Map<String, Tier> tiers, Collection<Application> applications) {
        this.tiers = Collections.unmodifiableMap(new LinkedHashMap<>(tiers));
        Map<String, Application> apps = new LinkedHashMap<>();
        Map<String, Application.Keys> keys = new LinkedHashMap<>();
        Map<String, Application> byClient = new LinkedHashMap<>();
        for (Application a : applications) {
            apps.put(a.name(), a);
            for (Application.Keys k : a.keys().values()) {
                keys.put(k.clientId(), k);
                byClient.put(k.clientId(), a);
            }
        }
        this.applications = Collections.unmodifiableMap(apps);
        this.keysByClientId = Collections.unmodifiableMap(keys);
        this.applicationByClientId = Collections.unmodifiableMap(byClient);
    }

    public Map<String, Tier> tiers() { return tiers; }

    /** By name. */
    public Map<String, Application> applications() { return applications; }

    /** The keys with this client id, or null. */
    public Application.Keys keys(String clientId) {
        return keysByClientId.get(clientId);
    }

    /** The application owning this client id, or null. */
    public Application application(String clientId) {
        return applicationByClientId.get(clientId);
    }

    /** This directory with {@code app} added or, if one of its name exists, replacing it. */
    public Directory with(Application app) {
        Map<String, Application> apps = new LinkedHashMap<>(applications);
        apps.put(app.name(), app);
        return new Directory(tiers, apps.values());
    }

    /** This directory without the application {@code name}. */
    public Directory without(String name) {
        Map<String, Application> apps = new LinkedHashMap<>(applications);
        apps.remove(name);
        return new Directory(tiers, apps.values());
    }

    /** This directory with {@code tier} added or replacing the one of its name. */
    public Directory with(Tier tier) {
        Map<String, Tier> t = new LinkedHashMap<>(tiers);
        t.put(tier.name(), tier);
        return new Directory(t, applications.values());
    }
}
