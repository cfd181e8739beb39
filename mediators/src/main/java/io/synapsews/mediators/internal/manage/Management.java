package io.synapsews.mediators.internal.manage;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

import javax.net.ssl.KeyManagerFactory;

import com.nimbusds.jose.util.JSONObjectUtils;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.synapsews.mediators.ApiProperties;
import io.synapsews.mediators.internal.Application;
import io.synapsews.mediators.internal.Directory;
import io.synapsews.mediators.internal.GatewayConfig;
import io.synapsews.mediators.internal.GatewayRuntime;
import io.synapsews.mediators.internal.HttpEndpointServer;
import io.synapsews.mediators.internal.HttpReply;
import io.synapsews.mediators.internal.throttle.Tier;
import io.synapsews.transport.spi.CloseCodes;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.apache.synapse.core.SynapseEnvironment;

/**
 * The management plane: WSO2 API-M's Publisher v4 and DevPortal v3 REST APIs (the parts a WebSocket
 * API uses), served on the management port, applied to the running gateway at once. APIs deploy into
 * the sequence the inbound endpoints name ({@link ApiDeployer}); applications, keys and subscriptions
 * become the runtime's {@link Directory}; a change that takes a right away closes exactly the live
 * connections that held it. Every change is written to the state directory before it is applied, and
 * a restart restores it. One lock serializes every change.
 */
public final class Management implements AutoCloseable {

    private static final Log log = LogFactory.getLog(Management.class);
    static final String PUBLISHER = "/api/am/publisher/v4";
    static final String DEVPORTAL = "/api/am/devportal/v3";
    static final String ADMIN = "/api/am/admin/v4";
    /** The OpenAPI 3 description of all three. */
    static final String OPENAPI = "/api/am/openapi.json";
    static final String CONSOLE = "/console";

    private final GatewayRuntime runtime;
    private final ManagementSettings settings;
    private final SynapseEnvironment env;
    private final ManagementStore store;
    private final ApiDeployer deployer;
    private final LiveConnections live;
    private final SecureRandom random = new SecureRandom();

    private final Map<String, ApiDefinition> apis = new LinkedHashMap<>();
    private final Map<String, Map<String, Object>> applications = new LinkedHashMap<>();
    private final Map<String, Map<String, Object>> subscriptions = new LinkedHashMap<>();
    private final Map<String, Tier> tiers = new LinkedHashMap<>();
    private HttpEndpointServer server;

    public Management(GatewayRuntime runtime, ManagementSettings settings, SynapseEnvironment env) {
        this.runtime = runtime;
        this.settings = settings;
        this.env = env;
        this.store = new ManagementStore(settings.stateDir);
        this.deployer = new ApiDeployer(env, settings.sequence, store);
        this.live = runtime.live();
    }

    /** Restores the stored state into the gateway and starts listening. */
    public synchronized void start() throws Exception {
        for (Map<String, Object> t : store.load("tiers")) {
            Tier tier = tier(t);
            tiers.put(tier.name(), tier);
        }
        for (Map<String, Object> a : store.load("apis")) {
            String id = String.valueOf(a.get("id"));
            try {
                ApiDefinition.Status status = ApiDefinition.Status.valueOf(String.valueOf(a.get("lifeCycleStatus")));
                apis.put(id, ApiDefinition.from(a, id, status, tierNames()));
            } catch (BadRequest | IllegalArgumentException e) {
                throw new IOException(store.dir() + "/apis/" + id + ".json: " + e.getMessage(), e);
            }
        }
        for (Map<String, Object> a : store.load("applications")) {
            applications.put(String.valueOf(a.get("applicationId")), a);
        }
        for (Map<String, Object> s : store.load("subscriptions")) {
            subscriptions.put(String.valueOf(s.get("subscriptionId")), s);
        }
        importDefinitions();
        applyDirectory();
        deployer.deploy(deployed());
        Map<String, Function<FullHttpRequest, HttpReply>> routes = new LinkedHashMap<>();
        routes.put(PUBLISHER + "/*", r -> guarded(r, this::publisher));
        routes.put(DEVPORTAL + "/*", r -> guarded(r, this::devportal));
        routes.put(ADMIN + "/*", r -> guarded(r, this::admin));
        // the connections API (every node's connections; apim:admin): not under this object's lock, it may wait for other nodes
        Function<FullHttpRequest, HttpReply> connections = r -> {
            HttpReply refused = authorize(r, List.of("apim:admin"));
            return refused != null ? refused : runtime.connections().handle(r);
        };
        routes.put("/connections", connections);
        routes.put("/connections/*", connections);
        String openApi = openApi();
        routes.put(OPENAPI, r -> HttpReply.json(200, openApi)); // the description is public, as WSO2's swagger is
        // the web console: its files are public, everything it shows comes from the REST APIs above
        routes.put("/", r -> HttpReply.text(302, "the console is at /console/\n").header("Location", CONSOLE + "/"));
        routes.put(CONSOLE, r -> HttpReply.text(302, "the console is at /console/\n").header("Location", CONSOLE + "/"));
        routes.put(CONSOLE + "/*", Console::serve);
        if (runtime.keyManager() != null) {
            // the token endpoint on the console's own origin (a page cannot call another port without CORS)
            routes.put("/oauth2/token", runtime.keyManager()::token);
        }
        server = new HttpEndpointServer("management", settings.host, settings.port, routes, ssl());
        if (runtime.bus() != null) {
            runtime.bus().onFrom("manage", this::fromOtherNode); // what the management API of another node changed
        }
        if ("admin".equals(settings.adminUser) && "admin".equals(settings.adminPassword)) {
            log.warn("management API on " + settings.host + ":" + server.port() + " accepts the default credentials admin/admin:"
                    + " set adminUser and adminPassword on <management> in " + runtime.config().file());
        }
        log.info("management API listening on " + (settings.tls() ? "https" : "http") + "://" + settings.host + ":"
                + server.port() + " (state in " + store.dir() + ", " + apis.size() + " API(s), " + applications.size()
                + " application(s))");
    }

    public int port() {
        return server == null ? -1 : server.port();
    }

