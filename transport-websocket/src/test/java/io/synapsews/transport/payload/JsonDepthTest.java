package io.synapsews.transport.payload;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JsonDepthTest {

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void nestingIsCountedOutsideStringsOnly() {
        assertTrue(JsonDepth.exceeds(utf8("[".repeat(100_000)), 256));
        assertTrue(JsonDepth.exceeds(utf8("{\"a\":".repeat(100_000)), 256));
        assertFalse(JsonDepth.exceeds(utf8("[".repeat(256) + "]".repeat(256)), 256));
        assertTrue(JsonDepth.exceeds(utf8("[".repeat(257)), 256));
        assertFalse(JsonDepth.exceeds(utf8("{\"a\":\"" + "[".repeat(1000) + "\\\"{{\"}"), 256));
        assertEquals(JsonDepth.DEFAULT_MAX_DEPTH, JsonDepth.maxDepth());
    }

    @Test
    void ourReaderNeverRecursesPastItsLimit() {
        // declined (null), not a StackOverflowError: the caller then refuses it by depth
        assertNull(MappedJson.parse(utf8("{\"a\":".repeat(100_000) + "1" + "}".repeat(100_000))));
        assertNull(MappedJson.parse(utf8("{\"a\":" + "[".repeat(100_000))));
    }

    @Test
    void aFlatObjectOfEightyThousandKeysIsReadInOnePass() {
        StringBuilder b = new StringBuilder("{\"msg\":{");
        for (int i = 0; i < 80_000; i++) {
            b.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":\"v\"");
        }
        MappedJson m = MappedJson.parse(utf8(b.append("}}").toString()));
        assertNotNull(m);
        assertEquals(2 + 80_000 * 3, m.size);
        // and a duplicate past the first keys is still found
        assertNull(MappedJson.parse(utf8("{\"msg\":{\"a\":1,\"b\":1,\"c\":1,\"d\":1,\"e\":1,\"f\":1,\"g\":1,\"h\":1,\"i\":1,\"a\":2}}")));
    }
}
