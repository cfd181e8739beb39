package io.synapsews.transport.config;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CidrListTest {

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
