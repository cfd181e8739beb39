package io.synapsews.transport.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A list of IPv4 and IPv6 networks ({@code 10.0.0.0/8}, {@code ::1/128}, or a bare address), for the
 * client address allow and deny lists and the proxies whose {@code X-Forwarded-For} is believed.
 */
public final class CidrList {

    public static final CidrList NONE = new CidrList(Collections.emptyList());

    private static final class Network {
        final byte[] address;
        final int bits;

        Network(byte[] address, int bits) {
            this.address = address;
            this.bits = bits;
        }

        boolean contains(byte[] a) {
            if (a.length != address.length) {
                return false;
            }
            int full = bits / 8;
            for (int i = 0; i < full; i++) {
                if (a[i] != address[i]) {
                    return false;
                }
            }
            int rest = bits % 8;
            if (rest == 0) {
                return true;
            }
            int mask = 0xFF << (8 - rest) & 0xFF;
            return (a[full] & mask) == (address[full] & mask);
        }
    }

    private final List<Network> networks;
    private final String text;

    private CidrList(List<Network> networks) {
        this.networks = networks;
        this.text = "";
    }

    private CidrList(List<Network> networks, String text) {
        this.networks = networks;
        this.text = text;
    }

    /**
     * Parses a comma- or space-separated list of literal addresses and networks (no host names).
     *
     * @throws IllegalArgumentException naming the entry that is not one
     */
    public static CidrList parse(String list) {
        if (list == null || list.trim().isEmpty()) {
            return NONE;
        }
        List<Network> nets = new ArrayList<>();
        for (String e : list.trim().split("[,\\s]+")) {
            int slash = e.indexOf('/');
            String addr = slash < 0 ? e : e.substring(0, slash);
            byte[] bytes = literal(addr);
            if (bytes == null) {
                throw new IllegalArgumentException("'" + e + "' is not an IP address or network (10.0.0.0/8, fd00::/8)");
            }
            int bits = bytes.length * 8;
            if (slash >= 0) {
                try {
                    bits = Integer.parseInt(e.substring(slash + 1));
                } catch (NumberFormatException ex) {
                    bits = -1;
                }
                if (bits < 0 || bits > bytes.length * 8) {
                    throw new IllegalArgumentException("'" + e + "': the prefix length must be 0 to " + bytes.length * 8);
                }
            }
            nets.add(new Network(bytes, bits));
        }
        return new CidrList(Collections.unmodifiableList(nets), list.trim());
    }

    /** The bytes of a literal IPv4 or IPv6 address, or null: never a name lookup. */
    public static byte[] literal(String s) {
        if (s == null || s.isEmpty() || s.length() > 45) {
            return null;
        }
        String a = s.startsWith("[") && s.endsWith("]") ? s.substring(1, s.length() - 1) : s;
        boolean v4 = a.matches("\\d{1,3}(\\.\\d{1,3}){3}");
        boolean v6 = a.contains(":") && a.matches("[0-9A-Fa-f:.]+");
        if (!v4 && !v6) {
            return null;
        }
        try {
            return InetAddress.getByName(a).getAddress(); // a literal: no lookup
        } catch (UnknownHostException e) {
            return null;
        }
    }

    public boolean isEmpty() {
        return networks.isEmpty();
    }

    /** Whether the literal address {@code ip} is in one of the networks. */
    public boolean contains(String ip) {
        byte[] a = literal(ip);
        if (a == null) {
            return false;
        }
        for (Network n : networks) {
            if (n.contains(a)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return text;
    }
}
