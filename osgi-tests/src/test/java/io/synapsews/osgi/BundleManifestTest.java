package io.synapsews.osgi;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The OSGi headers of the three bundles as built (their MANIFEST.MF, in the p2 repository's plugins):
 * the symbolic name administrators' configuration depends on, only the packages configuration names
 * exported (never an {@code internal} one), no import of the JDK's own {@code java.*} packages, explicit
 * version ranges for Axis2 (up to 1.7), Axiom 1.2 and Synapse 2.1 to 3.x, {@code javax.*} unversioned, and
 * the transport's Declarative Services component declared for DS 1.3 runtimes.
 */
class BundleManifestTest {

    /** The bundle as the p2 repository holds it: {@code plugins/<Bundle-SymbolicName>_<version>.jar}. */
    static File bundleFile(String symbolicName) {
        File[] jars = OsgiFramework.p2Plugins().listFiles((d, n) -> n.startsWith(symbolicName + "_") && n.endsWith(".jar"));
        assertNotNull(jars, "no p2 repository at " + OsgiFramework.p2Plugins() + " (mvn verify from the root builds it)");
        assertEquals(1, jars.length, "the bundle jar of " + symbolicName);
        return jars[0];
    }

    private static Manifest manifest(String symbolicName) throws Exception {
        try (JarFile jar = new JarFile(bundleFile(symbolicName))) {
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
        "org.wso2.carbon.websocket.transport, org.wso2.carbon.websocket.transport io.synapsews.transport.spi io.synapsews.transport.config io.synapsews.transport.payload io.synapsews.transport.mediation io.synapsews.transport.netty",
        "io.synapsews.inbound.endpoint, io.synapsews.inbound",
        "io.synapsews.mediators, io.synapsews.mediators",
    })
    void headersAreWhatServersNeed(String symbolicName, String exports) throws Exception {
        Manifest m = manifest(symbolicName);
        assertEquals(symbolicName, m.getMainAttributes().getValue("Bundle-SymbolicName"));
        assertEquals(new TreeSet<>(List.of(exports.split(" "))),
                new TreeSet<>(clauses(m.getMainAttributes().getValue("Export-Package")).keySet()), "exported packages");

        Map<String, String> imports = clauses(m.getMainAttributes().getValue("Import-Package"));
        assertTrue(!imports.isEmpty(), "no Import-Package");
        for (Map.Entry<String, String> i : imports.entrySet()) {
            String pkg = i.getKey();
            assertTrue(!pkg.startsWith("java."), symbolicName + " imports " + pkg);
            String expected = pkg.startsWith("org.apache.axis2.") || pkg.equals("org.apache.axis2") ? "version=\"[0,1.8)\""
                    : pkg.startsWith("org.apache.axiom.") ? "version=\"[0,1.3)\""
                    : pkg.startsWith("org.apache.synapse.") || pkg.equals("org.apache.synapse") ? "version=\"[2.1,4)\""
                    : pkg.startsWith("io.netty.") ? "version=\"[4.1,5)\""
                    : pkg.startsWith("javax.") ? "version=0" : null;
            if (expected != null) {
                assertTrue(i.getValue().contains(expected), symbolicName + " imports " + pkg + ";" + i.getValue() + ", not " + expected);
            }
            assertTrue(!pkg.contains(".internal"), symbolicName + " imports an internal package " + pkg);
        }
        assertTrue(imports.keySet().stream().anyMatch(p -> p.startsWith("org.apache.synapse")), "no Synapse import");
    }

    @Test
    void transportDeclaresItsComponentForDs13() throws Exception {
        Manifest m = manifest("org.wso2.carbon.websocket.transport");
        String component = m.getMainAttributes().getValue("Service-Component");
        assertEquals("OSGI-INF/org.wso2.carbon.websocket.transport.xml", component);
        String requirement = m.getMainAttributes().getValue("Require-Capability");
        assertTrue(requirement.contains("(osgi.extender=osgi.component)(version>=1.3.0)"),
                "Carbon servers run DS 1.3 (Felix SCR 2.0): " + requirement);
        try (JarFile jar = new JarFile(bundleFile("org.wso2.carbon.websocket.transport"))) {
            String xml = new String(jar.getInputStream(jar.getEntry(component)).readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(xml.contains("xmlns:scr=\"http://www.osgi.org/xmlns/scr/v1.3.0\""), xml);
            assertTrue(xml.contains("<provide interface=\"io.synapsews.transport.spi.WebSocketTransport\"/>"), xml);
        }
        for (String module : List.of("io.synapsews.inbound.endpoint", "io.synapsews.mediators")) {
            assertEquals(null, manifest(module).getMainAttributes().getValue("Service-Component"), module);
        }
    }
}
