package io.synapsews.transport.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * The origins a browser page may open a WebSocket from (cross-site WebSocket hijacking, RFC 6455
 * 10.2): exact origins ({@code https://app.example.com}, {@code http://localhost:8080}) and host
 * patterns ({@code https://*.example.com}, or {@code *.example.com} for any scheme and port). An empty
 * list, or {@code *}, allows every origin. A handshake without an {@code Origin} header did not come
 * from a browser page and is not judged by it (any other client can send whatever origin it likes).
 */
public final class OriginList {

    public static final OriginList ANY = new OriginList(Collections.emptyList());

    private final List<String> entries;

    private OriginList(List<String> entries) {
        this.entries = entries;
    }

    /**
     * Parses a comma- or space-separated list.
     *
     * @throws IllegalArgumentException naming the entry that is neither an origin nor a pattern
     */
    public static OriginList parse(String list) {
        if (list == null || list.trim().isEmpty() || list.trim().equals("*")) {
            return ANY;
        }
        List<String> entries = new ArrayList<>();
        for (String e : list.split("[,\\s]+")) {
            if (e.isEmpty()) {
                continue;
            }
            String lower = e.toLowerCase(Locale.ROOT);
            if (lower.endsWith("/")) {
                lower = lower.substring(0, lower.length() - 1);
            }
            if (lower.equals("*") || lower.indexOf('*') != lower.lastIndexOf('*')
                    || (lower.contains("*") && !lower.startsWith("*.") && !lower.contains("://*."))) {
                throw new IllegalArgumentException("'" + e + "' is not an origin (https://host[:port]) or a pattern"
                        + " (https://*.example.com or *.example.com)");
            }
            if (!lower.startsWith("*.") && !lower.contains("://")) {
                throw new IllegalArgumentException("'" + e + "' has no scheme: write https://" + e + " or *." + e);
            }
            entries.add(lower);
        }
        return entries.isEmpty() ? ANY : new OriginList(Collections.unmodifiableList(entries));
    }

    public boolean allowsAll() {
        return entries.isEmpty();
    }

    /** Whether a handshake with this {@code Origin} header (null: none) may proceed. */
    public boolean allows(String origin) {
        if (entries.isEmpty() || origin == null) {
            return true;
        }
        String o = origin.trim().toLowerCase(Locale.ROOT);
        int schemeEnd = o.indexOf("://");
        String hostPort = schemeEnd < 0 ? o : o.substring(schemeEnd + 3);
        String host = hostPort.startsWith("[") ? hostPort : hostPort.replaceFirst(":\\d+$", "");
        for (String e : entries) {
            if (e.startsWith("*.")) {
                if (host.endsWith(e.substring(1))) {
                    return true;
                }
            } else if (e.contains("://*.")) {
                String scheme = e.substring(0, e.indexOf("://"));
                String suffix = e.substring(e.indexOf("://*.") + 4); // ".example.com[:port]"
                if (schemeEnd >= 0 && o.substring(0, schemeEnd).equals(scheme)
                        && (suffix.contains(":") ? hostPort.endsWith(suffix) : host.endsWith(suffix))) {
                    return true;
                }
            } else if (e.equals(o)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return entries.isEmpty() ? "*" : String.join(",", entries);
    }
}
