package io.synapsews.gateway;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * {@code ws.pass.through.control.frames}: with it, a client's ping reaches the backend and the
 * backend's answer (not the gateway's) comes back, and the backend's own pings reach the client and
 * its pongs the backend, on the relay lane and through mediation alike; without it the gateway
 * answers pings on each leg. The backend is a raw one whose pongs say they are its own.
 */
class ControlFramesTest {

    @TempDir
    static Path tmp;

    static RawBackend backend;
    static Gateway gateway;
    static final BlockingQueue<String> pongsAtBackend = new LinkedBlockingQueue<>();
    static int relayedPort;
    static int mediatedPort;
    static int localPort;

    @BeforeAll
    static void start() throws Exception {
        backend = new RawBackend(ControlFramesTest::answersControlFrames);
        TestHome home = TestHome.relayingTo(tmp.resolve("home").toFile(), backend.url());
        String pass = "<parameter name=\"ws.pass.through.control.frames\">true</parameter>";
        home.write("repository/conf/synapse-config/sequences/respondSeq.xml",
                "<sequence xmlns=\"http://ws.apache.org/ns/synapse\" name=\"respondSeq\"><respond/></sequence>\n");
        relayedPort = TestHome.freePort();
        home.write(DemoHome.INBOUND_DIR + "Relayed.xml", TestHome.inboundEndpoint("Relayed", relayedPort, "echoSeq")
                .replace("outflowDispatchSeq", "respondSeq").replace("</parameters>", pass + "</parameters>"));
        home.write("repository/conf/synapse-config/sequences/loggedSeq.xml",
                "<sequence xmlns=\"http://ws.apache.org/ns/synapse\" name=\"loggedSeq\">\n"
                        + "  <property name=\"seen\" value=\"yes\"/>\n"
                        + "  <send><endpoint><address uri=\"" + backend.url() + "\"/></endpoint></send>\n</sequence>\n");
        mediatedPort = home.addInboundEndpoint("Mediated", "loggedSeq", pass);
        localPort = home.addInboundEndpoint("Local", "echoSeq", "");
        gateway = Gateway.start(home.dir);
    }

    @AfterAll
    static void stop() throws Exception {
        TestHome.closeAll(gateway, backend);
    }

    /** Echoes data, answers a ping with its own pong, pings once itself, records the pongs it gets. */
    private static void answersControlFrames(Socket socket, InputStream raw) throws IOException {
        DataInputStream in = new DataInputStream(raw);
        OutputStream out = socket.getOutputStream();
        boolean pinged = false;
        while (true) {
            int b0 = in.read();
            if (b0 < 0) {
                return;
            }
            int b1 = in.readUnsignedByte();
            int len = b1 & 0x7F;
            if (len == 126) {
                len = in.readUnsignedShort();
            } else if (len == 127) {
                len = (int) in.readLong();
            }
            byte[] mask = new byte[4];
            if ((b1 & 0x80) != 0) {
                in.readFully(mask);
            }
            byte[] p = new byte[len];
            in.readFully(p);
            for (int i = 0; i < p.length; i++) {
                p[i] ^= mask[i & 3];
            }
            String text = new String(p, StandardCharsets.UTF_8);
            switch (b0 & 0xF) {
                case RawWs.PING:
                    write(out, RawWs.PONG, ("from-backend:" + text).getBytes(StandardCharsets.UTF_8));
                    if (!pinged) {
                        pinged = true;
                        write(out, RawWs.PING, "backend-ping".getBytes(StandardCharsets.UTF_8));
                    }
                    break;
                case RawWs.PONG:
                    pongsAtBackend.add(text);
                    break;
                case RawWs.CLOSE:
                    write(out, RawWs.CLOSE, p);
                    return;
                default:
                    write(out, b0 & 0xF, p);
            }
        }
    }

    private static void write(OutputStream out, int opcode, byte[] payload) throws IOException {
        out.write(0x80 | opcode);
        out.write(payload.length); // short frames only
        out.write(payload);
        out.flush();
    }

    /** The next frame of one of these opcodes, skipping others. */
    private static RawWs.Frame next(RawWs ws, int opcode) throws IOException {
        RawWs.Frame f;
        while ((f = ws.read()) != null && f.opcode != opcode) {
            // e.g. a data frame
        }
        return f;
    }

    @ParameterizedTest
    @ValueSource(strings = {"relayed", "mediated"})
    void pingsAndPongsCrossToTheOtherLeg(String lane) throws Exception {
        pongsAtBackend.clear();
        try (RawWs ws = RawWs.connect("relayed".equals(lane) ? relayedPort : mediatedPort, "/")) {
            ws.text("data");
            assertEquals("data", ws.readMessage().text());
            ws.send(true, 0, RawWs.PING, "p1".getBytes(StandardCharsets.UTF_8));
            RawWs.Frame pong = next(ws, RawWs.PONG);
            assertNotNull(pong);
            assertEquals("from-backend:p1", pong.text(), "the backend's pong, not the gateway's");
            RawWs.Frame ping = next(ws, RawWs.PING);
            assertNotNull(ping, "the backend's ping did not reach the client");
            assertEquals("backend-ping", ping.text());
            ws.send(true, 0, RawWs.PONG, "client-pong".getBytes(StandardCharsets.UTF_8));
            assertEquals("client-pong", pongsAtBackend.poll(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void withoutItTheGatewayAnswersPingsItself() throws Exception {
        try (RawWs ws = RawWs.connect(localPort, "/")) {
            ws.text("data");
            assertEquals("data", ws.readMessage().text());
            ws.send(true, 0, RawWs.PING, "p1".getBytes(StandardCharsets.UTF_8));
            RawWs.Frame pong = next(ws, RawWs.PONG);
            assertNotNull(pong);
            assertEquals("p1", pong.text());
        }
    }
}
