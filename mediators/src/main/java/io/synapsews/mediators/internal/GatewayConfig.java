package io.synapsews.mediators.internal;

import java.io.File;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;

import io.synapsews.mediators.internal.manage.ManagementSettings;
import io.synapsews.mediators.internal.throttle.Tier;
import io.synapsews.transport.config.ParameterException;
import io.synapsews.transport.config.Parameters;
import io.synapsews.transport.config.ServerHome;
import io.synapsews.transport.spi.SafeText;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * The API gateway's configuration file ({@code repository/conf/websocket-gateway.xml} in the demo):
 * the built-in key manager, the analytics port and connection log, the tiers, and the
 * applications with their keys and subscriptions. Parsed and validated in one place; every error
 * names the file and the setting.
 */
public final class GatewayConfig {

    public static final String PRODUCTION = "PRODUCTION";
    public static final String SANDBOX = "SANDBOX";

    private final File file;
    private final File home;
    private final boolean keyManagerEnabled;
    private final String keyManagerHost;
    private final int keyManagerPort;
    private final String issuer;
    private final String audience;
    private final long tokenValiditySeconds;
    private final File signingKeyStore;
    private final String signingKeyStorePassword;
    private final File revocationsFile;
    private final String counterStoreType;
    private final String counterStoreUri;
    private final int counterStoreNodes;
    private final long counterStoreLeaseSize;
    private final String onStoreFailure;
    private final int counterStoreTimeoutMillis;
    private final String nodeId;
    private final String signingKeyAlias;
    private final String analyticsHost;
    private final int analyticsPort;
    private final File connectionLog;
    private final Map<String, Tier> tiers;
    private final Map<String, Application> applications;
    private final long failedAuthPerClient;
    private final long failedAuthPerAddress;
    private final Directory directory;
    private final ManagementSettings management;

