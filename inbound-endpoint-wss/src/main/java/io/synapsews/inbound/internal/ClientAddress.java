package io.synapsews.inbound.internal;

import java.util.ArrayList;
import java.util.List;

import io.netty.handler.codec.http.HttpHeaders;
import io.synapsews.transport.config.CidrList;

/**
 * The address of the client behind a handshake: the TCP peer, unless the peer is one of the
 * configured trusted proxies ({@code ws.trusted.proxies}); then the nearest address in
 * {@code Forwarded: for=} (RFC 7239) or else {@code X-Forwarded-For} that is not itself a trusted
 * proxy, read from the right (the entries on the left are the client's own word). Anything that is
 * not a literal address ends the walk.
 */
final class ClientAddress {

    private ClientAddress() {
    }

    static String resolve(String peer, HttpHeaders headers, CidrList trusted) {
        if (trusted.isEmpty() || !trusted.contains(peer)) {
            return peer;
        }
        List<String> chain = forwarded(headers);
        String client = peer;
        for (int i = chain.size() - 1; i >= 0; i--) {
            String hop = chain.get(i);
            if (CidrList.literal(hop) == null) {
                break; // unknown, obfuscated or garbage: the last good hop stands
            }
            client = hop;
            if (!trusted.contains(hop)) {
                break;
            }
        }
        return client;
    }

    /** The hops the proxies recorded, nearest last. */
    private static List<String> forwarded(HttpHeaders headers) {
        List<String> hops = new ArrayList<>();
        List<String> forwarded = headers.getAll("Forwarded");
        if (!forwarded.isEmpty()) {
            for (String value : forwarded) {
                for (String element : value.split(",")) {
                    for (String pair : element.split(";")) {
                        String p = pair.trim();
                        if (p.regionMatches(true, 0, "for=", 0, 4)) {
                            hops.add(strip(p.substring(4)));
                        }
                    }
                }
            }
            return hops;
        }
        for (String value : headers.getAll("X-Forwarded-For")) {
            for (String hop : value.split(",")) {
                hops.add(hop.trim());
            }
        }
        return hops;
    }

    /** {@code "[2001:db8::1]:4711"} or {@code 192.0.2.60:8080} to the bare address. */
    private static String strip(String node) {
        String n = node.trim();
        if (n.startsWith("\"") && n.endsWith("\"") && n.length() >= 2) {
            n = n.substring(1, n.length() - 1);
        }
        if (n.startsWith("[")) {
            int end = n.indexOf(']');
            return end < 0 ? n : n.substring(1, end);
        }
        int colon = n.indexOf(':');
        return colon >= 0 && n.indexOf(':', colon + 1) < 0 ? n.substring(0, colon) : n;
    }
}
