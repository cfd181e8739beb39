package io.synapsews.mediators.internal.manage;

import java.io.File;

/**
 * {@code <management>} in {@code websocket-gateway.xml}: where the publisher, developer portal and admin
 * REST APIs listen, who may call them, where their state is kept, and which sequence they own (the
 * inbound endpoints' sequence, generated from the published APIs).
 */
public final class ManagementSettings {

    final String host;
    final int port;
    /** Null: plain HTTP. */
    final File keyStore;
    final String keyStorePassword;
    final String adminUser;
    final String adminPassword;
    final File stateDir;
    final String sequence;
    final int closeCode;
    /** What the developer portal shows clients to connect to, before an API's path. */
    final String wsUrl;
    final String wssUrl;
    /** API definitions applied at start (null: none); see {@link Management#importDefinitions()}. */
    final File importDir;

    public ManagementSettings(String host, int port, File keyStore, String keyStorePassword, String adminUser,
                              String adminPassword, File stateDir, String sequence, int closeCode, String wsUrl,
                              String wssUrl, File importDir) {
        this.importDir = importDir;
        this.wsUrl = wsUrl;
        this.wssUrl = wssUrl;
        this.host = host;
        this.port = port;
        this.keyStore = keyStore;
        this.keyStorePassword = keyStorePassword;
        this.adminUser = adminUser;
        this.adminPassword = adminPassword;
        this.stateDir = stateDir;
        this.sequence = sequence;
        this.closeCode = closeCode;
    }

    public String host() { return host; }
    public int port() { return port; }
    public boolean tls() { return keyStore != null; }
    public File stateDir() { return stateDir; }
    /** The sequence generated from the published APIs (the inbound endpoints name it). */
    public String sequence() { return sequence; }
    /** The close code of the connections of an API that is blocked, retired or deleted. */
    public int closeCode() { return closeCode; }
}