    private GatewayConfig(File file, File home, Element root) throws GatewayConfigException {
        this.file = file;
        this.home = home;
        Element km = child(root, "keyManager");
        keyManagerEnabled = km != null && bool(km, "enabled", true);
        // loopback unless an address is given: these are plain HTTP servers
        keyManagerHost = km == null ? "127.0.0.1" : attr(km, "host", "127.0.0.1");
        keyManagerPort = km == null ? 0 : port(km, "port", true);
        issuer = km == null ? null : attr(km, "issuer", "http://localhost:" + keyManagerPort + "/oauth2/token");
        audience = km == null ? null : attr(km, "audience", "synapse-ws");
        tokenValiditySeconds = km == null ? 3600 : number(km, "tokenValiditySeconds", 3600, 1);
        failedAuthPerClient = km == null ? 10 : number(km, "failedAuthenticationsPerClientPerMinute", 10, 0);
        failedAuthPerAddress = km == null ? 50 : number(km, "failedAuthenticationsPerAddressPerMinute", 50, 0);
        String ks = km == null ? null : attr(km, "keyStore", null);
        signingKeyStore = ks == null ? null : ServerHome.resolve(home, ks);
        signingKeyStorePassword = km == null ? null : attr(km, "keyStorePassword", null);
        signingKeyAlias = km == null ? null : attr(km, "keyAlias", null);
        if (signingKeyStore != null && (signingKeyStorePassword == null || !signingKeyStore.isFile())) {
            throw error("keyManager/@keyStore", signingKeyStore.isFile()
                    ? "needs keyStorePassword" : "file " + signingKeyStore + " does not exist");
        }
        // revoked tokens outlive a restart when the tokens do (a signing key from a key store)
        String rf = km == null ? null : km.hasAttribute("revocationsFile") ? km.getAttribute("revocationsFile").trim()
                : signingKeyStore == null ? null : "repository/data/revoked-tokens.txt";
        revocationsFile = rf == null || rf.isEmpty() ? null : ServerHome.resolve(home, rf);

        Element cs = child(root, "counterStore");
        counterStoreType = cs == null ? "local" : attr(cs, "type", "local");
        if (!"local".equals(counterStoreType) && !"redis".equals(counterStoreType)) {
            throw error("counterStore/@type", "must be local or redis, not '" + counterStoreType + "'");
        }
        counterStoreUri = cs == null ? null : attr(cs, "uri", "redis://127.0.0.1:6379/0");
        if ("redis".equals(counterStoreType) && !counterStoreUri.matches("(redis|rediss|redis-sentinel)://.+")) {
            throw error("counterStore/@uri", "'" + counterStoreUri + "' is not a redis://, rediss:// or redis-sentinel:// URI");
        }
        counterStoreNodes = cs == null ? 1 : (int) number(cs, "nodes", 1, 1);
        counterStoreLeaseSize = cs == null ? 100 : number(cs, "leaseSize", 100, 1);
        counterStoreTimeoutMillis = cs == null ? 1000 : (int) number(cs, "timeoutMillis", 1000, 1);
        onStoreFailure = cs == null ? "local" : attr(cs, "onStoreFailure", "local");
        if (!"local".equals(onStoreFailure) && !"deny".equals(onStoreFailure)) {
            throw error("counterStore/@onStoreFailure", "must be local or deny, not '" + onStoreFailure + "'");
        }
        String node = attr(root, "nodeId", System.getProperty("synapsews.node.id"));
        if (node == null) {
            try {
                node = java.net.InetAddress.getLocalHost().getHostName().replaceAll("[^A-Za-z0-9._-]", "_");
            } catch (java.net.UnknownHostException e) {
                node = "node";
            }
            node = node.isEmpty() ? "node" : node.substring(0, Math.min(64, node.length()));
        }
        if (!node.matches("[A-Za-z0-9._-]{1,64}")) {
            // it is part of every connection id (routing a connections API call to its node) and of Redis messages
            throw error("@nodeId (or --node-id)", "must be 1 to 64 letters, digits, '.', '_' or '-', not '" + SafeText.forLog(node) + "'");
        }
        nodeId = node;

        Element analytics = child(root, "analytics");
        analyticsHost = analytics == null ? "127.0.0.1" : attr(analytics, "host", "127.0.0.1");
        analyticsPort = analytics == null ? -1 : port(analytics, "port", false);
        String log = analytics == null ? null : attr(analytics, "connectionLog", null);
        connectionLog = log == null ? null : ServerHome.resolve(home, log);

        Map<String, Tier> t = new LinkedHashMap<>();
        t.put("Unlimited", new Tier("Unlimited", 0, 0));
        t.put("Gold", new Tier("Gold", 5000, 0));
        t.put("Silver", new Tier("Silver", 2000, 0));
        t.put("Bronze", new Tier("Bronze", 1000, 0));
        Element tiersEl = child(root, "tiers");
        if (tiersEl != null) {
            for (Element e : children(tiersEl, "tier")) {
                String name = required(e, "name", "tiers/tier");
                t.put(name, new Tier(name, number(e, "messagesPerMinute", 0, 0), number(e, "bytesPerMinute", 0, 0)));
            }
        }
        tiers = Collections.unmodifiableMap(t);

        Map<String, Application> apps = new LinkedHashMap<>();
        Map<String, Application.Keys> keys = new LinkedHashMap<>();
        Element appsEl = child(root, "applications");
        if (appsEl != null) {
            for (Element e : children(appsEl, "application")) {
                String name = required(e, "name", "applications/application");
                String where = "application '" + name + "'";
                Map<String, Application.Keys> appKeys = new LinkedHashMap<>();
                for (Element k : children(e, "keys")) {
                    String type = attr(k, "type", PRODUCTION).toUpperCase();
                    if (!PRODUCTION.equals(type) && !SANDBOX.equals(type)) {
                        throw error(where + "/keys/@type", "'" + type + "' is neither PRODUCTION nor SANDBOX");
                    }
                    String clientId = required(k, "clientId", where + "/keys");
                    if (keys.containsKey(clientId)) {
                        throw error(where + "/keys/@clientId", "'" + clientId + "' is used twice");
                    }
                    Application.Keys ak = new Application.Keys(type, clientId, attr(k, "clientSecret", null));
                    appKeys.put(type, ak);
                    keys.put(clientId, ak);
                }
                List<Application.Subscription> subs = new ArrayList<>();
                for (Element s : children(e, "subscription")) {
                    String tier = attr(s, "tier", "Unlimited");
                    if (!tiers.containsKey(tier)) {
                        throw error(where + "/subscription/@tier", "unknown tier '" + tier + "' (known: " + tiers.keySet() + ")");
                    }
                    subs.add(new Application.Subscription(required(s, "api", where + "/subscription"),
                            required(s, "version", where + "/subscription"), tier, "UNBLOCKED",
                            (int) number(s, "maxConnections", 0, 0)));
                }
                java.util.Set<String> scopes = new java.util.LinkedHashSet<>();
                for (String sc : attr(e, "scopes", "").split("[\\s,]+")) {
                    if (!sc.isEmpty()) {
                        if (!sc.matches("[\\x21\\x23-\\x5B\\x5D-\\x7E]+")) {
                            throw error(where + "/@scopes", "'" + sc + "' is not an OAuth2 scope token (RFC 6749 3.3)");
                        }
                        scopes.add(sc);
                    }
                }
                Application app = new Application(name, attr(e, "subscriber", name),
                        number(e, "handshakesPerMinute", 0, 0), (int) number(e, "maxConnections", 0, 0), appKeys, subs, scopes);
                if (apps.put(name, app) != null) {
                    throw error(where, "is defined twice");
                }
            }
        }
        applications = Collections.unmodifiableMap(apps);
        directory = new Directory(tiers, apps.values());
        management = management(child(root, "management"));
    }

