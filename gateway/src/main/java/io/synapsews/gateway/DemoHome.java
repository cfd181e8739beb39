package io.synapsews.gateway;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The built-in demo server home, written out from the sample configuration shipped in the jar,
 * with the ports and the backend of the EchoWebSocket API filled in.
 */
public final class DemoHome {

    static final String RESOURCE_ROOT = "demo-home/";
    static final String INBOUND_DIR = "repository/conf/synapse-config/inbound-endpoints/";
    static final String WS_ENDPOINT = INBOUND_DIR + "WebSocketInboundEndpoint.xml";
    static final String WSS_ENDPOINT = INBOUND_DIR + "SecureWebSocketInboundEndpoint.xml";
    /** The demo API's definition, applied at the first start by the management API ({@code <management importDir>}). */
    static final String DEMO_API = "repository/conf/apis/EchoWebSocket.json";
    static final String GATEWAY_CONFIG = "repository/conf/websocket-gateway.xml";
    /** The demo application's client credentials, as in {@link #GATEWAY_CONFIG}. */
    public static final String PRODUCTION_CLIENT = "demo-production-client";
    public static final String PRODUCTION_SECRET = "demo-production-secret";
    public static final String SANDBOX_CLIENT = "demo-sandbox-client";
    public static final String SANDBOX_SECRET = "demo-sandbox-secret";
    static final String KEY_STORE = "repository/resources/security/wso2carbon.jks";

    private DemoHome() {
    }

    /**
     * Writes the demo home into {@code dir} (configuration files are replaced, an existing key
     * store is kept) and returns the key store's path.
     */
    public static File write(File dir, int wsPort, int wssPort, String backendUrl) throws IOException {
        for (String name : resources()) {
            File target = new File(dir, name);
            target.getParentFile().mkdirs();
            try (InputStream in = DemoHome.class.getClassLoader().getResourceAsStream(RESOURCE_ROOT + name)) {
                Files.copy(in, target.toPath(), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        setPort(new File(dir, WS_ENDPOINT), wsPort);
        setPort(new File(dir, WSS_ENDPOINT), wssPort);
        setBackend(dir, backendUrl);
        setSandboxBackend(dir, backendUrl + (backendUrl.endsWith("/") ? "" : "/") + "sandbox");
        File keyStore = new File(dir, KEY_STORE);
        if (!keyStore.isFile()) {
            KeyStores.selfSigned(keyStore, "wso2carbon", "wso2carbon");
        }
        return keyStore;
    }

    /**
     * Points the EchoWebSocket API's production backend at another URL (in its definition: a changed
     * definition is applied again at the next start, keeping the API's id and subscriptions).
     */
    public static void setBackend(File dir, String backendUrl) throws IOException {
        replace(new File(dir, DEMO_API), "(\"production_endpoints\"\\s*:\\s*\\{\\s*\"url\"\\s*:\\s*)\"[^\"]*\"",
                "$1" + Matcher.quoteReplacement(jsonString(backendUrl)));
    }

    /** Points the EchoWebSocket API's sandbox backend at another URL. */
    public static void setSandboxBackend(File dir, String backendUrl) throws IOException {
        replace(new File(dir, DEMO_API), "(\"sandbox_endpoints\"\\s*:\\s*\\{\\s*\"url\"\\s*:\\s*)\"[^\"]*\"",
                "$1" + Matcher.quoteReplacement(jsonString(backendUrl)));
    }

    private static String jsonString(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.append('"').toString();
    }

    /** Sets the ports of the built-in key manager (and its issuer) and of the analytics endpoint. */
    public static void setGatewayPorts(File dir, int keyManagerPort, int analyticsPort) throws IOException {
        File f = new File(dir, GATEWAY_CONFIG);
        replace(f, "<keyManager([^>]*) port=\"\\d+\"", "<keyManager$1 port=\"" + keyManagerPort + "\"");
        replace(f, "issuer=\"http://localhost:\\d+/", "issuer=\"http://localhost:" + keyManagerPort + "/");
        replace(f, "<analytics([^>]*) port=\"\\d+\"", "<analytics$1 port=\"" + analyticsPort + "\"");
    }

    /**
     * Sets the port of the management REST APIs and the ws and wss URLs the developer portal shows
     * (those of the demo's inbound endpoints).
     */
    public static void setManagementPort(File dir, int managementPort, int wsPort, int wssPort) throws IOException {
        File f = new File(dir, GATEWAY_CONFIG);
        replace(f, "<management([^>]*) port=\"\\d+\"", "<management$1 port=\"" + managementPort + "\"");
        replace(f, "wsUrl=\"ws://localhost:\\d+\"", "wsUrl=\"ws://localhost:" + wsPort + "\"");
        replace(f, "wssUrl=\"wss://localhost:\\d+\"", "wssUrl=\"wss://localhost:" + wssPort + "\"");
    }

    public static void setPort(File inboundEndpointFile, int port) throws IOException {
        replace(inboundEndpointFile, "<parameter name=\"inbound.ws.port\">\\d+</parameter>",
                "<parameter name=\"inbound.ws.port\">" + port + "</parameter>");
    }

    /** Replaces the first match of {@code regex}; {@code replacement} may refer to groups ($1). */
    private static void replace(File file, String regex, String replacement) throws IOException {
        String s = new String(Files.readAllBytes(file.toPath()), StandardCharsets.UTF_8);
        Matcher m = Pattern.compile(regex).matcher(s);
        if (!m.find()) {
            throw new IOException(file + ": nothing matches " + regex);
        }
        String r = m.replaceFirst(replacement);
        Files.write(file.toPath(), r.getBytes(StandardCharsets.UTF_8));
    }

    private static String escapeXml(String s) {
        return s.replace("&", "&amp;").replace("\"", "&quot;").replace("<", "&lt;");
    }

    /** Names of the demo files, relative to the demo root, from a directory or from the jar. */
    static List<String> resources() throws IOException {
        URL root = DemoHome.class.getClassLoader().getResource(RESOURCE_ROOT);
        if (root == null) {
            throw new IOException("demo configuration missing from the class path (" + RESOURCE_ROOT + ")");
        }
        List<String> names = new ArrayList<>();
        if ("file".equals(root.getProtocol())) {
            try {
                Path base = Paths.get(root.toURI());
                try (var walk = Files.walk(base)) {
                    walk.filter(Files::isRegularFile).forEach(p -> names.add(base.relativize(p).toString().replace('\\', '/')));
                }
            } catch (URISyntaxException e) {
                throw new IOException(e);
            }
        } else {
            String path = root.getPath();
            String jarPath = path.substring("file:".length(), path.indexOf("!/"));
            try (JarFile jar = new JarFile(URLDecoder.decode(jarPath, StandardCharsets.UTF_8))) {
                Enumeration<JarEntry> entries = jar.entries();
                while (entries.hasMoreElements()) {
                    JarEntry e = entries.nextElement();
                    if (!e.isDirectory() && e.getName().startsWith(RESOURCE_ROOT)) {
                        names.add(e.getName().substring(RESOURCE_ROOT.length()));
                    }
                }
            }
        }
        Collections.sort(names);
        return names;
    }
}
