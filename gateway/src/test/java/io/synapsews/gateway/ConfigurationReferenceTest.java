package io.synapsews.gateway;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.synapsews.inbound.internal.InboundEndpointConfig;
import io.synapsews.inbound.internal.InboundEndpointManager;
import io.synapsews.transport.internal.TransportSenderConfig;
import io.synapsews.transport.payload.JsonDepth;
import io.synapsews.transport.spi.WebSocketProperties;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code docs/configuration.md} cannot drift from the code: every parameter name the configuration
 * classes define has a row (with a default and an example) in its section, and every row names a
 * parameter the code defines.
 */
class ConfigurationReferenceTest {

    private static final Path DOC = Paths.get("..", "docs", "configuration.md");

    /** The rows of each "## " section of the reference: parameter name to the row's cells. */
    private static Map<String, Map<String, String[]>> sections() throws Exception {
        Map<String, Map<String, String[]>> out = new LinkedHashMap<>();
        Map<String, String[]> current = null;
        Pattern row = Pattern.compile("^\\| `([^`]+)` \\|(.*)\\|\\s*$");
        for (String line : Files.readAllLines(DOC, StandardCharsets.UTF_8)) {
            if (line.startsWith("## ")) {
                current = new LinkedHashMap<>();
                out.put(line.substring(3).trim(), current);
            }
            Matcher m = row.matcher(line);
            if (current != null && m.matches()) {
                current.put(m.group(1), m.group(2).split("\\|"));
            }
        }
        return out;
    }

    /** The values of a class's public static final String fields: the parameter names it reads. */
    private static TreeSet<String> names(Class<?> type, String... except) throws Exception {
        TreeSet<String> out = new TreeSet<>();
        for (Field f : type.getDeclaredFields()) {
            int mod = f.getModifiers();
            if (Modifier.isPublic(mod) && Modifier.isStatic(mod) && Modifier.isFinal(mod) && f.getType() == String.class) {
                out.add((String) f.get(null));
            }
        }
        for (String e : except) {
            out.remove(e);
        }
        return out;
    }

    private static void matches(String section, TreeSet<String> inCode) throws Exception {
        Map<String, String[]> rows = sections().get(section);
        assertTrue(rows != null, "no section '" + section + "' in " + DOC);
        assertEquals(inCode, new TreeSet<>(rows.keySet()), "parameters in code vs rows of '" + section + "'");
        for (Map.Entry<String, String[]> r : rows.entrySet()) {
            String[] cells = r.getValue();
            assertEquals(3, cells.length, "meaning, default and example for " + r.getKey());
            for (String c : cells) {
                assertTrue(!c.trim().isEmpty(), "an empty cell in the row of " + r.getKey());
            }
        }
    }

    @Test
    void everyInboundEndpointParameterIsDocumented() throws Exception {
        matches("Inbound endpoint parameters", names(InboundEndpointConfig.class, InboundEndpointConfig.SYNAPSE_NS));
    }

    @Test
    void everyTransportSenderParameterIsDocumented() throws Exception {
        TreeSet<String> names = names(TransportSenderConfig.class);
        names.add(WebSocketProperties.OUTFLOW_DISPATCH_SEQUENCE);
        names.add(WebSocketProperties.OUTFLOW_DISPATCH_FAULT_SEQUENCE);
        matches("Transport sender parameters", names);
    }

    @Test
    void everySystemPropertyIsDocumented() throws Exception {
        TreeSet<String> names = names(InboundEndpointManager.class);
        names.add(JsonDepth.MAX_DEPTH_PROPERTY);
        matches("System properties", names);
    }
}