    /** Reads and validates a gateway configuration file; relative paths in it resolve against {@code home}. */
    public static GatewayConfig load(File file, File home) throws GatewayConfigException {
        if (!file.isFile()) {
            throw new GatewayConfigException(file + ": gateway configuration file does not exist");
        }
        Document doc;
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            DocumentBuilder b = f.newDocumentBuilder();
            doc = b.parse(file);
        } catch (Exception e) {
            throw new GatewayConfigException(file + ": not well-formed XML: " + e.getMessage(), e);
        }
        Element root = doc.getDocumentElement();
        if (!"gateway".equals(root.getLocalName() == null ? root.getNodeName() : root.getLocalName())) {
            throw new GatewayConfigException(file + ": root element must be <gateway>, found <" + root.getNodeName() + ">");
        }
        return new GatewayConfig(file, home, root);
    }

    public File file() { return file; }
    /** The server home relative paths resolve against. */
    public File home() { return home; }
    public boolean keyManagerEnabled() { return keyManagerEnabled; }
    public String keyManagerHost() { return keyManagerHost; }
    public int keyManagerPort() { return keyManagerPort; }
    public String issuer() { return issuer; }
    public String audience() { return audience; }
    public long tokenValiditySeconds() { return tokenValiditySeconds; }
    /** Failed client authentications per client id and minute before the token endpoint answers 429 (0: no limit). */
    public long failedAuthPerClient() { return failedAuthPerClient; }
    /** Failed client authentications per client address and minute before 429 (0: no limit). */
    public long failedAuthPerAddress() { return failedAuthPerAddress; }
    public File signingKeyStore() { return signingKeyStore; }
    public String signingKeyStorePassword() { return signingKeyStorePassword; }
    /** Where the key manager keeps the ids of revoked, unexpired tokens across restarts; null: in memory only. */
    public File revocationsFile() { return revocationsFile; }
    /** {@code local} or {@code redis}. */
    public String counterStoreType() { return counterStoreType; }
    public String counterStoreUri() { return counterStoreUri; }
    /** How many gateways share the counter store's limits (the local fallback divides each limit by it). */
    public int counterStoreNodes() { return counterStoreNodes; }
    public long counterStoreLeaseSize() { return counterStoreLeaseSize; }
    public int counterStoreTimeoutMillis() { return counterStoreTimeoutMillis; }
    /** {@code local} or {@code deny}. */
    public String onStoreFailure() { return onStoreFailure; }
    /** This gateway's name among several: {@code nodeId} on {@code <gateway>}, {@code -Dsynapsews.node.id}, else the host name. */
    public String nodeId() { return nodeId; }
    public String signingKeyAlias() { return signingKeyAlias; }
    public String analyticsHost() { return analyticsHost; }
    /** -1 when no analytics port is configured. */
    public int analyticsPort() { return analyticsPort; }
    public File connectionLog() { return connectionLog; }
    public Map<String, Tier> tiers() { return tiers; }
    public Map<String, Application> applications() { return applications; }

    /** The management REST APIs' settings, or null when {@code <management>} is absent or disabled. */
    public ManagementSettings management() { return management; }

    private ManagementSettings management(Element m) throws GatewayConfigException {
        if (m == null || !bool(m, "enabled", true)) {
            return null;
        }
        int port = port(m, "port", false);
        String ks = attr(m, "keyStore", null);
        boolean tls = bool(m, "tls", true);
        File keyStore = null;
        String pass = attr(m, "keyStorePassword", null);
        if (tls) {
            if (ks == null || pass == null) {
                throw error("management/@keyStore", "and keyStorePassword are required over TLS (tls=\"false\" for plain HTTP)");
            }
            keyStore = ServerHome.resolve(home, ks);
            if (!keyStore.isFile()) {
                throw error("management/@keyStore", "file " + keyStore + " does not exist");
            }
        }
        String importDir = attr(m, "importDir", null);
        if (importDir != null && !ServerHome.resolve(home, importDir).isDirectory()) {
            throw error("management/@importDir", "directory " + ServerHome.resolve(home, importDir) + " does not exist");
        }
        long code = number(m, "closeCode", 1001, 1000);
        if (code > 4999 || code == 1005 || code == 1006 || code == 1015) {
            throw error("management/@closeCode", code + " is not a close code a close frame may carry");
        }
        return new ManagementSettings(attr(m, "host", "127.0.0.1"), port < 0 ? 9443 : port, keyStore, pass,
                attr(m, "adminUser", "admin"), attr(m, "adminPassword", "admin"),
                ServerHome.resolve(home, attr(m, "stateDir", "repository/management")),
                attr(m, "sequence", "dispatchSeq"), (int) code, attr(m, "wsUrl", "ws://localhost:9099"),
                attr(m, "wssUrl", "wss://localhost:8099"), importDir == null ? null : ServerHome.resolve(home, importDir));
    }

    /** The tiers and applications this file defines: the runtime's first {@link Directory}. */
    public Directory directory() { return directory; }

    private GatewayConfigException error(String setting, String problem) {
        return new GatewayConfigException(file + ": " + setting + " " + problem);
    }

    private static Element child(Element parent, String name) {
        List<Element> l = children(parent, name);
        return l.isEmpty() ? null : l.get(0);
    }

    private static List<Element> children(Element parent, String name) {
        List<Element> out = new ArrayList<>();
        NodeList nodes = parent.getChildNodes();
        for (int i = 0; i < nodes.getLength(); i++) {
            Node n = nodes.item(i);
            if (n instanceof Element && name.equals(((Element) n).getTagName())) {
                out.add((Element) n);
            }
        }
        return out;
    }

    private static String attr(Element e, String name, String def) {
        String v = e.getAttribute(name);
        return v == null || v.trim().isEmpty() ? def : v.trim();
    }

    private String required(Element e, String name, String where) throws GatewayConfigException {
        String v = attr(e, name, null);
        if (v == null) {
            throw error(where + "/@" + name, "is required");
        }
        return v;
    }

    /** The attributes of one element, read the way every configuration parameter is read. */
    private Parameters attributes(Element e) {
        return new Parameters(name -> e.hasAttribute(name) ? e.getAttribute(name) : null,
                name -> file + ": " + e.getTagName() + "/@" + name);
    }

    private boolean bool(Element e, String name, boolean def) throws GatewayConfigException {
        try {
            return attributes(e).bool(name, def);
        } catch (ParameterException ex) {
            throw new GatewayConfigException(ex.getMessage());
        }
    }

    private long number(Element e, String name, long def, long min) throws GatewayConfigException {
        try {
            return attributes(e).whole(name, def, min, Long.MAX_VALUE);
        } catch (ParameterException ex) {
            throw new GatewayConfigException(ex.getMessage());
        }
    }

    private int port(Element e, String name, boolean required) throws GatewayConfigException {
        try {
            return attributes(e).integer(name, required ? null : -1, 0, 65535); // -1: not set (a default, never a value)
        } catch (ParameterException ex) {
            throw new GatewayConfigException(ex.getMessage());
        }
    }
}
