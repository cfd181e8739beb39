package io.synapsews.transport.common;

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

    @Test
    void networksAreMatchedByPrefix() {
        CidrList l = CidrList.parse("10.0.0.0/8, 192.0.2.7 2001:db8::/32");
        assertTrue(l.contains("10.200.1.1"));
        assertFalse(l.contains("11.0.0.1"));
        assertTrue(l.contains("192.0.2.7"));
        assertFalse(l.contains("192.0.2.8"));
        assertTrue(l.contains("2001:db8:1::5"));
        assertFalse(l.contains("2001:db9::1"));
        assertFalse(l.contains("not-an-address"));
        assertFalse(l.contains("localhost"), "never a name lookup");
        assertThrows(IllegalArgumentException.class, () -> CidrList.parse("10.0.0.0/33"));
        assertThrows(IllegalArgumentException.class, () -> CidrList.parse("example.com"));
    }
}
