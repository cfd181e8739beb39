package io.synapsews.mediators.internal;

import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The gateway's small HTTP server: a connection cap, and the peer header a client cannot forge. */
class HttpEndpointServerTest {

    @Test
    void connectionsPastTheCapAreClosedAndThePeerHeaderCannotBeForged() throws Exception {
        try (HttpEndpointServer server = new HttpEndpointServer("cap-test", "127.0.0.1", 0,
                Map.of("/peer", r -> HttpReply.text(200, r.headers().get(HttpEndpointServer.PEER_HEADER))))) {
            try (Socket one = new Socket("127.0.0.1", server.port())) {
                String answer = ask(one, "/peer", HttpEndpointServer.PEER_HEADER + ": 203.0.113.9");
                assertTrue(answer.endsWith("127.0.0.1"), answer);
            }
            List<Socket> held = new ArrayList<>();
            try {
                for (int i = 0; i < HttpEndpointServer.MAX_CONNECTIONS; i++) {
                    held.add(new Socket("127.0.0.1", server.port()));
                }
                // the last of them is accepted (and counted) once it is answered
                String answer = ask(held.remove(held.size() - 1), "/peer", "X-Any: 1");
                assertTrue(answer.endsWith("127.0.0.1"), answer);
                held.add(new Socket("127.0.0.1", server.port()));
                try (Socket over = new Socket("127.0.0.1", server.port())) {
                    over.setSoTimeout(10_000);
                    assertEquals(-1, over.getInputStream().read(), "a connection over the cap was served");
                }
            } finally {
                for (Socket s : held) {
                    s.close();
                }
            }
        }
    }

    private static String ask(Socket s, String path, String header) throws Exception {
        s.setSoTimeout(10_000);
        s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: x\r\n" + header + "\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        InputStream in = s.getInputStream();
        return new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
    }
}
