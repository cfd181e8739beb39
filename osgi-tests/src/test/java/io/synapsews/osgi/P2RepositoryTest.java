package io.synapsews.osgi;

import java.io.File;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;

import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Version;
import org.osgi.framework.VersionRange;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The p2 repository built by {@code features/p2-repository} with carbon-p2-plugin: the Carbon server feature
 * {@code org.wso2.carbon.websocket.transport.server} (category "server", for the feature manager), our three
 * bundles and the Netty bundles they need, each under {@code plugins/<id>_<version>.jar}; every package the
 * bundles need is either in the repository or one a Synapse server provides itself.
 */
class P2RepositoryTest {

    static final String FEATURE = "org.wso2.carbon.websocket.transport.server.feature";
    /** Packages the server has: Axis2, Axiom, Synapse, commons-logging, the JDK's javax/w3c/xml, OSGi itself. */
    static final List<String> SERVER_PROVIDES = List.of("org.apache.axis2", "org.apache.axiom", "org.apache.synapse",
            "org.apache.commons.logging", "javax.", "org.w3c.", "org.xml.", "org.osgi.");

    static File repo;
    static Map<String, Element> units = new TreeMap<>();

    @BeforeAll
    static void read() throws Exception {
        repo = OsgiFramework.p2Plugins().getParentFile();
        units.clear();
        for (Element u : elements(xml(new File(repo, "content.jar"), "content.xml").getDocumentElement(), "unit")) {
            units.put(u.getAttribute("id"), u);
        }
    }

    private static Document xml(File jar, String entry) throws Exception {
        try (JarFile j = new JarFile(jar); InputStream in = j.getInputStream(j.getEntry(entry))) {
            return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(in);
        }
    }

    private static List<Element> elements(Element parent, String tag) {
        NodeList list = parent.getElementsByTagName(tag);
        List<Element> out = new ArrayList<>();
        for (int i = 0; i < list.getLength(); i++) {
            out.add((Element) list.item(i));
        }
        return out;
    }

    private static boolean isBundle(Element unit) {
        return elements(unit, "provided").stream().anyMatch(p -> p.getAttribute("namespace").equals("osgi.bundle"));
    }

    @Test
    void featureGroupsOurBundlesAndTheNettyBundles() {
        Element group = units.get(FEATURE + ".group");
        assertNotNull(group, "no feature group in " + units.keySet());
        TreeSet<String> required = new TreeSet<>();
        for (Element r : elements(group, "required")) {
            if (r.getAttribute("namespace").equals("org.eclipse.equinox.p2.iu")) {
                required.add(r.getAttribute("name"));
            }
        }
        for (String id : List.of("org.wso2.carbon.websocket.transport", "io.synapsews.inbound.endpoint", "io.synapsews.mediators",
                "io.netty.common", "io.netty.buffer", "io.netty.transport", "io.netty.codec", "io.netty.codec-http",
                "io.netty.handler", "io.netty.handler-proxy", "io.netty.codec-socks", "io.netty.resolver",
                "com.nimbusds.nimbus-jose-jwt", FEATURE + ".jar")) {
            assertTrue(required.contains(id), "the feature does not include " + id + ": " + required);
        }
    }

    @Test
    void everyBundleIsInPluginsUnderItsSymbolicNameAndVersion() throws Exception {
        int bundles = 0;
        for (Element u : units.values()) {
            if (!isBundle(u)) {
                continue;
            }
            File jar = new File(repo, "plugins/" + u.getAttribute("id") + "_" + u.getAttribute("version") + ".jar");
            assertTrue(jar.isFile(), "missing " + jar);
            try (JarFile j = new JarFile(jar)) {
                String bsn = j.getManifest().getMainAttributes().getValue("Bundle-SymbolicName").split(";")[0].trim();
                assertEquals(u.getAttribute("id"), bsn, jar.getName());
            }
            bundles++;
        }
        assertEquals(14, bundles, "bundles in the repository: " + units.keySet());
        assertTrue(new File(repo, "artifacts.jar").isFile());
    }

    @Test
    void everyPackageTheBundlesNeedIsInTheRepositoryOrTheServer() {
        Map<String, List<Version>> provided = new TreeMap<>();
        for (Element u : units.values()) {
            for (Element p : elements(u, "provided")) {
                if (p.getAttribute("namespace").equals("java.package")) {
                    provided.computeIfAbsent(p.getAttribute("name"), k -> new ArrayList<>()).add(Version.parseVersion(p.getAttribute("version")));
                }
            }
        }
        List<String> unmet = new ArrayList<>();
        TreeSet<String> fromServer = new TreeSet<>();
        for (Element u : units.values()) {
            for (Element r : elements(u, "required")) {
                if (!r.getAttribute("namespace").equals("java.package") || "true".equals(r.getAttribute("optional"))) {
                    continue;
                }
                String pkg = r.getAttribute("name");
                VersionRange range = new VersionRange(r.getAttribute("range").equals("0.0.0") ? "0" : r.getAttribute("range"));
                boolean inRepo = provided.getOrDefault(pkg, List.of()).stream().anyMatch(range::includes);
                if (!inRepo) {
                    if (SERVER_PROVIDES.stream().anyMatch(pkg::startsWith)) {
                        fromServer.add(pkg.replaceAll("^(org\\.apache\\.[a-z0-9]+|javax|org\\.w3c|org\\.xml|org\\.osgi)\\..*", "$1"));
                    } else {
                        unmet.add(u.getAttribute("id") + " needs " + pkg + " " + range);
                    }
                }
            }
        }
        assertEquals(List.of(), unmet, "packages neither in the p2 repository nor provided by a Synapse server");
        System.out.println("p2 repository: " + units.size() + " units; from the server: " + fromServer);
    }

    @Test
    void featureIsACarbonServerFeature() throws Exception {
        File[] jars = new File(repo, "features").listFiles((d, n) -> n.startsWith("org.wso2.carbon.websocket.transport.server_"));
        assertNotNull(jars);
        assertEquals(1, jars.length);
        try (JarFile j = new JarFile(jars[0])) {
            ZipEntry inf = j.getEntry("p2.inf");
            assertNotNull(inf, "no p2.inf in " + jars[0]);
            Properties p = new Properties();
            try (InputStream in = j.getInputStream(inf)) {
                p.load(in);
            }
            assertEquals("org.wso2.carbon.p2.category.type", p.getProperty("properties.0.name"));
            assertEquals("server", p.getProperty("properties.0.value"));
            Element feature = xml(jars[0], "feature.xml").getDocumentElement();
            assertEquals("org.wso2.carbon.websocket.transport.server", feature.getAttribute("id"));
            assertEquals(14, elements(feature, "plugin").size());
        }
    }
}
