package io.synapsews.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code ws.proxyProfiles}: backends whose host a profile covers are reached through that HTTP
 * CONNECT proxy (with its credentials), others directly. The proxy is a real one started by the test:
 * it answers CONNECT with 200 after checking {@code Proxy-Authorization}, then pipes bytes both ways;
 * wrong credentials get 407, which the client sees as 502 with the proxy's answer in the log.
 */
class ProxyProfilesTest {

    @TempDir
    static Path tmp;

    static EchoBackend backend;
    static Gateway gateway;
    static ConnectProxy proxy;
    static final HttpClient http = HttpClient.newHttpClient();
    static int proxiedPort;
    static int directPort;
    static int refusedPort;
    static LogCapture log;

    @BeforeAll
    static void start() throws Exception {
        backend = new EchoBackend(0);
        proxy = new ConnectProxy("gw", "s3cret");
        TestHome home = TestHome.relayingTo(tmp.resolve("home").toFile(), backend.url());
        home.addSenderParameter("ws", "<parameter name=\"ws.proxyProfiles\"><profile>"
                + "<targetHosts>localhost, *.example.org</targetHosts><proxyHost>127.0.0.1</proxyHost>"
                + "<proxyPort>" + proxy.port() + "</proxyPort><proxyUserName>gw</proxyUserName>"
                + "<proxyPassword>s3cret</proxyPassword></profile>"
                // a profile whose credentials the proxy refuses (407)
                + "<profile><targetHosts>*.invalid</targetHosts><proxyHost>127.0.0.1</proxyHost>"
                + "<proxyPort>" + proxy.port() + "</proxyPort><proxyUserName>gw</proxyUserName>"
                + "<proxyPassword>wrong</proxyPassword></profile></parameter>");
        home.addSendSequence("proxiedSeq", "ws://localhost:" + backend.port() + "/");
        proxiedPort = home.addInboundEndpoint("Proxied", "proxiedSeq", "");
        home.addSendSequence("directSeq", "ws://127.0.0.1:" + backend.port() + "/");
        directPort = home.addInboundEndpoint("Direct", "directSeq", "");
        home.addSendSequence("refusedSeq", "ws://backend.invalid:" + backend.port() + "/");
        refusedPort = home.addInboundEndpoint("Refused", "refusedSeq", "");
        log = LogCapture.install();
        gateway = Gateway.start(home.dir);
    }

    @AfterAll
    static void stop() throws Exception {
        TestHome.closeAll(gateway, backend, proxy);
    }

    @Test
    void aCoveredHostIsReachedThroughTheProxyWithItsCredentials() throws Exception {
        int before = proxy.tunnels.size();
        WsClient c = WsClient.connect(http, "ws://localhost:" + proxiedPort + "/");
        c.ws.sendText("through the proxy", true).join();
        assertEquals("through the proxy", c.next());
        assertEquals(List.of("localhost:" + backend.port()), proxy.tunnels.subList(before, proxy.tunnels.size()));
    }

    @Test
    void anotherHostIsReachedDirectly() throws Exception {
        int before = proxy.tunnels.size();
        int refusedBefore = proxy.refused.size();
        WsClient c = WsClient.connect(http, "ws://localhost:" + directPort + "/");
        c.ws.sendText("direct", true).join();
        assertEquals("direct", c.next());
        assertTrue(proxy.tunnels.size() == before && proxy.refused.size() == refusedBefore, "the proxy was used: " + proxy.tunnels);
    }

    @Test
    void aProxyThatRefusesTheCredentialsGives502AndTheReasonInTheLog() {
        int before = proxy.refused.size();
        HandshakeAssertions.assertStatusLogging(http, log, "ws://localhost:" + refusedPort + "/", 502, "407");
        assertEquals(List.of("CONNECT backend.invalid:" + backend.port() + " HTTP/1.1"), proxy.refused.subList(before, proxy.refused.size()));
    }

    /** A minimal HTTP CONNECT proxy with Basic authentication. */
    static final class ConnectProxy implements AutoCloseable {
        final List<String> tunnels = new CopyOnWriteArrayList<>();
        final List<String> refused = new CopyOnWriteArrayList<>();
        private final ServerSocket server;
        private final String expectedAuth;

        ConnectProxy(String user, String password) throws IOException {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            expectedAuth = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
            Thread t = new Thread(this::acceptLoop, "connect-proxy");
            t.setDaemon(true);
            t.start();
        }

        int port() {
            return server.getLocalPort();
        }

        private void acceptLoop() {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    Thread t = new Thread(() -> tunnel(s), "connect-proxy-tunnel");
                    t.setDaemon(true);
                    t.start();
                } catch (IOException closed) {
                    return;
                }
            }
        }

        private void tunnel(Socket client) {
            try (Socket c = client) {
                InputStream in = c.getInputStream();
                String[] lines = RawWs.readHead(in).split("\r\n");
                String[] request = lines[0].split(" ");
                String auth = null;
                for (String l : lines) {
                    if (l.toLowerCase().startsWith("proxy-authorization:")) {
                        auth = l.substring(l.indexOf(':') + 1).trim();
                    }
                }
                OutputStream out = c.getOutputStream();
                if (!"CONNECT".equals(request[0]) || !expectedAuth.equals(auth)) {
                    refused.add(lines[0]);
                    out.write("HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic\r\n\r\n"
                            .getBytes(StandardCharsets.ISO_8859_1));
                    return;
                }
                String target = request[1];
                int colon = target.lastIndexOf(':');
                try (Socket backendSocket = new Socket(target.substring(0, colon), Integer.parseInt(target.substring(colon + 1)))) {
                    tunnels.add(target);
                    out.write("HTTP/1.1 200 Connection established\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                    out.flush();
                    Thread up = new Thread(() -> pipe(in, backendSocket), "connect-proxy-up");
                    up.setDaemon(true);
                    up.start();
                    pipe(backendSocket.getInputStream(), c);
                }
            } catch (IOException e) {
                // a side closed
            }
        }

        private static void pipe(InputStream from, Socket to) {
            byte[] buf = new byte[8192];
            try {
                int n;
                while ((n = from.read(buf)) >= 0) {
                    to.getOutputStream().write(buf, 0, n);
                    to.getOutputStream().flush();
                }
                to.shutdownOutput();
            } catch (IOException e) {
                // a side closed
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}
