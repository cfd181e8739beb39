package io.synapsews.gateway;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** A server home for a test: the demo configuration, free ports, and extra files. */
final class TestHome {

    final File dir;
    final int wsPort;
    final int wssPort;
    final File keyStore;
    final int keyManagerPort;
    final int analyticsPort;
    final int managementPort;
    final String backendUrl;

    TestHome(File dir, String backendUrl) throws IOException {
        this.dir = dir;
        this.backendUrl = backendUrl;
        this.wsPort = freePort();
        this.wssPort = freePort();
        this.keyStore = DemoHome.write(dir, wsPort, wssPort, backendUrl);
        this.keyManagerPort = freePort();
        this.analyticsPort = freePort();
        DemoHome.setGatewayPorts(dir, keyManagerPort, analyticsPort);
        this.managementPort = freePort();
        DemoHome.setManagementPort(dir, managementPort, wsPort, wssPort);
    }

    /**
     * A home for tests of the relay itself: no token check ({@link #withoutAuth()}) and a sequence
     * {@code echoSeq} that sends every message to {@code backendUrl}.
     */
    static TestHome relayingTo(File dir, String backendUrl) throws IOException {
        TestHome home = new TestHome(dir, backendUrl);
        home.withoutAuth();
        home.addSendSequence("echoSeq", backendUrl);
        return home;
    }

    /**
     * Replaces the demo API's client sequence with one that only relays: no token check, no
     * throttling (for tests of the relay itself).
     */
    void withoutAuth() throws IOException {
        addEndpoint("EchoWebSocketEndpoint", backendUrl);
        write("repository/conf/synapse-config/sequences/dispatchSeq.xml",
                "<sequence xmlns=\"http://ws.apache.org/ns/synapse\" name=\"dispatchSeq\" onError=\"fault\">\n"
                        + "  <filter source=\"get-property('websocket.subscriber.path')\" regex=\"/echowebsocket/1\\.0(/.*)?(\\?.*)?\">\n"
                        + "    <then><send><endpoint key=\"EchoWebSocketEndpoint\"/></send></then>\n"
                        + "    <else><property name=\"HTTP_SC\" value=\"404\" scope=\"axis2\"/><respond/></else>\n"
                        + "  </filter>\n</sequence>\n");
    }

