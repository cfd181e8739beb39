package io.synapsews.mediators.internal.manage;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * AsyncAPI 2.x and 3.0 documents (YAML or JSON) as publisher API definitions, and back. A channel is a
 * topic: its path (2.x: the channel's key; 3.0: its {@code address}), the backend path
 * ({@code x-uri-mapping}, as WSO2 writes it), and the scopes its operations' security requirements name
 * (2.x: {@code security: [{scheme: [scopes]}]} on {@code subscribe}/{@code publish}; 3.0: the
 * {@code scopes} of the security schemes its operations list). Servers named {@code production} and
 * {@code sandbox} (else the first) give the endpoints; name, context and version come from
 * {@code additionalProperties} (as WSO2's import takes them), else from {@code info.title},
 * {@code x-wso2-basePath} and {@code info.version}.
 */
final class AsyncApi {

    private AsyncApi() {
    }

    /** Parses a document; YAML is a superset of JSON. Aliases, tags and deep nesting are refused (safe loader). */
    @SuppressWarnings("unchecked") // a YAML mapping is a map
    static Map<String, Object> parse(String text) throws BadRequest {
        LoaderOptions options = new LoaderOptions();
        options.setMaxAliasesForCollections(10);
        options.setNestingDepthLimit(64);
        options.setCodePointLimit(1024 * 1024);
        Object doc;
        try {
            doc = new Yaml(new SafeConstructor(options)).load(text);
        } catch (RuntimeException e) {
            throw BadRequest.field("file", "is not YAML or JSON: " + firstLine(e.getMessage()));
        }
        if (!(doc instanceof Map)) {
            throw BadRequest.field("file", "is not an AsyncAPI document (no mapping at its top)");
        }
        return (Map<String, Object>) doc;
    }

    /** The publisher's JSON of the API the document describes. */
    static Map<String, Object> toApi(Map<String, Object> doc, Map<String, Object> additional) throws BadRequest {
        String version = String.valueOf(doc.get("asyncapi"));
        boolean v3 = version.startsWith("3.");
        if (!v3 && !version.startsWith("2.")) {
            throw BadRequest.field("asyncapi", "must be 2.x or 3.0, not " + version);
        }
        Map<String, Object> info = map(doc.get("info"));
        Map<String, Object> api = new LinkedHashMap<>();
        api.put("name", additional.getOrDefault("name", info.get("title")));
        api.put("version", additional.getOrDefault("version", info.get("version") == null ? null : String.valueOf(info.get("version"))));
        Object context = additional.get("context");
        if (context == null && doc.get("x-wso2-basePath") instanceof String) {
            String base = (String) doc.get("x-wso2-basePath");
            String suffix = "/" + api.get("version");
            context = base.endsWith(suffix) ? base.substring(0, base.length() - suffix.length()) : base;
        }
        if (context == null) {
            throw BadRequest.field("context", "is required: in additionalProperties, or x-wso2-basePath in the document");
        }
        api.put("context", context);
        api.put("type", "WS");
        if (info.get("description") instanceof String) {
            api.put("description", info.get("description"));
        }
        if (additional.containsKey("endpointConfig")) {
            api.put("endpointConfig", additional.get("endpointConfig"));
        } else {
            Map<String, Object> servers = map(doc.get("servers"));
            Map<String, Object> ec = new LinkedHashMap<>();
            String production = server(servers, "production", v3);
            String sandbox = server(servers, "sandbox", v3);
            if (production == null) {
                production = servers.isEmpty() ? null : server(servers, servers.keySet().iterator().next(), v3);
            }
            if (production != null) {
                ec.put("production_endpoints", Map.of("url", production));
            }
            if (sandbox != null) {
                ec.put("sandbox_endpoints", Map.of("url", sandbox));
            }
            api.put("endpointConfig", ec);
        }
        if (additional.containsKey("policies")) {
            api.put("policies", additional.get("policies"));
        }
        List<Map<String, Object>> ops = new ArrayList<>();
        Map<String, Object> channels = map(doc.get("channels"));
        Map<String, Object> schemes = map(map(doc.get("components")).get("securitySchemes"));
        for (Map.Entry<String, Object> c : channels.entrySet()) {
            Map<String, Object> channel = map(c.getValue());
            Map<String, Object> op = new LinkedHashMap<>();
            String address = v3 ? (channel.get("address") instanceof String ? (String) channel.get("address") : null) : c.getKey();
            if (address == null) {
                throw BadRequest.field("channels." + c.getKey() + ".address", "is required (AsyncAPI 3.0)");
            }
            op.put("target", address.startsWith("/") ? address : "/" + address);
            Set<String> scopes = new LinkedHashSet<>();
            String verb = "SUBSCRIBE";
            if (v3) {
                for (Object o : map(doc.get("operations")).values()) {
                    Map<String, Object> operation = map(o);
                    Object ref = map(operation.get("channel")).get("$ref");
                    if (("#/channels/" + c.getKey()).equals(ref)) {
                        verb = "send".equals(operation.get("action")) ? "PUBLISH" : "SUBSCRIBE";
                        for (Object s : list(operation.get("security"))) {
                            Map<String, Object> scheme = map(s);
                            if (scheme.get("$ref") instanceof String) {
                                String name = ((String) scheme.get("$ref")).replaceFirst("^#/components/securitySchemes/", "");
                                scheme = map(schemes.get(name));
                            }
                            for (Object sc : list(scheme.get("scopes"))) {
                                scopes.add(String.valueOf(sc));
                            }
                        }
                    }
                }
            } else {
                for (String kind : new String[] {"subscribe", "publish"}) {
                    if (!channel.containsKey(kind)) {
                        continue; // an operation without fields (publish: {}) is still the channel's verb
                    }
                    Map<String, Object> operation = map(channel.get(kind));
                    verb = kind.toUpperCase();
                    for (Object requirement : list(operation.get("security"))) {
                        for (Object scopeList : map(requirement).values()) {
                            for (Object sc : list(scopeList)) {
                                scopes.add(String.valueOf(sc));
                            }
                        }
                    }
                }
            }
            op.put("verb", verb);
            op.put("scopes", new ArrayList<>(scopes));
            if (channel.get("x-uri-mapping") instanceof String) {
                op.put("uriMapping", channel.get("x-uri-mapping"));
            }
            ops.add(op);
        }
        api.put("operations", ops);
        return api;
    }

    /** An AsyncAPI 2.6 document of the API: servers, one channel per topic with its mapping and scopes. */
    static Map<String, Object> fromApi(ApiDefinition api) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("asyncapi", "2.6.0");
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("title", api.name);
        info.put("version", api.version);
        if (api.description != null) {
            info.put("description", api.description);
        }
        doc.put("info", info);
        Map<String, Object> servers = new LinkedHashMap<>();
        servers.put("production", serverOf(api.productionUrl));
        if (api.sandboxUrl != null) {
            servers.put("sandbox", serverOf(api.sandboxUrl));
        }
        doc.put("servers", servers);
        Map<String, Object> channels = new LinkedHashMap<>();
        Set<String> allScopes = new LinkedHashSet<>();
        for (Map<String, Object> op : api.operations) {
            Map<String, Object> channel = new LinkedHashMap<>();
            channel.put("x-uri-mapping", op.get("uriMapping"));
            Map<String, Object> operation = new LinkedHashMap<>();
            List<?> scopes = (List<?>) op.get("scopes");
            if (!scopes.isEmpty()) {
                operation.put("security", List.of(Map.of("oauth2", scopes)));
                scopes.forEach(s -> allScopes.add(String.valueOf(s)));
            }
            channel.put("PUBLISH".equals(op.get("verb")) ? "publish" : "subscribe", operation);
            channels.put(String.valueOf(op.get("target")), channel);
        }
        doc.put("channels", channels);
        Map<String, Object> scopeDocs = new LinkedHashMap<>();
        allScopes.forEach(s -> scopeDocs.put(s, s));
        doc.put("components", Map.of("securitySchemes", Map.of("oauth2", Map.of("type", "oauth2",
                "flows", Map.of("clientCredentials", Map.of("tokenUrl", "/oauth2/token", "scopes", scopeDocs))))));
        doc.put("x-wso2-basePath", api.path());
        return doc;
    }

    private static Map<String, Object> serverOf(String url) {
        URI u = URI.create(url);
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("url", url);
        s.put("protocol", u.getScheme());
        return s;
    }

    /** 2.x: {@code url}; 3.0: {@code protocol://host/pathname}. */
    private static String server(Map<String, Object> servers, String name, boolean v3) {
        Map<String, Object> s = map(servers.get(name));
        if (s.isEmpty()) {
            return null;
        }
        if (!v3) {
            return s.get("url") == null ? null : String.valueOf(s.get("url"));
        }
        Object host = s.get("host");
        if (host == null) {
            return null;
        }
        String path = s.get("pathname") == null ? "/" : String.valueOf(s.get("pathname"));
        return s.getOrDefault("protocol", "ws") + "://" + host + (path.startsWith("/") ? path : "/" + path);
    }

    @SuppressWarnings("unchecked") // parsed YAML and JSON: objects are maps
    private static Map<String, Object> map(Object o) {
        if (!(o instanceof Map)) {
            return new LinkedHashMap<>();
        }
        Map<String, Object> out = new LinkedHashMap<>();
        ((Map<Object, Object>) o).forEach((k, v) -> out.put(String.valueOf(k), v));
        return out;
    }

    private static List<?> list(Object o) {
        return o instanceof List ? (List<?>) o : List.of();
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
