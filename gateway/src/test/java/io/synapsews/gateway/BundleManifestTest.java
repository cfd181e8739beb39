package io.synapsews.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The OSGi headers of the three bundles as built (their MANIFEST.MF in the module's target directory):
 * the symbolic name administrators' configuration depends on, only the packages configuration names
 * exported (never an {@code internal} one), no import of the JDK's own {@code java.*} packages, and
 * explicit version ranges for Axis2 (1.6 and 1.7), Axiom 1.2 and Synapse 2.1 to 3.x.
 */
class BundleManifestTest {

    private static Manifest manifest(String module) throws Exception {
        File[] jars = new File("../" + module + "/target").listFiles((d, n) -> n.startsWith(module + "-") && n.endsWith(".jar")
                && !n.endsWith("-tests.jar") && !n.endsWith("-sources.jar"));
        assertNotNull(jars, "no target directory for " + module);
        assertEquals(1, jars.length, "the bundle jar of " + module);
        try (JarFile jar = new JarFile(jars[0])) {
            return jar.getManifest();
        }
    }

    /** The clauses of an OSGi header: package name to its attributes (commas inside quotes kept). */
    private static Map<String, String> clauses(String header) {
        Map<String, String> out = new LinkedHashMap<>();
        if (header == null) {
            return out;
        }
        List<String> parts = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (char ch : header.toCharArray()) {
            if (ch == '"') {
                quoted = !quoted;
            }
            if (ch == ',' && !quoted) {
                parts.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(ch);
            }
        }
        parts.add(cur.toString());
        for (String p : parts) {
            int semi = p.indexOf(';');
            out.put((semi < 0 ? p : p.substring(0, semi)).trim(), semi < 0 ? "" : p.substring(semi + 1));
        }
        return out;
    }

    @ParameterizedTest
    @CsvSource({
        "transport-websocket, org.wso2.carbon.websocket.transport, org.wso2.carbon.websocket.transport io.synapsews.transport.common",
        "inbound-endpoint-wss, io.synapsews.inbound.endpoint, io.synapsews.inbound",
        "mediators, io.synapsews.mediators, io.synapsews.mediators",
    })
    void headersAreWhatServersNeed(String module, String symbolicName, String exports) throws Exception {
        Manifest m = manifest(module);
        assertEquals(symbolicName, m.getMainAttributes().getValue("Bundle-SymbolicName"));
        assertEquals(new TreeSet<>(List.of(exports.split(" "))),
                new TreeSet<>(clauses(m.getMainAttributes().getValue("Export-Package")).keySet()), "exported packages");

        Map<String, String> imports = clauses(m.getMainAttributes().getValue("Import-Package"));
        assertTrue(!imports.isEmpty(), "no Import-Package");
        for (Map.Entry<String, String> i : imports.entrySet()) {
            String pkg = i.getKey();
            assertTrue(!pkg.startsWith("java."), module + " imports " + pkg);
            String expected = pkg.startsWith("org.apache.axis2.") || pkg.equals("org.apache.axis2") ? "version=\"[1.6,1.8)\""
                    : pkg.startsWith("org.apache.axiom.") ? "version=\"[1.2,1.3)\""
                    : pkg.startsWith("org.apache.synapse.") || pkg.equals("org.apache.synapse") ? "version=\"[2.1,4)\""
                    : pkg.startsWith("io.netty.") ? "version=\"[4.1,5)\"" : null;
            if (expected != null) {
                assertTrue(i.getValue().contains(expected), module + " imports " + pkg + ";" + i.getValue() + ", not " + expected);
            }
            assertTrue(!pkg.contains(".internal"), module + " imports an internal package " + pkg);
        }
        assertTrue(imports.keySet().stream().anyMatch(p -> p.startsWith("org.apache.synapse")), "no Synapse import");
    }
}
