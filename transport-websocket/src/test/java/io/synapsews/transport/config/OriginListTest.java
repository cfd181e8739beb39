package io.synapsews.transport.config;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OriginListTest {

    @Test
    void exactOriginsAndPatterns() {
        OriginList l = OriginList.parse("https://app.example.com, https://*.example.org *.example.net http://localhost:8080");
        assertTrue(l.allows("https://app.example.com"));
        assertTrue(l.allows("HTTPS://APP.EXAMPLE.COM"));
        assertFalse(l.allows("http://app.example.com"));
        assertFalse(l.allows("https://app.example.com.evil.net"));
        assertTrue(l.allows("https://chat.example.org"));
        assertTrue(l.allows("https://chat.example.org:8443"));
        assertFalse(l.allows("https://example.org.evil.com"));
        assertFalse(l.allows("http://chat.example.org"));
        assertTrue(l.allows("http://a.example.net:81"));
        assertTrue(l.allows("http://localhost:8080"));
        assertFalse(l.allows("http://localhost:8081"));
        assertFalse(l.allows("null"));
        assertTrue(l.allows(null), "no Origin: not a browser page");
        assertTrue(OriginList.parse("*").allows("https://anything"));
        assertTrue(OriginList.parse(null).allowsAll());
        assertThrows(IllegalArgumentException.class, () -> OriginList.parse("app.example.com"));
        assertThrows(IllegalArgumentException.class, () -> OriginList.parse("https://a*.example.com"));
    }
}
