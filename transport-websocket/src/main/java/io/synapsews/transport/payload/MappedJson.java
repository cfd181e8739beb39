package io.synapsews.transport.payload;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Set;

import org.apache.axiom.om.OMElement;
import org.apache.axiom.om.OMNode;
import org.apache.axiom.om.OMText;

/**
 * A JSON message read the way axis2-json's mapped builder ({@code JSONOMBuilder}, jettison's mapped
 * convention without namespaces) reads it, as a flat list of element and text events, in one pass over
 * the bytes. It covers the common shape: one top-level key, nested objects, arrays of values or objects
 * (repeated elements), non-empty strings, integers, booleans, keys that are plain XML names. Anything else
 * (attributes {@code @x}, {@code $} text, {@code null}, fractions and exponents, empty objects, arrays
 * or strings, nested arrays, duplicate keys, escaped or dotted keys) gives {@code null}, and the caller
 * uses axis2-json's builder, so every message is read exactly as that builder reads it.
 */
final class MappedJson {

    static final int START = 1;
    static final int TEXT = 4;
    static final int END = 2;
    private static final int MAX_DEPTH = 200;

    int[] types = new int[16];
    String[] values = new String[16];
    int size;

    private final byte[] b;
    private int i;

    private MappedJson(byte[] b) {
        this.b = b;
    }

    /** The events of {@code json}, or null when it is outside the shape this reader covers. */
    static MappedJson parse(byte[] json) {
        MappedJson m = new MappedJson(json);
        try {
            return m.document() ? m : null;
        } catch (ArrayIndexOutOfBoundsException truncated) {
            return null;
        }
    }

    private boolean document() {
        space();
        if (b[i++] != '{') {
            return false;
        }
        space();
        String key = key();
        if (key == null) {
            return false;
        }
        space();
        if (b[i] == '[' || !single(key, 0)) {
            return false; // an array at the top would be several root elements
        }
        space();
        if (b[i++] != '}') {
            return false; // several top-level keys
        }
        space();
        return i == b.length;
    }

    private void add(int type, String value) {
        if (size == types.length) {
            types = Arrays.copyOf(types, size * 2);
            values = Arrays.copyOf(values, size * 2);
        }
        types[size] = type;
        values[size++] = value;
    }

    /** A key and its colon; null unless it is a plain XML name without escapes. */
    private String key() {
        if (b[i] != '"') {
            return null;
        }
        int start = ++i;
        int end = nameEnd(b, start);
        if (end < 0) {
            return null;
        }
        String key = new String(b, start, end - start, StandardCharsets.US_ASCII);
        i = end + 1;
        space();
        return b[i++] == ':' ? key : null;
    }

    /**
     * Where the quoted key starting at {@code start} (just after its opening quote) ends (its closing quote),
     * when it is a plain, non-empty XML name (letters, digits, {@code _}, {@code -}, not starting with a digit
     * or {@code -}); -1 for escapes, dots (namespace prefixes), non-ASCII or a key that does not end.
     */
    static int nameEnd(byte[] b, int start) {
        int i = start;
        while (i < b.length && b[i] != '"') {
            byte c = b[i];
            boolean letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
            boolean more = (c >= '0' && c <= '9') || c == '-';
            if (!letter && !(more && i > start)) {
                return -1;
            }
            i++;
        }
        return i < b.length && i > start ? i : -1;
    }

    /** The value at {@code i} as element {@code name}; arrays become repeated elements. */
    private boolean value(String name, int depth) {
        space();
        if (b[i] == '[') {
            i++;
            space();
            if (b[i] == ']') {
                return false; // empty array
            }
            while (true) {
                space();
                if (b[i] == '[' || !single(name, depth)) {
                    return false;
                }
                space();
                byte c = b[i++];
                if (c == ']') {
                    return true;
                }
                if (c != ',') {
                    return false;
                }
            }
        }
        return single(name, depth);
    }

    private boolean single(String name, int depth) {
        if (depth > MAX_DEPTH) {
            return false;
        }
        byte c = b[i];
        if (c == '{') {
            i++;
            space();
            if (b[i] == '}') {
                return false; // empty object
            }
            add(START, name);
            int firstChild = size;
            // a few keys: scan the events; past that a set, so a flat object of 80,000 keys stays linear
            Set<String> keys = null;
            int count = 0;
            while (true) {
                space();
                String key = key();
                if (key == null) {
                    return false;
                }
                if (keys == null && ++count > 8) {
                    keys = new HashSet<>();
                    collectKeys(firstChild, keys);
                }
                if ((keys == null ? duplicate(key, firstChild) : !keys.add(key)) || !value(key, depth + 1)) {
                    return false;
                }
                space();
                byte d = b[i++];
                if (d == '}') {
                    break;
                }
                if (d != ',') {
                    return false;
                }
            }
            add(END, name);
            return true;
        }
        String text;
        if (c == '"') {
            text = string();
        } else if (c == '-' || (c >= '0' && c <= '9')) {
            text = integer();
        } else if (literal("true")) {
            text = "true";
        } else if (literal("false")) {
            text = "false";
        } else {
            return false; // null, or not JSON
        }
        if (text == null) {
            return false;
        }
        add(START, name);
        add(TEXT, text);
        add(END, name);
        return true;
    }

    /**
     * Whether {@code key} is already a child of the object whose children start at event {@code from}
     * (asked once per key, before its value, so the repeated elements of one array do not count).
     */
    private boolean duplicate(String key, int from) {
        int level = 0;
        for (int e = from; e < size; e++) {
            if (types[e] == START) {
                if (level == 0 && values[e].equals(key)) {
                    return true;
                }
                level++;
            } else if (types[e] == END) {
                level--;
            }
        }
        return false;
    }

