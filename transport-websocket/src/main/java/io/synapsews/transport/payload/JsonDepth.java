package io.synapsews.transport.payload;
import java.util.Locale;

/**
 * How deeply a JSON text nests, found in one pass over its bytes without parsing it. Message builders
 * (axis2-json's jettison among them) recurse once per level, so a client sending 100,000 levels of
 * {@code [} could raise {@code StackOverflowError} in a mediation thread; a message past the limit is
 * refused before any builder sees it.
 */
public final class JsonDepth {

    /** {@code ws.json.max.depth}: the deepest nesting a JSON message may have. */
    public static final String MAX_DEPTH_PROPERTY = "ws.json.max.depth";

    public static final int DEFAULT_MAX_DEPTH = 256;

    private static final int MAX_DEPTH = Integer.getInteger(MAX_DEPTH_PROPERTY, DEFAULT_MAX_DEPTH);

    private JsonDepth() {
    }

    public static int maxDepth() {
        return MAX_DEPTH;
    }

    /** Whether a message of this content type is read as JSON. */
    public static boolean isJson(String contentType) {
        return contentType != null && contentType.toLowerCase(Locale.ROOT).contains("json");
    }

    /** Whether {@code json} nests deeper than {@code max} (brackets inside strings do not count). */
    public static boolean exceeds(byte[] json, int max) {
        int depth = 0;
        boolean inString = false;
        for (int i = 0; i < json.length; i++) {
            byte c = json[i];
            if (inString) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '{' || c == '[') {
                if (++depth > max) {
                    return true;
                }
            } else if (c == '}' || c == ']') {
                depth--;
            }
        }
        return false;
    }
}
