package io.synapsews.mediators.internal;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The gateway's small HTTP server: a connection cap, a deadline for every request, and the peer header a
 * client cannot forge.
 */
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

    @Test
    void aConnectionThatIdlesOrTricklesItsRequestIsClosedAtTheDeadline() throws Exception {
        try (HttpEndpointServer server = new HttpEndpointServer("deadline-test", "127.0.0.1", 0,
                Map.of("/peer", r -> HttpReply.text(200, "ok")), 1)) {
            // says nothing: closed (a read that timed out would throw instead of seeing the end)
            try (Socket idle = new Socket("127.0.0.1", server.port())) {
                idle.setSoTimeout(10_000);
                assertEquals(-1, idle.getInputStream().read(), "an idle connection was answered");
            }
            // a byte every 100 ms keeps no connection open past the deadline of its request
            try (Socket trickle = new Socket("127.0.0.1", server.port())) {
                trickle.setSoTimeout(10_000);
                CompletableFuture<Integer> written = CompletableFuture.supplyAsync(() -> {
                    byte[] request = "GET /peer HTTP/1.1\r\nHost: x\r\nX-Slow: ".getBytes(StandardCharsets.ISO_8859_1);
                    int n = 0;
                    try {
                        for (; n < 200; n++) { // 20 s: far past the deadline
                            trickle.getOutputStream().write(request[n % request.length]);
                            trickle.getOutputStream().flush();
                            Thread.sleep(100); // the pace of a slow client, not synchronisation
                        }
                    } catch (IOException | InterruptedException closed) {
                        // the server closed the connection
                    }
                    return n;
                });
                assertEquals(-1, trickle.getInputStream().read(), "a trickled request was answered");
                trickle.shutdownOutput(); // the writer stops at its next byte
                assertTrue(written.get(30, TimeUnit.SECONDS) < 200, "the trickle was never cut");
            }
            // a keep-alive connection gets its deadline again after each answer
            try (Socket kept = new Socket("127.0.0.1", server.port())) {
                kept.setSoTimeout(10_000);
                BufferedReader in = new BufferedReader(new InputStreamReader(kept.getInputStream(),
                        StandardCharsets.ISO_8859_1));
                for (int i = 0; i < 2; i++) {
                    kept.getOutputStream().write("GET /peer HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                    assertEquals("HTTP/1.1 200 OK", in.readLine());
                    String line;
                    int length = 0;
                    while (!(line = in.readLine()).isEmpty()) {
                        if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                            length = Integer.parseInt(line.substring(15).trim());
                        }
                    }
                    for (int k = 0; k < length; k++) {
                        in.read();
                    }
                }
                assertEquals(-1, in.read(), "an idle keep-alive connection was kept");
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