    /** The keys of the object whose children start at event {@code from}, as {@link #duplicate} sees them. */
    private void collectKeys(int from, Set<String> into) {
        int level = 0;
        for (int e = from; e < size; e++) {
            if (types[e] == START) {
                if (level == 0) {
                    into.add(values[e]);
                }
                level++;
            } else if (types[e] == END) {
                level--;
            }
        }
    }

    private boolean literal(String word) {
        int n = word.length();
        if (i + n > b.length) {
            return false;
        }
        for (int k = 0; k < n; k++) {
            if (b[i + k] != word.charAt(k)) {
                return false;
            }
        }
        int after = i + n;
        if (after < b.length && !delimiter(b[after])) {
            return false;
        }
        i = after;
        return true;
    }

    private static boolean delimiter(byte c) {
        return c == ',' || c == '}' || c == ']' || c == ' ' || c == '\t' || c == '\n' || c == '\r';
    }

    /** An integer that prints back as written (no leading zeros, at most 18 digits), else null. */
    private String integer() {
        int start = i;
        if (b[i] == '-') {
            i++;
        }
        int digits = i;
        while (i < b.length && b[i] >= '0' && b[i] <= '9') {
            i++;
        }
        int n = i - digits;
        if (n == 0 || n > 18 || (b[digits] == '0' && n > 1) || (i < b.length && !delimiter(b[i]))) {
            return null; // fractions, exponents, leading zeros, huge numbers: the builder decides
        }
        if (n == 1 && b[digits] == '0' && b[start] == '-') {
            return null; // -0
        }
        return new String(b, start, i - start, StandardCharsets.US_ASCII);
    }

    /** A non-empty string with its escapes decoded, else null. */
    private String string() {
        int start = ++i;
        boolean escaped = false;
        while (b[i] != '"') {
            if (b[i] == '\\') {
                escaped = true;
                i++;
            } else if ((b[i] & 0xff) < 0x20) {
                return null; // a raw control character: not JSON
            }
            i++;
        }
        int end = i++;
        if (end == start) {
            return null;
        }
        if (!escaped) {
            return new String(b, start, end - start, StandardCharsets.UTF_8);
        }
        StringBuilder s = new StringBuilder(end - start);
        int k = start;
        while (k < end) {
            int run = k;
            while (k < end && b[k] != '\\') {
                k++;
            }
            s.append(new String(b, run, k - run, StandardCharsets.UTF_8));
            if (k == end) {
                break;
            }
            byte e = b[k + 1];
            k += 2;
            switch (e) {
                case '"': s.append('"'); break;
                case '\\': s.append('\\'); break;
                case '/': s.append('/'); break;
                case 'b': s.append('\b'); break;
                case 'f': s.append('\f'); break;
                case 'n': s.append('\n'); break;
                case 'r': s.append('\r'); break;
                case 't': s.append('\t'); break;
                case 'u':
                    if (k + 4 > end) {
                        return null;
                    }
                    int cp = 0;
                    for (int h = 0; h < 4; h++) {
                        int d = Character.digit(b[k + h], 16);
                        if (d < 0) {
                            return null;
                        }
                        cp = cp * 16 + d;
                    }
                    s.append((char) cp);
                    k += 4;
                    break;
                default:
                    return null;
            }
        }
        return s.toString();
    }

    private void space() {
        while (i < b.length && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r')) {
            i++;
        }
    }

    /**
     * Whether {@code element} (the payload after mediation) is exactly the tree these events make: same
     * element names without namespaces or attributes, same text. Then the bytes the message came with
     * say the same as the formatter would, and they leave as they came.
     */
    boolean matches(OMElement element) {
        int[] at = {0};
        return element(element, at) && at[0] == size;
    }

    private boolean element(OMElement e, int[] at) {
        int k = at[0];
        if (k >= size || types[k] != START || !values[k].equals(e.getLocalName())) {
            return false;
        }
        String ns = e.getNamespace() == null ? null : e.getNamespace().getNamespaceURI();
        if ((ns != null && !ns.isEmpty()) || e.getAllAttributes().hasNext() || e.getAllDeclaredNamespaces().hasNext()) {
            return false;
        }
        at[0] = k + 1;
        // the text of the element: usually one text node holding the very string the events gave it, so
        // String.equals answers at once; several text nodes are joined first
        String text = null;
        StringBuilder joined = null;
        for (Iterator<?> it = e.getChildren(); it.hasNext(); ) {
            OMNode child = (OMNode) it.next();
            if (child instanceof OMText) {
                String t = ((OMText) child).getText();
                if (text == null) {
                    text = t;
                } else {
                    if (joined == null) {
                        joined = new StringBuilder(text);
                    }
                    joined.append(t);
                }
            } else if (child instanceof OMElement) {
                if (joined != null ? joined.length() > 0 : text != null && !text.isEmpty()) {
                    return false; // mixed content: the events never have it
                }
                text = null;
                joined = null;
                if (!element((OMElement) child, at)) {
                    return false;
                }
            } else {
                return false; // comments, processing instructions
            }
        }
        if (joined != null) {
            text = joined.toString();
        }
        k = at[0];
        if (text != null && !text.isEmpty()) {
            if (k >= size || types[k] != TEXT || !values[k].equals(text)) {
                return false;
            }
            k++;
        }
        if (k >= size || types[k] != END) {
            return false;
        }
        at[0] = k + 1;
        return true;
    }
}
