package io.synapsews.osgi;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;
import java.util.jar.Attributes;
import java.util.jar.JarFile;

import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The folder an administrator copies into a Carbon server ({@code patches/target/synapse-ws-patch}): {@code
 * patch<N>/} (8888 unless {@code -Dpatch.number} says otherwise) with every bundle as {@code <Bundle-SymbolicName>_<version>.jar} (the same set as the p2
 * repository), the seed's {@code transportSender} blocks and inbound endpoint file, the deployer element and a
 * README with the steps. (FrameworkTest's Felix run installs the bundles from this folder.)
 */
class PatchLayoutTest {

    static final File DIR = new File(System.getProperty("osgi.patch.dir", "../patches/target/synapse-ws-patch"));
    static final String PATCH = "patch" + System.getProperty("osgi.patch.number", "8888");

    @Test
    void everyBundleIsNamedAfterItsManifest() throws Exception {
        File patch = new File(DIR, PATCH);
        File[] jars = patch.listFiles((d, n) -> n.endsWith(".jar"));
        assertTrue(jars != null && jars.length > 0, "no bundles in " + patch);
        TreeSet<String> names = new TreeSet<>();
        for (File jar : jars) {
            try (JarFile j = new JarFile(jar)) {
                Attributes a = j.getManifest().getMainAttributes();
                String expected = a.getValue("Bundle-SymbolicName").split(";")[0].trim() + "_" + a.getValue("Bundle-Version") + ".jar";
                assertEquals(expected, jar.getName());
            }
            names.add(jar.getName());
        }
        assertTrue(names.contains("org.wso2.carbon.websocket.transport_1.0.0.SNAPSHOT.jar"), names.toString());
        assertTrue(names.stream().anyMatch(n -> n.startsWith("io.netty.codec-http_4.1.")), names.toString());
        TreeSet<String> p2 = new TreeSet<>(Arrays.asList(OsgiFramework.p2Plugins().list()));
        assertEquals(p2, names, "the patch and the p2 repository hold the same bundles");
    }

    @Test
    void configurationFilesAreTheSeedsAndParse() throws Exception {
        File seed = new File("../gateway/src/test/resources/seed");
        for (String f : List.of("axis2-transport-senders.xml", "SecureWebSocketInboundEndpoint.xml")) {
            assertEquals(Files.readString(new File(seed, f).toPath()), Files.readString(new File(DIR, f).toPath()),
                    f + " is the file SeedConfigurationTest runs verbatim");
        }
        Element deployer = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new File(DIR, "axis2-deployer.xml")).getDocumentElement();
        assertEquals("deployer", deployer.getTagName());
        assertEquals("io.synapsews.inbound.InboundEndpointDeployer", deployer.getAttribute("class"));
        assertEquals(".xml", deployer.getAttribute("extension"));
    }

    @Test
    void readmeHasTheSeedsSteps() throws Exception {
        String readme = Files.readString(new File(DIR, "README.md").toPath(), StandardCharsets.UTF_8);
        for (String step : List.of("`" + PATCH + "` into `<HOME>/repository/components/patches/`", "axis2-transport-senders.xml",
                "repository/conf/axis2/axis2.xml", "synapse-configs/default/inbound-endpoints/", "SecureWebSocketInboundEndpoint.xml",
                "axis2-deployer.xml")) {
            assertTrue(readme.contains(step), "the README does not say " + step);
        }
        assertTrue(!readme.contains("${"), "unfiltered placeholder in the README");
    }
}