    /**
     * Applies the API definitions of {@code <management importDir>} (the demo's EchoWebSocket is one): each
     * {@code *.json} file is the body of a publisher {@code POST /apis}, with an optional {@code lifeCycleStatus}
     * ({@code CREATED} by default, {@code PUBLISHED} to deploy it), validated and stored exactly as that call
     * does. A file is applied once: at the first start that sees it, and again only when its content changes
     * (then the API it created is updated, keeping its id and subscriptions); an API deleted through the REST
     * API stays deleted while its file is unchanged. The state's {@code imports/} records what was applied.
     * A bad file stops the start with the file and the field.
     */
    private void importDefinitions() throws IOException {
        if (settings.importDir == null) {
            return;
        }
        Map<String, Map<String, Object>> ledger = new LinkedHashMap<>();
        for (Map<String, Object> e : store.load("imports")) {
            ledger.put(String.valueOf(e.get("file")), e);
        }
        java.io.File[] files = settings.importDir.listFiles((d, n) -> n.endsWith(".json"));
        if (files == null) {
            throw new IOException(settings.importDir + ": cannot list the directory (management/@importDir)");
        }
        java.util.Arrays.sort(files);
        for (java.io.File f : files) {
            byte[] bytes = java.nio.file.Files.readAllBytes(f.toPath());
            String sha;
            try {
                StringBuilder hex = new StringBuilder();
                for (byte b : MessageDigest.getInstance("SHA-256").digest(bytes)) {
                    hex.append(String.format("%02x", b));
                }
                sha = hex.toString();
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
            Map<String, Object> seen = ledger.get(f.getName());
            if (seen != null && sha.equals(seen.get("sha256"))) {
                continue;
            }
            String id = seen != null && apis.containsKey(String.valueOf(seen.get("apiId")))
                    // the same on every node that imports the same file: a subscription to it means the same API everywhere
                    ? String.valueOf(seen.get("apiId")) : UUID.nameUUIDFromBytes(("import:" + f.getName()).getBytes(StandardCharsets.UTF_8)).toString();
            boolean update = apis.containsKey(id);
            ApiDefinition a;
            try {
                Map<String, Object> json;
                try {
                    json = JSONObjectUtils.parse(new String(bytes, StandardCharsets.UTF_8));
                } catch (ParseException e) {
                    throw BadRequest.field("body", "is not a JSON object: " + e.getMessage());
                }
                Object lc = json.get("lifeCycleStatus");
                ApiDefinition.Status status;
                if (lc == null) {
                    status = update ? apis.get(id).status : ApiDefinition.Status.CREATED;
                } else if ("CREATED".equals(lc) || "PUBLISHED".equals(lc)) {
                    status = ApiDefinition.Status.valueOf(String.valueOf(lc));
                } else {
                    throw BadRequest.field("lifeCycleStatus", "must be CREATED or PUBLISHED, not " + lc);
                }
                a = ApiDefinition.from(json, id, status, tierNames());
                unique(a, update ? id : null);
            } catch (BadRequest e) {
                throw new IOException(f + ": " + (e.field == null ? "" : e.field + " ") + e.getMessage()
                        + " (management/@importDir)", e);
            }
            saveDoc("apis", id, a.toJson());
            apis.put(id, a);
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("file", f.getName());
            entry.put("sha256", sha);
            entry.put("apiId", id);
            String ledgerId = f.getName().replaceAll("[^A-Za-z0-9-]", "-");
            store.save("imports", ledgerId.substring(0, Math.min(64, ledgerId.length())), entry);
            log.info("management: API " + a.name + " " + a.version + (update ? " updated" : " created") + " from " + f
                    + " (" + a.status + ", " + id + ")");
        }
    }

    @Override
    public void close() {
        if (server != null) {
            server.close();
        }
    }

    private static String openApi() throws IOException {
        try (InputStream in = Management.class.getResourceAsStream("openapi.json")) {
            if (in == null) {
                throw new IOException("openapi.json is missing from the bundle");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private SslContext ssl() throws Exception {
        if (!settings.tls()) {
            return null;
        }
        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        char[] pass = settings.keyStorePassword.toCharArray();
        try (InputStream in = new FileInputStream(settings.keyStore)) {
            ks.load(in, pass);
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, pass);
        return SslContextBuilder.forServer(kmf).build();
    }

    // ---- the same state on every node

    /** What the request being handled changed (documents, deleted ones with a null doc) and closed; null outside one. */
    private List<Map<String, Object>> changes;
    private List<Map<String, Object>> closings;
    /** The revision of each document this node has ({@code kind/id}: {@code <13-digit millis>:<node>}), deleted ones too. */
    private final Map<String, String> revisions = new java.util.HashMap<>();
    private long lastRevisionMillis;

    /** A revision after every one this node has seen: millis, made unique and increasing, then the node's id. */
    private String nextRevision() {
        lastRevisionMillis = Math.max(System.currentTimeMillis(), lastRevisionMillis + 1);
        return String.format("%013d:%s", lastRevisionMillis, runtime.config().nodeId());
    }

    /** Stores a document and, inside a request, records it for the other nodes. */
    private void saveDoc(String kind, String id, Map<String, Object> doc) throws IOException {
        store.save(kind, id, doc);
        changed(kind, id, doc);
    }

    private void deleteDoc(String kind, String id) throws IOException {
        store.delete(kind, id);
        changed(kind, id, null);
    }

    private void changed(String kind, String id, Map<String, Object> doc) {
        if (changes == null) {
            return; // restoring or importing at start: every node does the same from its own files
        }
        String rev = nextRevision();
        revisions.put(kind + "/" + id, rev);
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("kind", kind);
        c.put("id", id);
        c.put("rev", rev);
        c.put("doc", doc == null ? null : JSONObjectUtils.toJSONString(doc)); // a copy as it is now
        changes.add(c);
    }

    /** Which open connections to close: those whose properties equal every field given (null: any), and how. */
    private static Map<String, Object> closing(String application, String api, String version, String keyType, String consumerKey,
                                               int code, String reason) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put(ApiProperties.APPLICATION, application);
        c.put(ApiProperties.API, api);
        c.put(ApiProperties.VERSION, version);
        c.put(ApiProperties.KEY_TYPE, keyType);
        c.put(ApiProperties.CONSUMER_KEY, consumerKey);
        c.put("code", code);
        c.put("reason", reason);
        return c;
    }

    /** Closes the connections {@code closing} selects here, and (inside a request) on the other nodes too. */
    private void close(Map<String, Object> closing) {
        int code = closing.get("code") instanceof Number ? ((Number) closing.get("code")).intValue() : CloseCodes.POLICY_VIOLATION;
        String reason = String.valueOf(closing.get("reason"));
        String[] keys = {ApiProperties.APPLICATION, ApiProperties.API, ApiProperties.VERSION, ApiProperties.KEY_TYPE, ApiProperties.CONSUMER_KEY};
        int n = live.close(c -> {
            for (String k : keys) {
                Object want = closing.get(k);
                if (want != null && !want.equals(c.attributes().get(k))) {
                    return false;
                }
            }
            return true;
        }, CloseCodes.sendable(code) ? code : CloseCodes.POLICY_VIOLATION, reason);
        if (n > 0) {
            log.info("management: closed " + n + " connection(s) of " + (closing.get(ApiProperties.APPLICATION) != null
                    ? "application " + closing.get(ApiProperties.APPLICATION) : closing.get(ApiProperties.API) + " " + closing.get(ApiProperties.VERSION))
                    + " with " + code + ": " + reason);
        }
        if (closings != null) {
            closings.add(closing);
        }
    }

    /** Publishes what the request changed and closed, in one message, so that another node applies it as a whole. */
    private void tellOtherNodes() {
        if (runtime.bus() == null || (changes.isEmpty() && closings.isEmpty())) {
            return;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("changes", changes);
        m.put("closings", closings);
        runtime.bus().publish("manage", Base64.getEncoder().encodeToString(JSONObjectUtils.toJSONString(m).getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * Applies what another node changed: each document newer than this node's (by revision; ties cannot happen,
     * the node id is part of it) is stored and takes effect, deployed APIs are redeployed, the directory of
     * applications is rebuilt, then the connections it closed there are closed here.
     */
    @SuppressWarnings("unchecked") // our own messages
    private synchronized void fromOtherNode(String from, String[] fields) {
        if (fields.length != 1 || server == null) {
            return;
        }
        Map<String, Object> m;
        try {
            m = JSONObjectUtils.parse(new String(Base64.getDecoder().decode(fields[0]), StandardCharsets.UTF_8));
        } catch (ParseException | IllegalArgumentException e) {
            log.warn("management: an unreadable change from node " + from + ": " + e.getMessage());
            return;
        }
        boolean redeploy = false;
        int applied = 0;
        for (Object o : (List<Object>) m.getOrDefault("changes", List.of())) {
            Map<String, Object> c = (Map<String, Object>) o;
            String kind = String.valueOf(c.get("kind"));
            String id = String.valueOf(c.get("id"));
            String rev = String.valueOf(c.get("rev"));
            String mine = revisions.get(kind + "/" + id);
            if (mine != null && mine.compareTo(rev) >= 0) {
                continue; // this node has a newer one
            }
            try {
                Map<String, Object> doc = c.get("doc") == null ? null : JSONObjectUtils.parse(String.valueOf(c.get("doc")));
                redeploy |= "apis".equals(kind);
                applyDoc(kind, id, doc);
                revisions.put(kind + "/" + id, rev);
                lastRevisionMillis = Math.max(lastRevisionMillis, Long.parseLong(rev.substring(0, Math.min(13, rev.length()))));
                applied++;
            } catch (ParseException | BadRequest | IOException | RuntimeException e) {
                log.error("management: cannot apply " + kind + "/" + id + " from node " + from + ": " + e.getMessage(), e);
            }
        }
        if (applied > 0) {
            if (redeploy) {
                try {
                    deployer.deploy(deployed());
                } catch (IOException | RuntimeException e) {
                    log.error("management: cannot redeploy the APIs after a change from node " + from + ": " + e.getMessage(), e);
                }
            }
            applyDirectory();
            log.info("management: applied " + applied + " change(s) from node " + from);
        }
        for (Object o : (List<Object>) m.getOrDefault("closings", List.of())) {
            close((Map<String, Object>) o);
        }
    }

    private void applyDoc(String kind, String id, Map<String, Object> doc) throws BadRequest, IOException {
        if (doc == null) {
            store.delete(kind, id);
        } else {
            store.save(kind, id, doc);
        }
        switch (kind) {
            case "apis":
                if (doc == null) {
                    apis.remove(id);
                } else {
                    apis.put(id, ApiDefinition.from(doc, id, ApiDefinition.Status.valueOf(String.valueOf(doc.get("lifeCycleStatus"))), tierNames()));
                }
                break;
            case "applications":
                if (doc == null) {
                    applications.remove(id);
                } else {
                    applications.put(id, doc);
                }
                break;
            case "subscriptions":
                if (doc == null) {
                    subscriptions.remove(id);
                } else {
                    subscriptions.put(id, doc);
                }
                break;
            case "tiers":
                if (doc != null) {
                    Tier t = tier(doc);
                    tiers.put(t.name(), t);
                }
                break;
            default:
                throw new IOException("unknown kind " + kind);
        }
    }

    // ---- the HTTP surface

    private interface Handler {
        HttpReply handle(FullHttpRequest req, String method, List<String> path, Map<String, List<String>> query)
                throws BadRequest, IOException;
    }

    private HttpReply guarded(FullHttpRequest req, Handler h) {
        QueryStringDecoder q = new QueryStringDecoder(req.uri());
        String p = q.path();
        String base = p.startsWith(PUBLISHER) ? PUBLISHER : p.startsWith(DEVPORTAL) ? DEVPORTAL : ADMIN;
        HttpReply refused = authorize(req, scopesFor(base, req.method().name(), p));
        if (refused != null) {
            return refused;
        }
        List<String> segments = new ArrayList<>();
        for (String s : p.substring(base.length()).split("/")) {
            if (!s.isEmpty()) {
                segments.add(QueryStringDecoder.decodeComponent(s));
            }
        }
        try {
            if (PUBLISHER.equals(base) && List.of("apis", "validate-endpoint").equals(segments)) {
                // opens a connection to a backend: not under the lock that every change takes
                if (!"POST".equals(req.method().name())) {
                    throw methodNotAllowed(req.method().name());
                }
                return json(200, validateEndpoint(param(q.parameters(), "endpointUrl")));
            }
            synchronized (this) {
                changes = new ArrayList<>();
                closings = new ArrayList<>();
                try {
                    HttpReply reply = h.handle(req, req.method().name(), segments, q.parameters());
                    tellOtherNodes();
                    return reply;
                } finally {
                    changes = null;
                    closings = null;
                }
            }
        } catch (BadRequest e) {
            return error(e.status, e.status == 404 ? "Not Found" : e.status == 409 ? "Conflict" : e.status == 405
                    ? "Method Not Allowed" : "Bad Request",
                    e.getMessage(), e.field);
        } catch (IOException e) {
            log.error("management: " + req.method() + " " + p + " could not be stored or deployed: " + e.getMessage(), e);
            return error(500, "Internal Server Error", "the change could not be stored or deployed: " + e.getMessage(), null);
        }
    }

    /**
     * Null when the request carries the management user's Basic credentials or an access token with one of
     * {@code needed}; else the 401 or 403 to answer.
     */
    private HttpReply authorize(FullHttpRequest req, List<String> needed) {
        java.util.Set<String> scopes = basic(req) ? null : bearerScopes(req);
        if (!basic(req) && scopes == null) {
            return error(401, "Unauthorized", "HTTP Basic credentials of the management user, or a valid access token"
                    + " of the built-in key manager, are required", null)
                    // a page's script (the console) asks not to be challenged with Basic: the browser would open its own dialog
                    .header("WWW-Authenticate", (req.headers().contains("X-Requested-With") ? "" : "Basic realm=\"synapse-ws management\", ")
                            + "Bearer realm=\"synapse-ws management\"");
        }
        if (scopes != null && needed.stream().noneMatch(scopes::contains)) {
            return error(403, "Forbidden", "the access token needs the scope " + String.join(" or ", needed), null)
                    .header("WWW-Authenticate", "Bearer error=\"insufficient_scope\", scope=\"" + String.join(" ", needed) + "\"");
        }
        return null;
    }

    /**
     * The {@code apim:*} scopes of WSO2 API-M an access token needs for a call: creating and changing APIs
     * {@code apim:api_create}, their life cycle {@code apim:api_publish}, reading them any of those or
     * {@code apim:api_view}; the developer portal {@code apim:subscribe}; tiers {@code apim:admin}.
     */
    static List<String> scopesFor(String base, String method, String path) {
        if (DEVPORTAL.equals(base)) {
            return List.of("apim:subscribe");
        }
        if (ADMIN.equals(base)) {
            return List.of("apim:admin");
        }
        if (path.endsWith("block-subscription")) {
            return List.of("apim:subscription_block", "apim:api_publish");
        }
        if (path.endsWith("/change-lifecycle")) {
            return List.of("apim:api_publish");
        }
        return "GET".equals(method) ? List.of("apim:api_view", "apim:api_create", "apim:api_publish") : List.of("apim:api_create");
    }

    /** The scopes of the request's bearer token, or null without a valid one. */
    private java.util.Set<String> bearerScopes(FullHttpRequest req) {
        String h = req.headers().get("Authorization");
        if (h == null || !h.regionMatches(true, 0, "Bearer ", 0, 7) || runtime.keyManager() == null) {
            return null;
        }
        return runtime.keyManager().scopesOf(h.substring(7).trim());
    }

    private boolean basic(FullHttpRequest req) {
        String h = req.headers().get("Authorization");
        if (h == null || !h.regionMatches(true, 0, "Basic ", 0, 6)) {
            return false;
        }
        byte[] given;
        try {
            given = Base64.getDecoder().decode(h.substring(6).trim());
        } catch (IllegalArgumentException e) {
            return false;
        }
        byte[] expected = (settings.adminUser + ":" + settings.adminPassword).getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(expected, given);
    }

    /** WSO2's ErrorDTO: code, message, description, and the field concerned in {@code error[]}. */
    static HttpReply error(int status, String message, String description, String field) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("code", status);
        e.put("message", message);
        e.put("description", description);
        e.put("moreInfo", "");
        List<Object> list = new ArrayList<>();
        if (field != null) {
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("code", status);
            item.put("field", field);
            item.put("message", field + " " + description);
            list.add(item);
        }
        e.put("error", list);
        return HttpReply.json(status, JSONObjectUtils.toJSONString(e));
    }

    private static HttpReply json(int status, Map<String, Object> body) {
        return HttpReply.json(status, JSONObjectUtils.toJSONString(body));
    }

    private static HttpReply list(List<Map<String, Object>> items) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("count", items.size());
        body.put("list", items);
        Map<String, Object> page = new LinkedHashMap<>();
        page.put("offset", 0);
        page.put("limit", items.size());
        page.put("total", items.size());
        body.put("pagination", page);
        return json(200, body);
    }

    private static Map<String, Object> body(FullHttpRequest req) throws BadRequest {
        String text = req.content().toString(StandardCharsets.UTF_8);
        if (text.trim().isEmpty()) {
            throw BadRequest.field("body", "is required: a JSON object");
        }
        try {
            return JSONObjectUtils.parse(text);
        } catch (ParseException e) {
            throw BadRequest.field("body", "is not a JSON object: " + e.getMessage());
        }
    }

    private static String param(Map<String, List<String>> query, String name) {
        List<String> v = query.get(name);
        return v == null || v.isEmpty() ? null : v.get(0);
    }

    private static BadRequest methodNotAllowed(String method) {
        return new BadRequest(405, null, method + " is not allowed here");
    }

    // ---- Publisher v4

    private HttpReply publisher(FullHttpRequest req, String method, List<String> path, Map<String, List<String>> query)
            throws BadRequest, IOException {
        if (path.size() == 2 && "subscriptions".equals(path.get(0)) && "POST".equals(method)
                && ("block-subscription".equals(path.get(1)) || "unblock-subscription".equals(path.get(1)))) {
            return blockSubscription(param(query, "subscriptionId"), "block-subscription".equals(path.get(1))
                    ? param(query, "blockState") : "UNBLOCKED");
        }
        if (path.isEmpty() || !"apis".equals(path.get(0))) {
            throw new BadRequest(404, null, "no such resource; the publisher has /apis and /subscriptions/(un)block-subscription");
        }
        if (path.size() == 1) {
            if ("GET".equals(method)) {
                String q = param(query, "query");
                List<Map<String, Object>> out = new ArrayList<>();
                for (ApiDefinition a : apis.values()) {
                    if (matches(a, q)) {
                        out.add(a.toJson());
                    }
                }
                return list(out);
            }
            if ("POST".equals(method)) {
                ApiDefinition a = ApiDefinition.from(body(req), UUID.randomUUID().toString(), ApiDefinition.Status.CREATED, tierNames());
                unique(a, null);
                saveDoc("apis", a.id, a.toJson());
                apis.put(a.id, a);
                log.info("management: API " + a.name + " " + a.version + " created (" + a.id + ")");
                return json(201, a.toJson()).header("Location", PUBLISHER + "/apis/" + a.id);
            }
            throw methodNotAllowed(method);
        }
        if (path.size() == 2 && "change-lifecycle".equals(path.get(1)) && "POST".equals(method)) {
            return changeLifecycle(param(query, "apiId"), param(query, "action"));
        }
        if (path.size() == 2 && "import-asyncapi".equals(path.get(1)) && "POST".equals(method)) {
            return importAsyncApi(req);
        }
        if (path.size() == 3 && "asyncapi".equals(path.get(2)) && "GET".equals(method)) {
            ApiDefinition a = apis.get(path.get(1));
            if (a == null) {
                throw BadRequest.notFound("API " + path.get(1));
            }
            return json(200, AsyncApi.fromApi(a));
        }
        ApiDefinition a = apis.get(path.get(1));
        if (a == null) {
            throw BadRequest.notFound("API " + path.get(1));
        }
        if (path.size() > 2) {
            throw new BadRequest(404, null, "no such resource under /apis/" + a.id);
        }
        switch (method) {
            case "GET":
                return json(200, a.toJson());
            case "PUT": {
                ApiDefinition changed = ApiDefinition.from(body(req), a.id, a.status, tierNames());
                unique(changed, a.id);
                saveDoc("apis", a.id, changed.toJson());
                apis.put(a.id, changed);
                if (a.deployed()) {
                    // a changed path or name: connections opened under the old one are of an API that is gone
                    if (!a.path().equals(changed.path()) || !a.name.equals(changed.name)) {
                        closeApi(a, "API changed");
                    }
                    deployer.deploy(deployed());
                }
                applyDirectory();
                return json(200, changed.toJson());
            }
            case "DELETE": {
                long subs = subscriptions.values().stream().filter(s -> a.id.equals(s.get("apiId"))).count();
                if (subs > 0) {
                    throw BadRequest.conflict(null, "API " + a.name + " " + a.version + " has " + subs
                            + " subscription(s); remove them (or retire the API) first");
                }
                deleteDoc("apis", a.id);
                apis.remove(a.id);
                if (a.deployed()) {
                    deployer.deploy(deployed());
                    closeApi(a, "API deleted");
                }
                log.info("management: API " + a.name + " " + a.version + " deleted");
                return json(200, Map.of("id", a.id));
            }
            default:
                throw methodNotAllowed(method);
        }
    }

    /**
     * {@code POST /apis/import-asyncapi}: WSO2's multipart form ({@code file}, {@code additionalProperties}
     * JSON), or the document itself as the body; creates the API (status CREATED) with a topic per channel.
     */
    private HttpReply importAsyncApi(FullHttpRequest req) throws BadRequest, IOException {
        String document = null;
        Map<String, Object> additional = new LinkedHashMap<>();
        String type = req.headers().get("Content-Type", "");
        if (type.toLowerCase().startsWith("multipart/form-data")) {
            io.netty.handler.codec.http.multipart.HttpPostRequestDecoder decoder;
            try {
                decoder = new io.netty.handler.codec.http.multipart.HttpPostRequestDecoder(
                        new io.netty.handler.codec.http.multipart.DefaultHttpDataFactory(false), req);
            } catch (RuntimeException e) {
                throw BadRequest.field("body", "is not a multipart form: " + e.getMessage());
            }
            try {
                for (io.netty.handler.codec.http.multipart.InterfaceHttpData d : decoder.getBodyHttpDatas()) {
                    if (!(d instanceof io.netty.handler.codec.http.multipart.HttpData)) {
                        continue;
                    }
                    String value = ((io.netty.handler.codec.http.multipart.HttpData) d).getString(StandardCharsets.UTF_8);
                    if ("file".equals(d.getName())) {
                        document = value;
                    } else if ("additionalProperties".equals(d.getName())) {
                        try {
                            additional = JSONObjectUtils.parse(value);
                        } catch (ParseException e) {
                            throw BadRequest.field("additionalProperties", "is not a JSON object: " + e.getMessage());
                        }
                    }
                }
            } catch (RuntimeException e) {
                throw BadRequest.field("body", "is not a multipart form: " + e.getMessage());
            } finally {
                decoder.destroy();
            }
        } else {
            document = req.content().toString(StandardCharsets.UTF_8);
        }
        if (document == null || document.trim().isEmpty()) {
            throw BadRequest.field("file", "is required: an AsyncAPI 2.x or 3.0 document, YAML or JSON");
        }
        Map<String, Object> json = AsyncApi.toApi(AsyncApi.parse(document), additional);
        ApiDefinition a = ApiDefinition.from(json, UUID.randomUUID().toString(), ApiDefinition.Status.CREATED, tierNames());
        unique(a, null);
        saveDoc("apis", a.id, a.toJson());
        apis.put(a.id, a);
        log.info("management: API " + a.name + " " + a.version + " imported from AsyncAPI (" + a.operations.size() + " topic(s))");
        return json(201, a.toJson()).header("Location", PUBLISHER + "/apis/" + a.id);
    }

    /**
     * The publisher's {@code POST /subscriptions/block-subscription?subscriptionId=&blockState=BLOCKED} (and
     * {@code unblock-subscription}): a blocked subscription lets no handshake through (403) and its open
     * connections close with 1008; WSO2's {@code PROD_ONLY_BLOCKED} blocks the sandbox keys only.
     */
    /**
     * WSO2's {@code POST /apis/validate-endpoint?endpointUrl=}, made to work for WebSocket endpoints: the gateway
     * opens a WebSocket to the URL (5 seconds at most), closes it with 1000, and says what happened.
     */
    private volatile java.net.http.HttpClient endpointTester;

    /**
     * The client of the endpoint test: it trusts what the {@code wss} transport sender trusts (its
     * {@code ws.trust.store} in axis2.xml, else the JVM's default), so that the test answers as the gateway would.
     */
    private java.net.http.HttpClient endpointTester() {
        java.net.http.HttpClient c = endpointTester;
        if (c != null) {
            return c;
        }
        java.net.http.HttpClient.Builder b = java.net.http.HttpClient.newBuilder().connectTimeout(java.time.Duration.ofSeconds(5));
        try {
            org.apache.axis2.description.TransportOutDescription out = ((org.apache.synapse.core.axis2.Axis2SynapseEnvironment) env)
                    .getAxis2ConfigurationContext().getAxisConfiguration().getTransportOut("wss");
            org.apache.axis2.description.Parameter trust = out == null ? null : out.getParameter("ws.trust.store");
            org.apache.axiom.om.OMElement el = trust == null ? null : trust.getParameterElement();
            org.apache.axiom.om.OMElement location = el == null ? null
                    : el.getFirstChildWithName(new javax.xml.namespace.QName("ws.trust.store.location"));
            org.apache.axiom.om.OMElement password = el == null ? null
                    : el.getFirstChildWithName(new javax.xml.namespace.QName("ws.trust.store.Password"));
            if (location != null) {
                KeyStore ks = KeyStore.getInstance("PKCS12"); // reads JKS too
                char[] pass = password == null ? null : password.getText().trim().toCharArray();
                try (InputStream in = new FileInputStream(io.synapsews.transport.config.ServerHome.resolve(runtime.config().home(),
                        location.getText().trim()))) {
                    ks.load(in, pass);
                }
                javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance(
                        javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(ks);
                javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLS");
                // the sender's own trust manager: PKIX does not check a trust anchor's dates, the sender does
                ctx.init(null, new javax.net.ssl.TrustManager[] {io.synapsews.transport.config.ValidityCheckingTrustManager.of(tmf)}, null);
                b.sslContext(ctx);
            }
        } catch (Exception e) {
            // the sender itself refuses to start with such a trust store, and says why; the test then trusts the JVM's defaults
            log.warn("management: endpoint tests use the JVM's default trust: the wss sender's trust store cannot be read: "
                    + e.getMessage());
        }
        c = b.build();
        endpointTester = c;
        return c;
    }

    private Map<String, Object> validateEndpoint(String url) throws BadRequest {
        java.net.URI uri;
        try {
            uri = url == null ? null : new java.net.URI(url);
        } catch (java.net.URISyntaxException e) {
            throw BadRequest.field("endpointUrl", "is not a URL: " + e.getMessage());
        }
        if (uri == null || uri.getHost() == null || !("ws".equals(uri.getScheme()) || "wss".equals(uri.getScheme()))) {
            throw BadRequest.field("endpointUrl", "must be a ws:// or wss:// URL");
        }
        Map<String, Object> out = new LinkedHashMap<>();
        try {
            java.net.http.WebSocket ws = endpointTester().newWebSocketBuilder().connectTimeout(java.time.Duration.ofSeconds(5))
                    .buildAsync(uri, new java.net.http.WebSocket.Listener() { }).get(5, java.util.concurrent.TimeUnit.SECONDS);
            ws.sendClose(1000, "endpoint test").get(5, java.util.concurrent.TimeUnit.SECONDS);
            ws.abort();
            out.put("statusCode", 101);
            out.put("statusMessage", "Switching Protocols: the endpoint accepted a WebSocket handshake");
            out.put("isURLValid", true);
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof java.net.http.WebSocketHandshakeException) {
                int status = ((java.net.http.WebSocketHandshakeException) cause).getResponse().statusCode();
                out.put("statusCode", status);
                out.put("statusMessage", "the endpoint answered the handshake with HTTP " + status);
            } else {
                out.put("statusCode", 0);
                out.put("statusMessage", "cannot connect: " + (cause == null ? e : cause).getClass().getSimpleName()
                        + (cause != null && cause.getMessage() != null ? ": " + cause.getMessage() : ""));
            }
            out.put("isURLValid", false);
        } catch (java.util.concurrent.TimeoutException e) {
            out.put("statusCode", 0);
            out.put("statusMessage", "no handshake answer within 5 seconds");
            out.put("isURLValid", false);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            out.put("statusCode", 0);
            out.put("statusMessage", "interrupted");
            out.put("isURLValid", false);
        }
        return out;
    }

    private HttpReply blockSubscription(String id, String state) throws BadRequest, IOException {
        Map<String, Object> s = id == null ? null : subscriptions.get(id);
        if (s == null) {
            throw id == null ? BadRequest.field("subscriptionId", "is required") : BadRequest.notFound("subscription " + id);
        }
        if (!"BLOCKED".equals(state) && !"PROD_ONLY_BLOCKED".equals(state) && !"UNBLOCKED".equals(state)) {
            throw BadRequest.field("blockState", "must be BLOCKED or PROD_ONLY_BLOCKED, not " + state);
        }
        s.put("status", state);
        saveDoc("subscriptions", id, s);
        applyDirectory();
        ApiDefinition api = apis.get(String.valueOf(s.get("apiId")));
        Map<String, Object> app = applications.get(String.valueOf(s.get("applicationId")));
        if (!"UNBLOCKED".equals(state) && api != null && app != null) {
            boolean sandboxOnly = "PROD_ONLY_BLOCKED".equals(state);
            closeApplication(app, api, sandboxOnly ? GatewayConfig.SANDBOX : null, null, "subscription blocked");
        }
        return json(200, s);
    }

    private HttpReply changeLifecycle(String apiId, String action) throws BadRequest, IOException {
        if (apiId == null) {
            throw BadRequest.field("apiId", "is required");
        }
        ApiDefinition a = apis.get(apiId);
        if (a == null) {
            throw BadRequest.notFound("API " + apiId);
        }
        ApiDefinition.Status to;
        switch (action == null ? "" : action) {
            case "Publish":
            case "Re-Publish":
                to = ApiDefinition.Status.PUBLISHED;
                break;
            case "Block":
                to = ApiDefinition.Status.BLOCKED;
                break;
            case "Deprecate":
                to = ApiDefinition.Status.DEPRECATED;
                break;
            case "Retire":
                to = ApiDefinition.Status.RETIRED;
                break;
            case "Demote to Created":
                to = ApiDefinition.Status.CREATED;
                break;
            default:
                throw BadRequest.field("action", "must be Publish, Block, Deprecate, Retire or Demote to Created, not " + action);
        }
        if (a.status == ApiDefinition.Status.RETIRED && to != ApiDefinition.Status.RETIRED) {
            throw BadRequest.field("action", "a retired API cannot be " + action + "ed");
        }
        ApiDefinition changed = a.withStatus(to);
        saveDoc("apis", a.id, changed.toJson());
        apis.put(a.id, changed);
        if (a.deployed() != changed.deployed()) {
            deployer.deploy(deployed());
            if (!changed.deployed()) {
                closeApi(a, "API " + to.name().toLowerCase());
            }
        }
        log.info("management: API " + a.name + " " + a.version + " " + a.status + " -> " + to);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("workflowStatus", "APPROVED");
        body.put("lifecycleState", Map.of("state", lifecycleName(to)));
        return json(200, body);
    }

    private static String lifecycleName(ApiDefinition.Status s) {
        String n = s.name();
        return n.charAt(0) + n.substring(1).toLowerCase();
    }

    private static boolean matches(ApiDefinition a, String q) {
        if (q == null || q.isEmpty()) {
            return true;
        }
        String v = q.contains(":") ? q.substring(q.indexOf(':') + 1) : q;
        String field = q.contains(":") ? q.substring(0, q.indexOf(':')) : "";
        switch (field) {
            case "name":
                return a.name.equalsIgnoreCase(v);
            case "context":
                return a.context.equalsIgnoreCase(v);
            case "version":
                return a.version.equals(v);
            case "status":
                return a.status.name().equalsIgnoreCase(v);
            default:
                return a.name.toLowerCase().contains(v.toLowerCase()) || a.context.toLowerCase().contains(v.toLowerCase());
        }
    }

    /** Refuses a second API with the same context and version, or the same name and version. */
    private void unique(ApiDefinition a, String self) throws BadRequest {
        for (ApiDefinition other : apis.values()) {
            if (other.id.equals(self)) {
                continue;
            }
            if (other.path().equals(a.path())) {
                throw BadRequest.conflict("context", "API " + other.name + " already uses context " + a.context
                        + " with version " + a.version);
            }
            if (other.name.equals(a.name) && other.version.equals(a.version)) {
                throw BadRequest.conflict("name", "an API " + a.name + " " + a.version + " exists");
            }
        }
    }

    private Collection<ApiDefinition> deployed() {
        return apis.values().stream().filter(ApiDefinition::deployed).collect(java.util.stream.Collectors.toList());
    }

    private void closeApi(ApiDefinition a, String why) {
        close(closing(null, a.name, a.version, null, null, settings.closeCode, why));
    }

    // ---- DevPortal v3

    private HttpReply devportal(FullHttpRequest req, String method, List<String> path, Map<String, List<String>> query)
            throws BadRequest, IOException {
        String top = path.isEmpty() ? "" : path.get(0);
        switch (top) {
            case "apis":
                return storeApis(method, path);
            case "applications":
                return applications(req, method, path);
            case "subscriptions":
                return subscriptions(req, method, path, query);
            default:
                throw new BadRequest(404, null, "no such resource; the developer portal has /apis, /applications and /subscriptions");
        }
    }

    private HttpReply storeApis(String method, List<String> path) throws BadRequest {
        if (!"GET".equals(method)) {
            throw methodNotAllowed(method);
        }
        if (path.size() == 1) {
            List<Map<String, Object>> out = new ArrayList<>();
            for (ApiDefinition a : deployed()) {
                out.add(storeView(a));
            }
            return list(out);
        }
        ApiDefinition a = apis.get(path.get(1));
        if (a == null || !a.deployed() || path.size() > 2) {
            throw BadRequest.notFound("API " + path.get(1));
        }
        return json(200, storeView(a));
    }

    /** What the developer portal shows of an API: no endpoints, but the URLs to connect to. */
    private Map<String, Object> storeView(ApiDefinition a) {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("id", a.id);
        j.put("name", a.name);
        j.put("context", a.context);
        j.put("version", a.version);
        j.put("type", "WS");
        j.put("lifeCycleStatus", a.status.name());
        j.put("throttlingPolicies", a.policies);
        Map<String, Object> urls = new LinkedHashMap<>();
        urls.put("ws", settings.wsUrl + a.path());
        urls.put("wss", settings.wssUrl + a.path());
        Map<String, Object> env0 = new LinkedHashMap<>();
        env0.put("environmentName", "Default");
        env0.put("environmentDisplayName", "Default");
        env0.put("URLs", urls);
        j.put("endpointURLs", List.of(env0));
        return j;
    }

    private HttpReply applications(FullHttpRequest req, String method, List<String> path) throws BadRequest, IOException {
        if (path.size() == 1) {
            if ("GET".equals(method)) {
                List<Map<String, Object>> out = new ArrayList<>();
                for (Map<String, Object> a : applications.values()) {
                    out.add(applicationView(a));
                }
                return list(out);
            }
            if ("POST".equals(method)) {
                Map<String, Object> b = body(req);
                Object name = b.get("name");
                if (!(name instanceof String) || !((String) name).matches("[A-Za-z0-9][A-Za-z0-9 _.-]{0,69}")) {
                    throw BadRequest.field("name", "is required: 1-70 letters, digits, spaces, '_', '.' or '-'");
                }
                String n = ((String) name).trim();
                if (runtime.directory().applications().containsKey(n)) {
                    throw BadRequest.conflict("name", "an application " + n + " exists");
                }
                Object policy = b.getOrDefault("throttlingPolicy", "Unlimited");
                Map<String, Object> app = new LinkedHashMap<>();
                app.put("applicationId", UUID.randomUUID().toString());
                app.put("name", n);
                app.put("throttlingPolicy", String.valueOf(policy));
                app.put("description", b.get("description") instanceof String ? b.get("description") : "");
                app.put("owner", settings.adminUser);
                app.put("status", "APPROVED");
                app.put("keys", new ArrayList<>());
                save(app);
                log.info("management: application " + n + " created");
                return json(201, applicationView(app));
            }
            throw methodNotAllowed(method);
        }
        Map<String, Object> app = applications.get(path.get(1));
        if (app == null) {
            throw BadRequest.notFound("application " + path.get(1));
        }
        if (path.size() == 2) {
            if ("GET".equals(method)) {
                return json(200, applicationView(app));
            }
            if ("DELETE".equals(method)) {
                String id = String.valueOf(app.get("applicationId"));
                for (String s : new ArrayList<>(subscriptions.keySet())) {
                    if (id.equals(subscriptions.get(s).get("applicationId"))) {
                        deleteDoc("subscriptions", s);
                        subscriptions.remove(s);
                    }
                }
                deleteDoc("applications", id);
                applications.remove(id);
                applyDirectory();
                closeApplication(app, null, null, null, "application deleted");
                return json(200, Map.of("applicationId", id));
            }
            throw methodNotAllowed(method);
        }
        if (path.size() == 3 && "generate-keys".equals(path.get(2)) && "POST".equals(method)) {
            Map<String, Object> b = body(req);
            Object type = b.get("keyType");
            if (!GatewayConfig.PRODUCTION.equals(type) && !GatewayConfig.SANDBOX.equals(type)) {
                throw BadRequest.field("keyType", "must be PRODUCTION or SANDBOX");
            }
            for (Map<String, Object> k : keys(app)) {
                if (type.equals(k.get("keyType"))) {
                    throw BadRequest.conflict("keyType", "the application has " + type + " keys already; regenerate its secret instead");
                }
            }
            String secret = secret();
            Map<String, Object> k = new LinkedHashMap<>();
            k.put("keyMappingId", UUID.randomUUID().toString());
            k.put("keyType", type);
            k.put("consumerKey", token(24));
            k.put("secretHash", Application.Keys.hashed(secret));
            k.put("secretGeneration", 0L);
            keys(app).add(k);
            save(app);
            Map<String, Object> out = keyView(k);
            out.put("consumerSecret", secret); // shown once
            return json(200, out);
        }
        if (path.size() == 5 && "oauth-keys".equals(path.get(2)) && "regenerate-secret".equals(path.get(4)) && "POST".equals(method)) {
            Map<String, Object> k = null;
            for (Map<String, Object> candidate : keys(app)) {
                if (path.get(3).equals(candidate.get("keyMappingId"))) {
                    k = candidate;
                }
            }
            if (k == null) {
                throw BadRequest.notFound("key mapping " + path.get(3));
            }
            String secret = secret();
            k.put("secretHash", Application.Keys.hashed(secret));
            // the tokens of the old secret die with it: they carry the old generation
            Object generation = k.get("secretGeneration");
            k.put("secretGeneration", (generation instanceof Number ? ((Number) generation).longValue() : 0) + 1);
            save(app);
            String consumerKey = String.valueOf(k.get("consumerKey"));
            closeApplication(app, null, null, consumerKey, "consumer secret regenerated");
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("consumerKey", consumerKey);
            out.put("consumerSecret", secret);
            return json(200, out);
        }
        throw new BadRequest(404, null, "no such resource under /applications/" + app.get("applicationId"));
    }

    @SuppressWarnings("unchecked") // our own documents: keys is a list of objects
    private static List<Map<String, Object>> keys(Map<String, Object> app) {
        Object k = app.get("keys");
        if (!(k instanceof List)) {
            k = new ArrayList<>();
            app.put("keys", k);
        }
        return (List<Map<String, Object>>) k;
    }

    private Map<String, Object> applicationView(Map<String, Object> app) {
        Map<String, Object> j = new LinkedHashMap<>(app);
        List<Object> keys = new ArrayList<>();
        for (Map<String, Object> k : keys(app)) {
            keys.add(keyView(k));
        }
        j.put("keys", keys);
        String id = String.valueOf(app.get("applicationId"));
        j.put("subscriptionCount", subscriptions.values().stream().filter(s -> id.equals(s.get("applicationId"))).count());
        return j;
    }

    private static Map<String, Object> keyView(Map<String, Object> k) {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("keyMappingId", k.get("keyMappingId"));
        j.put("keyManager", "Resident Key Manager");
        j.put("keyType", k.get("keyType"));
        j.put("consumerKey", k.get("consumerKey"));
        j.put("keyState", "COMPLETED");
        j.put("supportedGrantTypes", List.of("client_credentials"));
        return j;
    }

    private void save(Map<String, Object> app) throws IOException {
        String id = String.valueOf(app.get("applicationId"));
        saveDoc("applications", id, app);
        applications.put(id, app);
        applyDirectory();
    }

    /** Closes with 1008 the connections of {@code app}, of the API {@code api} if given, with these keys if given. */
    private void closeApplication(Map<String, Object> app, ApiDefinition api, String keyType, String consumerKey, String why) {
        close(closing(String.valueOf(app.get("name")), api == null ? null : api.name, api == null ? null : api.version, keyType,
                consumerKey, CloseCodes.POLICY_VIOLATION, why));
    }

    private HttpReply subscriptions(FullHttpRequest req, String method, List<String> path, Map<String, List<String>> query)
            throws BadRequest, IOException {
        if (path.size() == 1) {
            if ("GET".equals(method)) {
                String appId = param(query, "applicationId");
                String apiId = param(query, "apiId");
                List<Map<String, Object>> out = new ArrayList<>();
                for (Map<String, Object> s : subscriptions.values()) {
                    if ((appId == null || appId.equals(s.get("applicationId"))) && (apiId == null || apiId.equals(s.get("apiId")))) {
                        out.add(s);
                    }
                }
                return list(out);
            }
            if ("POST".equals(method)) {
                Map<String, Object> b = body(req);
                ApiDefinition api = apis.get(String.valueOf(b.get("apiId")));
                if (api == null || api.status != ApiDefinition.Status.PUBLISHED) {
                    throw BadRequest.field("apiId", api == null ? "names no API" : "names an API that is " + api.status
                            + "; only published APIs take subscriptions");
                }
                Map<String, Object> app = applications.get(String.valueOf(b.get("applicationId")));
                if (app == null) {
                    throw BadRequest.field("applicationId", "names no application");
                }
                Object tier = b.get("throttlingPolicy");
                if (!(tier instanceof String) || !api.policies.contains(tier)) {
                    throw BadRequest.field("throttlingPolicy", "must be one of the API's tiers " + api.policies);
                }
                for (Map<String, Object> s : subscriptions.values()) {
                    if (api.id.equals(s.get("apiId")) && app.get("applicationId").equals(s.get("applicationId"))) {
                        throw BadRequest.conflict("apiId", "the application is subscribed to " + api.name + " " + api.version);
                    }
                }
                Map<String, Object> s = new LinkedHashMap<>();
                s.put("subscriptionId", UUID.randomUUID().toString());
                s.put("applicationId", app.get("applicationId"));
                s.put("apiId", api.id);
                s.put("throttlingPolicy", tier);
                s.put("status", "UNBLOCKED");
                saveDoc("subscriptions", String.valueOf(s.get("subscriptionId")), s);
                subscriptions.put(String.valueOf(s.get("subscriptionId")), s);
                applyDirectory();
                return json(201, s);
            }
            throw methodNotAllowed(method);
        }
        Map<String, Object> s = subscriptions.get(path.get(1));
        if (s == null || path.size() > 2) {
            throw BadRequest.notFound("subscription " + path.get(1));
        }
        if ("GET".equals(method)) {
            return json(200, s);
        }
        if ("DELETE".equals(method)) {
            String id = String.valueOf(s.get("subscriptionId"));
            deleteDoc("subscriptions", id);
            subscriptions.remove(id);
            applyDirectory();
            ApiDefinition api = apis.get(String.valueOf(s.get("apiId")));
            Map<String, Object> app = applications.get(String.valueOf(s.get("applicationId")));
            if (api != null && app != null) {
                closeApplication(app, api, null, null, "subscription removed");
            }
            return json(200, Map.of("subscriptionId", id));
        }
        throw methodNotAllowed(method);
    }

    // ---- Admin v4: subscription tiers

    private HttpReply admin(FullHttpRequest req, String method, List<String> path, Map<String, List<String>> query)
            throws BadRequest, IOException {
        if (List.of("metrics").equals(path) && "GET".equals(method)) {
            // the gateway's Prometheus metrics on this port, for the console's dashboard (same origin, same credentials)
            return HttpReply.text(200, runtime.metrics().render()).header("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
        }
        if (!List.of("throttling", "policies", "subscription").equals(path)) {
            throw new BadRequest(404, null, "no such resource; the admin API has /throttling/policies/subscription and /metrics");
        }
        if ("GET".equals(method)) {
            List<Map<String, Object>> out = new ArrayList<>();
            for (Tier t : runtime.directory().tiers().values()) {
                out.add(tierView(t));
            }
            return list(out);
        }
        if ("POST".equals(method)) {
            Tier t = tier(body(req));
            if (runtime.directory().tiers().containsKey(t.name())) {
                throw BadRequest.conflict("policyName", "a tier " + t.name() + " exists");
            }
            saveDoc("tiers", UUID.nameUUIDFromBytes(t.name().getBytes(StandardCharsets.UTF_8)).toString(), tierView(t));
            tiers.put(t.name(), t);
            applyDirectory();
            return json(201, tierView(t));
        }
        throw methodNotAllowed(method);
    }

    /** A tier from WSO2's SubscriptionThrottlePolicy: policyName and defaultLimit.requestCount (per minute). */
    private static Tier tier(Map<String, Object> j) throws BadRequest {
        Object name = j.get("policyName");
        if (!(name instanceof String) || !((String) name).matches("[A-Za-z0-9_-]{1,60}")) {
            throw BadRequest.field("policyName", "is required: 1-60 letters, digits, '_' or '-'");
        }
        long messages = 0;
        long bytes = 0;
        Object limit = j.get("defaultLimit");
        if (limit instanceof Map) {
            Object rc = ((Map<?, ?>) limit).get("requestCount");
            Object bw = ((Map<?, ?>) limit).get("bandwidth");
            if (rc instanceof Map) {
                messages = perMinute((Map<?, ?>) rc, "requestCount", "defaultLimit.requestCount.requestCount");
            }
            if (bw instanceof Map) {
                bytes = perMinute((Map<?, ?>) bw, "dataAmount", "defaultLimit.bandwidth.dataAmount");
            }
        }
        return new Tier((String) name, messages, bytes);
    }

    private static long perMinute(Map<?, ?> limit, String amount, String field) throws BadRequest {
        Object n = limit.get(amount);
        if (!(n instanceof Number) || ((Number) n).longValue() < 0) {
            throw BadRequest.field(field, "must be a number of at least 0");
        }
        Object unit = limit.get("timeUnit") == null ? "min" : limit.get("timeUnit");
        Object per = limit.get("unitTime") == null ? Integer.valueOf(1) : limit.get("unitTime");
        if (!"min".equals(unit) || !(per instanceof Number) || ((Number) per).longValue() != 1) {
            throw BadRequest.field(field, "only limits per minute (timeUnit min, unitTime 1) are supported");
        }
        return ((Number) n).longValue();
    }

    private static Map<String, Object> tierView(Tier t) {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("policyName", t.name());
        j.put("displayName", t.name());
        Map<String, Object> limit = new LinkedHashMap<>();
        limit.put("type", "REQUESTCOUNTLIMIT");
        limit.put("requestCount", Map.of("timeUnit", "min", "unitTime", 1, "requestCount", t.messagesPerMinute()));
        if (t.bytesPerMinute() > 0) {
            limit.put("bandwidth", Map.of("timeUnit", "min", "unitTime", 1, "dataAmount", t.bytesPerMinute(), "dataUnit", "B"));
        }
        j.put("defaultLimit", limit);
        return j;
    }

    // ---- the directory

    private java.util.Set<String> tierNames() {
        java.util.Set<String> names = new java.util.LinkedHashSet<>(runtime.config().directory().tiers().keySet());
        names.addAll(tiers.keySet());
        return names;
    }

    /** The file's applications and tiers plus the managed ones, with subscriptions to APIs that exist. */
    private void applyDirectory() {
        Directory base = runtime.config().directory();
        Map<String, Tier> allTiers = new LinkedHashMap<>(base.tiers());
        allTiers.putAll(tiers);
        List<Application> apps = new ArrayList<>(base.applications().values());
        for (Map<String, Object> a : applications.values()) {
            String id = String.valueOf(a.get("applicationId"));
            Map<String, Application.Keys> keys = new LinkedHashMap<>();
            for (Map<String, Object> k : keys(a)) {
                String type = String.valueOf(k.get("keyType"));
                Object generation = k.get("secretGeneration");
                keys.put(type, new Application.Keys(type, String.valueOf(k.get("consumerKey")), String.valueOf(k.get("secretHash")),
                        generation instanceof Number ? ((Number) generation).longValue() : 0));
            }
            List<Application.Subscription> subs = new ArrayList<>();
            // its tokens may carry the scopes of the topics of the APIs it is subscribed to
            java.util.Set<String> scopes = new java.util.LinkedHashSet<>();
            for (Map<String, Object> s : subscriptions.values()) {
                ApiDefinition api = apis.get(String.valueOf(s.get("apiId")));
                // a blocked subscription stays in the directory so that wsAuth can say so (403 subscription_blocked)
                if (id.equals(s.get("applicationId")) && api != null) {
                    String state = String.valueOf(s.getOrDefault("status", "UNBLOCKED"));
                    subs.add(new Application.Subscription(api.name, api.version, String.valueOf(s.get("throttlingPolicy")), state));
                    if (!"BLOCKED".equals(state)) {
                        scopes.addAll(api.scopes());
                    }
                }
            }
            apps.add(new Application(String.valueOf(a.get("name")), String.valueOf(a.get("owner")), 0, keys, subs, scopes));
        }
        runtime.updateDirectory(d -> new Directory(allTiers, apps));
    }

    private String secret() {
        return token(32);
    }

    /** {@code bytes} random bytes, URL-safe base64 without padding. */
    private String token(int bytes) {
        byte[] b = new byte[bytes];
        random.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
