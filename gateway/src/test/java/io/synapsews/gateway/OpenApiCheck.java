package io.synapsews.gateway;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Checks an answer of the management API against its OpenAPI 3 description: the path and method are
 * documented, the status is one of the operation's responses, and the JSON body has every property its
 * schema requires, of the type it declares, all the way down ({@code $ref}s resolved).
 */
final class OpenApiCheck {

    private OpenApiCheck() {
    }

    @SuppressWarnings("unchecked") // JSON documents: objects are maps, arrays lists
    static void conforms(Map<String, Object> doc, String method, String path, int status, Object body) {
        Map<String, Object> paths = (Map<String, Object>) doc.get("paths");
        Map<String, Object> item = null;
        for (Map.Entry<String, Object> p : paths.entrySet()) {
            if (path.matches(p.getKey().replaceAll("\\{[^}]+}", "[^/]+"))) {
                // an exact path wins over a template (/apis/change-lifecycle over /apis/{apiId})
                if (item == null || !p.getKey().contains("{")) {
                    item = (Map<String, Object>) p.getValue();
                }
            }
        }
        assertNotNull(item, path + " is not in the OpenAPI description");
        Map<String, Object> op = (Map<String, Object>) item.get(method.toLowerCase());
        if (op == null && status == 405) {
            return;
        }
        assertNotNull(op, method + " " + path + " is not in the OpenAPI description");
        Map<String, Object> responses = (Map<String, Object>) op.get("responses");
        Map<String, Object> response = (Map<String, Object>) responses.get(String.valueOf(status));
        assertNotNull(response, method + " " + path + " answered " + status + ", which is not documented: " + responses.keySet());
        Map<String, Object> content = (Map<String, Object>) response.get("content");
        if (content == null) {
            return;
        }
        Map<String, Object> json = (Map<String, Object>) content.get("application/json");
        assertNotNull(body, method + " " + path + " " + status + " must answer JSON");
        check(doc, (Map<String, Object>) json.get("schema"), body, method + " " + path + " " + status);
    }

    @SuppressWarnings("unchecked")
    private static void check(Map<String, Object> doc, Map<String, Object> schema, Object value, String where) {
        if (schema.containsKey("$ref")) {
            String name = ((String) schema.get("$ref")).substring("#/components/schemas/".length());
            schema = (Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>) doc.get("components")).get("schemas")).get(name);
            assertNotNull(schema, where + ": no schema " + name);
        }
        String type = (String) schema.get("type");
        if (type == null) {
            return;
        }
        switch (type) {
            case "object": {
                assertTrue(value instanceof Map, where + ": not an object: " + value);
                Map<String, Object> obj = (Map<String, Object>) value;
                for (Object required : (List<Object>) schema.getOrDefault("required", List.of())) {
                    assertTrue(obj.containsKey(required), where + ": required property " + required + " missing from " + obj);
                }
                Map<String, Object> props = (Map<String, Object>) schema.getOrDefault("properties", Map.of());
                for (Map.Entry<String, Object> p : props.entrySet()) {
                    if (obj.get(p.getKey()) != null) {
                        check(doc, (Map<String, Object>) p.getValue(), obj.get(p.getKey()), where + "." + p.getKey());
                    }
                }
                break;
            }
            case "array":
                assertTrue(value instanceof List, where + ": not an array: " + value);
                for (Object v : (List<Object>) value) {
                    check(doc, (Map<String, Object>) schema.get("items"), v, where + "[]");
                }
                break;
            case "string":
                assertTrue(value instanceof String, where + ": not a string: " + value);
                if (schema.containsKey("enum")) {
                    assertTrue(((List<Object>) schema.get("enum")).contains(value), where + ": " + value + " not in " + schema.get("enum"));
                }
                break;
            case "integer":
                assertTrue(value instanceof Number && ((Number) value).doubleValue() == Math.rint(((Number) value).doubleValue()),
                        where + ": not an integer: " + value);
                break;
            default:
                fail(where + ": the check does not know type " + type);
        }
    }
}
