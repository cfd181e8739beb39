package io.synapsews.gateway;

import java.net.http.HttpClient;
import java.net.http.WebSocketHandshakeException;
import java.util.Map;
import java.util.concurrent.CompletionException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Assertions on handshakes that are answered with an HTTP status instead of 101. */
final class HandshakeAssertions {

    private HandshakeAssertions() {
    }

    static void assertStatus(HttpClient http, String url, int status) {
        CompletionException e = assertThrows(CompletionException.class, () -> WsClient.connect(http, url, Map.of()));
        assertTrue(e.getCause() instanceof WebSocketHandshakeException, "not a handshake failure: " + e.getCause());
        assertEquals(status, ((WebSocketHandshakeException) e.getCause()).getResponse().statusCode());
    }

    /** The handshake to {@code url} gets {@code status}, and a log line of the gateway's contains {@code why}. */
    static void assertStatusLogging(HttpClient http, LogCapture log, String url, int status, String why) {
        int from = log.events.size();
        assertStatus(http, url, status);
        String lines = String.join("\n", log.messagesSince(from));
        assertTrue(lines.toLowerCase().contains(why.toLowerCase()), "no '" + why + "' in:\n" + lines);
    }
}
