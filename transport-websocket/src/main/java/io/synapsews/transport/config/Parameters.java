package io.synapsews.transport.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * Reads named parameters (an inbound endpoint's {@code <parameter>}s, a transport sender's
 * {@code axis2.xml} parameters, attributes of {@code websocket-gateway.xml}) as typed values, checked
 * against their ranges: the one reader every configuration class uses, so that a value is parsed the
 * same way and a mistake is reported the same way everywhere. A missing or blank value is the
 * default; a value that is not a number, not {@code true}/{@code false}, not one of the choices, or
 * out of range is a {@link ParameterException} whose message names where the parameter was read
 * (the file) and the parameter itself.
 */
public final class Parameters {

    /** The largest message (and frame) both legs accept unless configured: 16 MiB. */
    public static final int DEFAULT_MAX_MESSAGE = 16 * 1024 * 1024;

    private final Function<String, String> lookup;
    private final Function<String, String> where;

    /**
     * @param lookup the raw value of a parameter, or null when it is not set
     * @param where  how a message names a parameter, for example {@code "conf/x.xml: parameter 'p'"}
     */
    public Parameters(Function<String, String> lookup, Function<String, String> where) {
        this.lookup = lookup;
        this.where = where;
    }

    /** The trimmed value, or {@code def} when it is not set or blank. */
    public String text(String name, String def) {
        String v = lookup.apply(name);
        if (v == null || v.trim().isEmpty()) {
            return def;
        }
        return v.trim();
    }

    /** {@code true} or {@code false} in any case. */
    public boolean bool(String name, boolean def) throws ParameterException {
        String v = text(name, null);
        if (v == null) {
            return def;
        }
        if (!"true".equalsIgnoreCase(v) && !"false".equalsIgnoreCase(v)) {
            throw problem(name, "must be true or false, was '" + v + "'");
        }
        return Boolean.parseBoolean(v);
    }

    /** A whole number in {@code [min, max]}; {@code def} null makes the parameter required. */
    public int integer(String name, Integer def, int min, int max) throws ParameterException {
        return (int) whole(name, def == null ? null : def.longValue(), min, max);
    }

    /** A whole number in {@code [min, max]}; {@code def} null makes the parameter required. */
    public long whole(String name, Long def, long min, long max) throws ParameterException {
        String v = text(name, null);
        if (v == null) {
            if (def == null) {
                throw problem(name, "is required");
            }
            return def;
        }
        long n;
        try {
            n = Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw problem(name, "must be a whole number, was '" + v + "'");
        }
        boolean unbounded = max == Long.MAX_VALUE || max == Integer.MAX_VALUE;
        if (n < min || n > max) {
            throw problem(name, !unbounded ? "must be between " + min + " and " + max + ", was " + n
                    : n > max ? "must be at most " + max + ", was " + n
                    : min == 0 ? "must be 0 or more, was " + n
                    : min == 1 ? "must be strictly positive, was " + n
                    : "must be at least " + min + ", was " + n);
        }
        return n;
    }

    /** A duration given in milliseconds (the unit of every {@code *.ms} parameter), in {@code [min, max]}. */
    public Duration millis(String name, Duration def, Duration min, Duration max) throws ParameterException {
        return Duration.ofMillis(whole(name, def.toMillis(), min.toMillis(), max.toMillis()));
    }

    /** A duration given in seconds (the original transport's idle times), in {@code [min, max]}. */
    public Duration seconds(String name, Duration def, Duration min, Duration max) throws ParameterException {
        return Duration.ofSeconds(whole(name, def.toSeconds(), min.toSeconds(), max.toSeconds()));
    }

    /** One of an enum's constants, written as its name in lower case (for example {@code wait}). */
    public <E extends Enum<E>> E choice(String name, Class<E> type, E def) throws ParameterException {
        String v = text(name, null);
        if (v == null) {
            return def;
        }
        List<String> names = new ArrayList<>();
        for (E e : type.getEnumConstants()) {
            String n = e.name().toLowerCase(Locale.ROOT);
            if (n.equals(v.toLowerCase(Locale.ROOT))) {
                return e;
            }
            names.add(n);
        }
        throw problem(name, "must be " + or(names) + ", was '" + v + "'");
    }

    /** A comma-separated list, blanks dropped; {@code def} when not set. */
    public List<String> list(String name, List<String> def) {
        String v = text(name, null);
        if (v == null) {
            return def;
        }
        List<String> out = new ArrayList<>();
        for (String s : v.split(",")) {
            if (!s.trim().isEmpty()) {
                out.add(s.trim());
            }
        }
        return Collections.unmodifiableList(out);
    }

    /** A problem with a parameter, named the way this reader names parameters. */
    public ParameterException problem(String name, String what) {
        return new ParameterException(name, where.apply(name) + " " + what);
    }

    private static String or(List<String> names) {
        if (names.size() == 1) {
            return names.get(0);
        }
        return String.join(", ", names.subList(0, names.size() - 1)) + " or " + names.get(names.size() - 1);
    }
}
