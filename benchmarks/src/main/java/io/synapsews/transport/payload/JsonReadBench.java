package io.synapsews.transport.payload;

import java.nio.charset.StandardCharsets;

/**
 * How long the gateway's JSON read path ({@link MappedJson}: the single pass that checks duplicate keys and
 * nesting before any message builder sees the message) takes for a 1 MiB flat object of 80,000 keys, side
 * by side with Gson's tree parser on the same bytes, in the same JVM, after the same warm-up. The duplicate
 * check used to be quadratic in the keys of an object: that object took seconds.
 *
 * <pre>java -cp benchmarks/target/synapse-ws-bench.jar io.synapsews.transport.common.JsonReadBench [rounds]</pre>
 */
public final class JsonReadBench {

    private JsonReadBench() {
    }

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        byte[] json = flatObject(80_000);
        for (int i = 0; i < 5; i++) { // warm-up for both
            check(MappedJson.parse(json) != null);
            com.google.gson.JsonParser.parseString(new String(json, StandardCharsets.UTF_8));
        }
        long ours = Long.MAX_VALUE;
        long gson = Long.MAX_VALUE;
        for (int i = 0; i < rounds; i++) {
            long t0 = System.nanoTime();
            check(MappedJson.parse(json) != null);
            long t1 = System.nanoTime();
            com.google.gson.JsonParser.parseString(new String(json, StandardCharsets.UTF_8));
            long t2 = System.nanoTime();
            ours = Math.min(ours, t1 - t0);
            gson = Math.min(gson, t2 - t1);
        }
        System.out.printf("RESULT json-flat-80000-keys bytes=%d mappedjson_ms=%.2f gson_ms=%.2f ratio_vs_gson=%.2f%n",
                json.length, ours / 1e6, gson / 1e6, (double) ours / gson);
    }

    /** {@code {"msg":{"k0":"v...", ...}}} of {@code keys} keys, about 1 MiB. */
    static byte[] flatObject(int keys) {
        StringBuilder b = new StringBuilder("{\"msg\":{");
        for (int i = 0; i < keys; i++) {
            b.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":\"vvv\"");
        }
        return b.append("}}").toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void check(boolean ok) {
        if (!ok) {
            throw new IllegalStateException("the object was refused");
        }
    }
}
