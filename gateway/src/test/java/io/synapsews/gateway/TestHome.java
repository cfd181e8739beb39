package io.synapsews.gateway;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;

/** A server home for a test: the demo configuration, free ports, and extra files. */
final class TestHome {

    final File dir;
    final int wsPort;
    final int wssPort;
    final File keyStore;

    TestHome(File dir, String backendUrl) throws IOException {
        this.dir = dir;
        this.wsPort = freePort();
        this.wssPort = freePort();
        this.keyStore = DemoHome.write(dir, wsPort, wssPort, backendUrl);
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Adds a sequence {@code name} that sends every message to {@code url}. */
    void addSendSequence(String name, String url) throws IOException {
        write("repository/conf/synapse-config/sequences/" + name + ".xml",
                "<sequence xmlns=\"http://ws.apache.org/ns/synapse\" name=\"" + name + "\">\n"
                        + "  <send><endpoint><address uri=\"" + url + "\"/></endpoint></send>\n</sequence>\n");
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

    File inboundFile(String name) {
        return new File(dir, DemoHome.INBOUND_DIR + name + ".xml");
    }

    void write(String relative, String content) throws IOException {
        File f = new File(dir, relative);
        f.getParentFile().mkdirs();
        Files.write(f.toPath(), content.getBytes(StandardCharsets.UTF_8));
    }
}