    /** A TLS client context trusting the certificates of a JKS trust store (password {@code wso2carbon}). */
    static javax.net.ssl.SSLContext trusting(File trustStore) throws Exception {
        java.security.KeyStore ks = java.security.KeyStore.getInstance("JKS");
        try (java.io.FileInputStream in = new java.io.FileInputStream(trustStore)) {
            ks.load(in, "wso2carbon".toCharArray());
        }
        javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance(
                javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    /** Closes what a test class started, skipping what it did not get to start (null). */
    static void closeAll(AutoCloseable... things) throws Exception {
        for (AutoCloseable t : things) {
            if (t != null) {
                t.close();
            }
        }
    }

    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

    /** Whether something accepts connections on {@code port} of the loopback address now. */
    static boolean listening(int port) {
        try (Socket s = new Socket("127.0.0.1", port)) {
            return s.isConnected();
        } catch (IOException refused) {
            return false;
        }
    }

    /**
     * A port nothing listens on now and that this JVM has not handed out before: the OS may offer a
     * port again once its probe socket is closed, and two parts of one home (an inbound endpoint and
     * the analytics port, say) must not get the same one before either of them binds it.
     */
    static int freePort() throws IOException {
        while (true) {
            try (ServerSocket s = new ServerSocket(0)) {
                if (HANDED_OUT.add(s.getLocalPort())) {
                    return s.getLocalPort();
                }
            }
        }
    }

    /** Adds a named address endpoint (the sequences of a test refer to it with {@code <endpoint key>}). */
    void addEndpoint(String name, String url) throws IOException {
        write("repository/conf/synapse-config/endpoints/" + name + ".xml", "<endpoint xmlns=\"http://ws.apache.org/ns/synapse\" name=\""
                + name + "\">\n  <address uri=\"" + url + "\"/>\n</endpoint>\n");
    }

    /** Adds a sequence {@code name} that sends every message to {@code url}. */
    void addSendSequence(String name, String url) throws IOException {
        write("repository/conf/synapse-config/sequences/" + name + ".xml",
                "<sequence xmlns=\"http://ws.apache.org/ns/synapse\" name=\"" + name + "\">\n"
                        + "  <send><endpoint><address uri=\"" + url + "\"/></endpoint></send>\n</sequence>\n");
    }

    /**
     * Adds a sequence {@code name} that sends the handshake to {@code url} (so the client is accepted
     * with a backend leg) and runs {@code messageMediators} on every later message.
     */
    void addHandshakeSequence(String name, String url, String messageMediators) throws IOException {
        write("repository/conf/synapse-config/sequences/" + name + ".xml",
                "<sequence xmlns=\"http://ws.apache.org/ns/synapse\" name=\"" + name + "\">\n"
                        + "  <filter source=\"get-property('websocket.source.handshake.present')\" regex=\"true\">\n"
                        + "    <then><send><endpoint><address uri=\"" + url + "\"/></endpoint></send></then>\n"
                        + "    <else>" + messageMediators + "</else>\n  </filter>\n</sequence>\n");
    }

    /** Mediators that answer a message with this text themselves. */
    static String answer(String text) {
        return "<payloadFactory><format><text xmlns=\"http://ws.apache.org/commons/ns/payload\">" + text
                + "</text></format><args/></payloadFactory><respond/>";
    }

    /** The text of a ws inbound endpoint file using {@code sequence} and a bare respond outflow. */
    static String inboundEndpoint(String name, int port, String sequence) {
        return "<inboundEndpoint xmlns=\"http://ws.apache.org/ns/synapse\" name=\"" + name + "\"\n"
                + "    protocol=\"ws\" sequence=\"" + sequence + "\" onError=\"fault\" suspend=\"false\">\n"
                + "  <parameters>\n"
                + "    <parameter name=\"inbound.ws.port\">" + port + "</parameter>\n"
                + "    <parameter name=\"ws.outflow.dispatch.sequence\">outflowDispatchSeq</parameter>\n"
                + "    <parameter name=\"ws.outflow.dispatch.fault.sequence\">outflowFaultSeq</parameter>\n"
                + "  </parameters>\n</inboundEndpoint>\n";
    }

    /**
     * Adds a ws inbound endpoint {@code name} on a free port using {@code sequence}, with extra
     * {@code <parameter>} elements; returns its port.
     */
    int addInboundEndpoint(String name, String sequence, String extraParameters) throws IOException {
        int port = freePort();
        write(DemoHome.INBOUND_DIR + name + ".xml", inboundEndpoint(name, port, sequence)
                .replace("</parameters>", extraParameters + "</parameters>"));
        return port;
    }

    /** Gives the wss transport sender a trust store, as the seed's axis2.xml block does. */
    void setSenderTrustStore(String location, String password) throws IOException {
        addSenderParameter("wss", "<parameter name=\"ws.trust.store\" locked=\"false\">"
                + "<ws.trust.store.location>" + location + "</ws.trust.store.location>"
                + "<ws.trust.store.Password>" + password + "</ws.trust.store.Password></parameter>");
    }

    /** Adds a parameter element to the transportSender named {@code scheme} in axis2.xml. */
    void addSenderParameter(String scheme, String parameterXml) throws IOException {
        File axis2 = new File(dir, "repository/conf/axis2.xml");
        String xml = new String(Files.readAllBytes(axis2.toPath()), StandardCharsets.UTF_8);
        String marker = "<transportSender name=\"" + scheme
                + "\" class=\"org.wso2.carbon.websocket.transport.WebsocketTransportSender\">";
        if (!xml.contains(marker)) {
            throw new IOException("no " + scheme + " transportSender in " + axis2);
        }
        xml = xml.replace(marker, marker + "\n        " + parameterXml);
        Files.write(axis2.toPath(), xml.getBytes(StandardCharsets.UTF_8));
    }

    File inboundFile(String name) {
        return new File(dir, DemoHome.INBOUND_DIR + name + ".xml");
    }

    void write(String relative, String content) throws IOException {
        File f = new File(dir, relative);
        f.getParentFile().mkdirs();
        Files.write(f.toPath(), content.getBytes(StandardCharsets.UTF_8));
    }
}
