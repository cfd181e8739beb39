package io.synapsews.transport.spi;
import java.util.regex.Pattern;

/**
 * Client-supplied text on its way into a log line or a response header. Everything a client sends
 * (header names and values, token fields, paths, reasons) is data: it must not start a new log line,
 * end a response header, or grow without bound. One place does it, so every caller does it the same way.
 */
public final class SafeText {

    /** The most characters of client text that reach one log line or one header value. */
    public static final int MAX_CHARS = 200;

    private SafeText() {
    }

    /**
     * For a log line: control characters (CR and LF among them) as {@code \\uXXXX} escapes, cut to
     * {@link #MAX_CHARS} characters with a marker. Null stays "null".
     */
    public static String forLog(String text) {
        return forLog(text, MAX_CHARS);
    }

    /** {@link #forLog(String)} with another bound, for our own longer texts that may quote a client's. */
    public static String forLog(String text, int maxChars) {
        if (text == null) {
            return "null";
        }
        StringBuilder b = new StringBuilder(Math.min(text.length(), maxChars) + 8);
        int n = Math.min(text.length(), maxChars);
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == '\u2028' || c == '\u2029') {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        if (text.length() > maxChars) {
            b.append("...(").append(text.length()).append(" chars)");
        }
        return b.toString();
    }

    /**
     * For a quoted string in a response header (RFC 9110 quoted-string, kept to printable ASCII):
     * anything outside {@code 0x20..0x7e}, double quotes and backslashes become {@code ?}, cut to
     * {@link #MAX_CHARS} characters. A header value built from it can neither end early nor split.
     */
    public static String forHeader(String text) {
        if (text == null) {
            return "";
        }
        int n = Math.min(text.length(), MAX_CHARS);
        StringBuilder b = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            b.append(c >= 0x20 && c < 0x7f && c != '"' && c != '\\' ? c : '?');
        }
        return b.toString();
    }

    /**
     * For any response header value a mediator or a sequence built: control characters become spaces and
     * non-ASCII {@code ?}, cut to 1024 characters, so the value can neither split the head nor be refused by
     * the HTTP encoder.
     */
    public static String forHeaderValue(String text) {
        if (text == null) {
            return "";
        }
        int n = Math.min(text.length(), 1024);
        StringBuilder b = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            b.append(c < 0x20 || c == 0x7f ? ' ' : c >= 0x80 ? '?' : c);
        }
        return b.toString();
    }

    private static final Pattern QUERY_TOKEN = Pattern.compile("([?&]access_token=)[^&#]*");

    /**
     * A request path for a log line: an {@code access_token} query value masked, for the lines written
     * before (or without) {@code <wsAuth>} removing it, then as {@link #forLog(String)}.
     */
    public static String path(String path) {
        return forLog(path == null ? null : QUERY_TOKEN.matcher(path).replaceAll("$1***"));
    }
}
