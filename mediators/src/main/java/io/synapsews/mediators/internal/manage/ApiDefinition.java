package io.synapsews.mediators.internal.manage;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A WebSocket API as the publisher REST API (WSO2 API-M Publisher v4's {@code APIDTO}, the fields we
 * share) describes it: name, context and version, its production and sandbox backends, the tiers
 * (policies) subscriptions may use, its topics (operations), and where it is in its life cycle.
 */
final class ApiDefinition {

    enum Status { CREATED, PUBLISHED, BLOCKED, DEPRECATED, RETIRED }

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,59}");
    private static final Pattern CONTEXT = Pattern.compile("(/[A-Za-z0-9._~-]+)+");
    private static final Pattern VERSION = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,29}");

    final String id;
    final String name;
    final String context;
    final String version;
    final String description;
    final String productionUrl;
    final String sandboxUrl;
    final List<String> policies;
    final List<Map<String, Object>> operations;
    final Status status;

    private ApiDefinition(String id, String name, String context, String version, String description, String productionUrl,
                          String sandboxUrl, List<String> policies, List<Map<String, Object>> operations, Status status) {
        this.id = id;
        this.name = name;
        this.context = context;
        this.version = version;
        this.description = description;
        this.productionUrl = productionUrl;
        this.sandboxUrl = sandboxUrl;
        this.policies = Collections.unmodifiableList(policies);
        this.operations = Collections.unmodifiableList(operations);
        this.status = status;
    }

    /** Reads and checks a request body (or a stored file); {@code knownTiers} are the tiers that exist. */
    static ApiDefinition from(Map<String, Object> json, String id, Status status, java.util.Set<String> knownTiers)
            throws BadRequest {
        String name = text(json, "name", true);
        if (!NAME.matcher(name).matches()) {
            throw BadRequest.field("name", "must be 1-60 letters, digits, '_', '.' or '-', starting with a letter or digit");
        }
        String context = text(json, "context", true);
        if (!context.startsWith("/")) {
            context = "/" + context; // the publisher accepts "echowebsocket" as WSO2's does
        }
        if (!CONTEXT.matcher(context).matches() || context.length() > 200) {
            throw BadRequest.field("context", "must be a path of letters, digits and '._~-' segments, like /echowebsocket");
        }
        String version = text(json, "version", true);
        if (!VERSION.matcher(version).matches()) {
            throw BadRequest.field("version", "must be 1-30 letters, digits, '.', '_' or '-'");
        }
        if (context.endsWith("/" + version)) {
            throw BadRequest.field("context", "must not end with the version: the gateway adds /" + version);
        }
        Object type = json.get("type");
        if (type != null && !"WS".equals(type)) {
            throw BadRequest.field("type", "only WS APIs are supported, not " + type);
        }
        Object ec = json.get("endpointConfig");
        if (!(ec instanceof Map)) {
            throw BadRequest.field("endpointConfig", "is required, with production_endpoints.url");
        }
        Map<?, ?> endpointConfig = (Map<?, ?>) ec;
        String production = url(endpointConfig, "production_endpoints", true);
        String sandbox = url(endpointConfig, "sandbox_endpoints", false);
        List<String> policies = new ArrayList<>();
        Object p = json.get("policies");
        if (p != null) {
            if (!(p instanceof List)) {
                throw BadRequest.field("policies", "must be a list of tier names");
            }
            for (Object t : (List<?>) p) {
                if (!(t instanceof String) || !knownTiers.contains(t)) {
                    throw BadRequest.field("policies", "unknown tier " + t + " (known: " + knownTiers + ")");
                }
                if (!policies.contains(t)) {
                    policies.add((String) t);
                }
            }
        }
        if (policies.isEmpty()) {
            policies.add("Unlimited");
        }
        List<Map<String, Object>> operations = new ArrayList<>();
        Object ops = json.get("operations");
        if (ops != null) {
            if (!(ops instanceof List)) {
                throw BadRequest.field("operations", "must be a list of topics");
            }
            java.util.Set<String> targets = new java.util.HashSet<>();
            for (Object o : (List<?>) ops) {
                Map<String, Object> op = topic(o);
                if (!targets.add(String.valueOf(op.get("target")).replaceAll("\\{[^}]+}", "{}"))) {
                    throw BadRequest.field("operations.target", "topic " + op.get("target") + " is defined twice");
                }
                operations.add(op);
            }
        }
        String description = json.get("description") instanceof String ? (String) json.get("description") : null;
        return new ApiDefinition(id, name, context, version, description, production, sandbox, policies, operations, status);
    }

    /** The stored form: what the publisher answers, plus the life cycle state. */
    Map<String, Object> toJson() {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("id", id);
        j.put("name", name);
        j.put("context", context);
        j.put("version", version);
        if (description != null) {
            j.put("description", description);
        }
        j.put("type", "WS");
        j.put("transport", List.of("ws", "wss"));
        j.put("lifeCycleStatus", status.name());
        j.put("policies", policies);
        Map<String, Object> ec = new LinkedHashMap<>();
        ec.put("endpoint_type", "ws");
        ec.put("production_endpoints", Map.of("url", productionUrl));
        if (sandboxUrl != null) {
            ec.put("sandbox_endpoints", Map.of("url", sandboxUrl));
        }
        j.put("endpointConfig", ec);
        j.put("operations", operations);
        return j;
    }

    ApiDefinition withStatus(Status s) {
        return new ApiDefinition(id, name, context, version, description, productionUrl, sandboxUrl, policies, operations, s);
    }

    /** Deployed in the gateway: published or deprecated (deprecated APIs keep serving, take no new subscriptions). */
    boolean deployed() {
        return status == Status.PUBLISHED || status == Status.DEPRECATED;
    }

    /** The path clients connect to: context then version. */
    String path() {
        return context + "/" + version;
    }

    String endpointName(String keyType) {
        return name + "--" + version + "--" + keyType;
    }

    /** The endpoint of topic number {@code i} for a key type. */
    String endpointName(String keyType, int topic) {
        return endpointName(keyType) + "--topic" + topic;
    }

    /** Every scope a topic of this API names. */
    java.util.Set<String> scopes() {
        java.util.Set<String> out = new java.util.LinkedHashSet<>();
        for (Map<String, Object> op : operations) {
            for (Object s : (List<?>) op.get("scopes")) {
                out.add(String.valueOf(s));
            }
        }
        return out;
    }

    private static final Pattern TARGET = Pattern.compile("(/([A-Za-z0-9._~-]+|\\{[A-Za-z][A-Za-z0-9_]{0,30}}))+");
    private static final Pattern MAPPING = Pattern.compile("(/([A-Za-z0-9._~-]+|\\{uri\\.var\\.[A-Za-z][A-Za-z0-9_]{0,30}}))*/?");
    private static final Pattern SCOPE = Pattern.compile("[\\x21\\x23-\\x5B\\x5D-\\x7E]{1,100}");

    /**
     * A topic (WSO2's operation of a WebSocket API): {@code target} under the API's path (a variable
     * {@code {room}} stands for one segment), {@code verb} SUBSCRIBE or PUBLISH, {@code scopes} of which a
     * token needs one, and {@code uriMapping}, the backend path (default: the target), where
     * {@code {uri.var.room}} (or {@code {room}}) is the segment the client sent.
     */
    private static Map<String, Object> topic(Object o) throws BadRequest {
        if (!(o instanceof Map) || !(((Map<?, ?>) o).get("target") instanceof String)) {
            throw BadRequest.field("operations.target", "each topic needs a target, like /rooms/{room}");
        }
        Map<?, ?> in = (Map<?, ?>) o;
        String target = ((String) in.get("target")).trim();
        if (!TARGET.matcher(target).matches()) {
            throw BadRequest.field("operations.target", "'" + target + "' must be a path of segments and {variables}, like /rooms/{room}");
        }
        Object verb = in.get("verb") == null ? "SUBSCRIBE" : in.get("verb");
        if (!"SUBSCRIBE".equals(verb) && !"PUBLISH".equals(verb)) {
            throw BadRequest.field("operations.verb", "must be SUBSCRIBE or PUBLISH, not " + verb);
        }
        List<String> scopes = new ArrayList<>();
        Object sc = in.get("scopes");
        if (sc != null) {
            if (!(sc instanceof List)) {
                throw BadRequest.field("operations.scopes", "must be a list of scope names");
            }
            for (Object s : (List<?>) sc) {
                if (!(s instanceof String) || !SCOPE.matcher((String) s).matches()) {
                    throw BadRequest.field("operations.scopes", "'" + s + "' is not an OAuth2 scope token");
                }
                scopes.add((String) s);
            }
        }
        String mapping = in.get("uriMapping") instanceof String ? ((String) in.get("uriMapping")).trim() : target;
        mapping = mapping.replaceAll("\\{([A-Za-z][A-Za-z0-9_]*)}", "{uri.var.$1}");
        if (!mapping.startsWith("/")) {
            mapping = "/" + mapping;
        }
        if (!MAPPING.matcher(mapping).matches()) {
            throw BadRequest.field("operations.uriMapping", "'" + mapping + "' must be a path of segments and {uri.var.x}");
        }
        java.util.regex.Matcher vars = Pattern.compile("\\{uri\\.var\\.([A-Za-z0-9_]+)}").matcher(mapping);
        while (vars.find()) {
            if (!target.contains("{" + vars.group(1) + "}")) {
                throw BadRequest.field("operations.uriMapping", "{uri.var." + vars.group(1) + "} is not a variable of " + target);
            }
        }
        Map<String, Object> op = new LinkedHashMap<>();
        op.put("target", target);
        op.put("verb", verb);
        op.put("scopes", scopes);
        op.put("uriMapping", mapping);
        return op;
    }

    private static String text(Map<String, Object> json, String field, boolean required) throws BadRequest {
        Object v = json.get(field);
        if (v == null || (v instanceof String && ((String) v).trim().isEmpty())) {
            if (required) {
                throw BadRequest.field(field, "is required");
            }
            return null;
        }
        if (!(v instanceof String)) {
            throw BadRequest.field(field, "must be a string");
        }
        return ((String) v).trim();
    }

    private static String url(Map<?, ?> endpointConfig, String which, boolean required) throws BadRequest {
        String field = "endpointConfig." + which + ".url";
        Object e = endpointConfig.get(which);
        Object u = e instanceof Map ? ((Map<?, ?>) e).get("url") : null;
        if (u == null) {
            if (required) {
                throw BadRequest.field(field, "is required");
            }
            return null;
        }
        if (!(u instanceof String)) {
            throw BadRequest.field(field, "must be a string");
        }
        String s = ((String) u).trim();
        try {
            URI uri = new URI(s);
            if (!("ws".equals(uri.getScheme()) || "wss".equals(uri.getScheme())) || uri.getHost() == null) {
                throw BadRequest.field(field, "must be a ws:// or wss:// URL with a host, not " + s);
            }
        } catch (URISyntaxException ex) {
            throw BadRequest.field(field, "is not a URL: " + ex.getMessage());
        }
        return s;
    }
}
