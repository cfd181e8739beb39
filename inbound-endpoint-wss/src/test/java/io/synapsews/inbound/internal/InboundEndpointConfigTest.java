package io.synapsews.inbound.internal;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InboundEndpointConfigTest {

    @TempDir
    Path dir;

    private File file(String name, String attrs, String params) throws Exception {
        File f = dir.resolve(name + ".xml").toFile();
        String xml = "<inboundEndpoint xmlns=\"http://ws.apache.org/ns/synapse\" name=\"" + name + "\" " + attrs + ">"
                + "<parameters>" + params + "</parameters></inboundEndpoint>";
        Files.write(f.toPath(), xml.getBytes(StandardCharsets.UTF_8));
        return f;
    }

    private static String p(String name, String value) {
        return "<parameter name=\"" + name + "\">" + value + "</parameter>";
    }

    @Test
    void readsTheSeedsSecureEndpointWithItsDefaults() throws Exception {
        InboundEndpointConfig c = InboundEndpointConfig.parse(file("SecureWebSocketInboundEndpoint",
                "protocol=\"wss\" sequence=\"dispatchSeq\" onError=\"fault\" suspend=\"false\"",
                p("inbound.ws.port", "8099") + p("ws.client.side.broadcast.level", "0")
                        + p("ws.outflow.dispatch.sequence", "outflowDispatchSeq")
                        + p("ws.outflow.dispatch.fault.sequence", "outflowFaultSeq")
                        + p("wss.ssl.key.store.file", "repository/resources/security/wso2carbon.jks")
                        + p("wss.ssl.key.store.pass", "wso2carbon") + p("wss.ssl.cert.pass", "wso2carbon")));
        assertEquals("SecureWebSocketInboundEndpoint", c.name());
        assertTrue(c.isSecure());
        assertEquals(8099, c.port());
        assertEquals("dispatchSeq", c.sequence());
        assertEquals("fault", c.onError());
        assertEquals("outflowDispatchSeq", c.outflowSequence());
        assertEquals(1001, c.shutdownCode());
        assertEquals("text/plain", c.defaultContentType());
        assertEquals(16 * 1024 * 1024, c.maxMessageSize());
        assertFalse(c.suspended());
    }

    private String problem(File f) {
        return assertThrows(InboundConfigException.class, () -> InboundEndpointConfig.parse(f)).getMessage();
    }

    @Test
    void namesTheFileAndTheParameterOfEachProblem() throws Exception {
        String missingPort = problem(file("A", "protocol=\"ws\" sequence=\"s\"", ""));
        assertTrue(missingPort.contains("A.xml") && missingPort.contains("'inbound.ws.port' is required"), missingPort);

        String level = problem(file("B", "protocol=\"ws\" sequence=\"s\"",
                p("inbound.ws.port", "9000") + p("ws.client.side.broadcast.level", "7")));
        assertTrue(level.contains("B.xml") && level.contains("'ws.client.side.broadcast.level' must be between 0 and 2, was 7"), level);

        String port = problem(file("C", "protocol=\"ws\" sequence=\"s\"", p("inbound.ws.port", "http")));
        assertTrue(port.contains("'inbound.ws.port' must be a whole number, was 'http'"), port);

        String protocol = problem(file("D", "protocol=\"ftp\" sequence=\"s\"", p("inbound.ws.port", "9000")));
        assertTrue(protocol.contains("'protocol' must be ws or wss, was 'ftp'"), protocol);

        String keyStore = problem(file("E", "protocol=\"wss\" sequence=\"s\"", p("inbound.ws.port", "9000")));
        assertTrue(keyStore.contains("'wss.ssl.key.store.file' is required for protocol wss"), keyStore);

        String sequence = problem(file("F", "protocol=\"ws\"", p("inbound.ws.port", "9000")));
        assertTrue(sequence.contains("'sequence' attribute is required"), sequence);

        String name = problem(file("G", "protocol=\"ws\" sequence=\"s\"", p("inbound.ws.port", "9000"))
                .toPath().resolveSibling("G.xml").toFile().renameTo(dir.resolve("Other.xml").toFile())
                ? dir.resolve("Other.xml").toFile() : null);
        assertTrue(name.contains("must match the file name 'Other'"), name);
    }

    @Test
    void aFileThatIsNotXmlIsRefusedWithItsName() throws Exception {
        File f = dir.resolve("Broken.xml").toFile();
        Files.write(f.toPath(), "<inboundEndpoint".getBytes(StandardCharsets.UTF_8));
        String message = problem(f);
        assertTrue(message.contains("Broken.xml") && message.contains("not a well-formed"), message);
    }

    @Test
    void aListenerRestartIsNeededOnlyWhenPortOrTlsChange() throws Exception {
        InboundEndpointConfig a = InboundEndpointConfig.parse(file("H", "protocol=\"ws\" sequence=\"s\"", p("inbound.ws.port", "9000")));
        InboundEndpointConfig b = InboundEndpointConfig.parse(file("H", "protocol=\"ws\" sequence=\"t\"", p("inbound.ws.port", "9000")));
        InboundEndpointConfig c = InboundEndpointConfig.parse(file("H", "protocol=\"ws\" sequence=\"s\"", p("inbound.ws.port", "9001")));
        assertFalse(b.listenerDiffers(a));
        assertTrue(c.listenerDiffers(a));
    }

    @Test
    void tlsParametersAreCheckedAgainstWhatThisJvmKnows() throws Exception {
        String wss = p("inbound.ws.port", "9443") + p("wss.ssl.key.store.file", "k.p12") + p("wss.ssl.key.store.pass", "x");
        InboundEndpointConfig ok = InboundEndpointConfig.parse(file("T1", "protocol=\"wss\" sequence=\"s\"", wss));
        assertEquals(Arrays.asList("TLSv1.3", "TLSv1.2"), ok.sslProtocols());
        assertEquals("none", ok.clientAuth());
        assertEquals(null, ok.cipherSuites());

        String protocol = problem(file("T2", "protocol=\"wss\" sequence=\"s\"", wss + p("wss.ssl.protocols", "TLSv1.2, TLS")));
        assertTrue(protocol.contains("T2.xml: parameter 'wss.ssl.protocols' unknown protocol 'TLS'"), protocol);
        String cipher = problem(file("T3", "protocol=\"wss\" sequence=\"s\"", wss + p("wss.ssl.cipher.suites", "TLS_NO_SUCH_SUITE")));
        assertTrue(cipher.contains("T3.xml: parameter 'wss.ssl.cipher.suites' unknown cipher suite 'TLS_NO_SUCH_SUITE'"), cipher);
        String auth = problem(file("T4", "protocol=\"wss\" sequence=\"s\"", wss + p("wss.ssl.client.auth", "always")));
        assertTrue(auth.contains("T4.xml: parameter 'wss.ssl.client.auth' must be none, want or require, was 'always'"), auth);
        String trust = problem(file("T5", "protocol=\"wss\" sequence=\"s\"", wss + p("wss.ssl.trust.store.file", "t.jks")));
        assertTrue(trust.contains("T5.xml: parameter 'wss.ssl.trust.store.pass' is required with wss.ssl.trust.store.file"), trust);

        InboundEndpointConfig require = InboundEndpointConfig.parse(file("T1", "protocol=\"wss\" sequence=\"s\"",
                wss + p("wss.ssl.client.auth", "Require")));
        assertEquals("require", require.clientAuth());
        assertTrue(require.listenerDiffers(ok), "a TLS change restarts the listener");
    }
}
