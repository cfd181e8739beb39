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
            for (Object o : (List<?>) ops) {
                if (!(o instanceof Map) || !(((Map<?, ?>) o).get("target") instanceof String)) {
                    throw BadRequest.field("operations", "each topic needs a target, like /rooms/{room}");
                }
                Map<String, Object> op = new LinkedHashMap<>();
                ((Map<?, ?>) o).forEach((k, v) -> op.put(String.valueOf(k), v));
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
