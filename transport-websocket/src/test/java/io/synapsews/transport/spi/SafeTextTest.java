package io.synapsews.transport.spi;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SafeTextTest {

    @Test
    void aLogLineCannotBeSplitOrFloodedByClientText() {
        String logged = SafeText.forLog("kid\r\nFAKE LOG LINE\u2028x");
        assertFalse(logged.contains("\n") || logged.contains("\r") || logged.contains("\u2028"), logged);
        assertEquals("kid\\u000d\\u000aFAKE LOG LINE\\u2028x", logged);
        String long_ = SafeText.forLog("a".repeat(10_000));
        assertTrue(long_.length() < 300 && long_.endsWith("(10000 chars)"), long_);
    }

    @Test
    void aQueryTokenIsMaskedInLoggedPaths() {
        assertEquals("/api?access_token=***&room=7", SafeText.path("/api?access_token=eyJ.secret.x&room=7"));
        assertEquals("/api?room=7&access_token=***", SafeText.path("/api?room=7&access_token=eyJ"));
        assertEquals("/api?my_access_token=keep", SafeText.path("/api?my_access_token=keep"));
    }

    @Test
    void aHeaderValueCannotEndEarlyOrSplit() {
        assertEquals("a??X-Injected: 1 ?quoted? ?", SafeText.forHeader("a\r\nX-Injected: 1 \"quoted\" \u00e9"));
        assertEquals("a  b?", SafeText.forHeaderValue("a\r\nb\u00e9"));
        assertEquals(SafeText.MAX_CHARS, SafeText.forHeader("b".repeat(5000)).length());
    }

    @Test
    void reservedPropertyNamesCannotBeSetByHeaders() {
        for (String name : new String[] {"websocket.source.handshake.present", "Websocket.Source.Handshake.Present",
            "api.ut.keyType", "inbound.endpoint.name", "HTTP_SC", "OUT_ONLY", "ERROR_MESSAGE", "messageType",
            "RESPONSE", "io.synapsews.source.connection", "transport.in", ""}) {
            assertTrue(WebSocketProperties.isReserved(name), name);
        }
        for (String name : new String[] {"Authorization", "Origin", "X-Custom", "Cookie", "User-Agent"}) {
            assertFalse(WebSocketProperties.isReserved(name), name);
        }
    }
}
